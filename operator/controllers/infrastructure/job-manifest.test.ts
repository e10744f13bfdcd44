import type { StackRequest } from '../../infrastructure/request';
import {
  ANNOTATIONS,
  REQUEST_DIR,
  REQUEST_KEY,
  RUN_LABEL,
  requestSecretName,
  resultSecretName,
  runChildren,
  runJob,
  runJobName,
  runLabelOf,
  type RunObjectsOptions,
} from './job-manifest';

type Json = Record<string, any>; // any: manifests read field by field

const SECRETS = ['passphrase-value', 'postgresql://admin:hunter2@db:5432/postgres', 'AKIAEXAMPLE'];

const request: StackRequest = {
  action: 'up',
  project: 'understudy-postgres-database',
  stack: 'previews.db.0123456789ab',
  program: 'postgres-database',
  backendUrl: 's3://state',
  passphrase: SECRETS[0]!,
  config: { server: 'pg' },
  secretConfig: { serverUrl: SECRETS[1]! },
  env: { AWS_ACCESS_KEY_ID: SECRETS[2]! },
  removeStack: true,
};

const options: RunObjectsOptions = {
  key: 'previews/db',
  environment: { namespace: 'previews', name: 'db', uid: '0123-4567' },
  namespace: 'understudy-system',
  request,
  digest: 'abcdef',
  image: 'registry.example.com/understudy:1.2.3',
  imagePullSecrets: ['pull'],
  activeDeadlineSeconds: 900,
  startedAt: new Date('2026-12-07T10:00:00Z'),
};

describe('the infrastructure Job', () => {
  const job = runJob(options) as Json;
  const pod = job.spec.template.spec;
  const [container] = pod.containers;

  it('runs in the operator namespace, suspended, one per operation, labelled with its environment', () => {
    expect(job.metadata.namespace).toBe('understudy-system');
    expect(job.metadata.name).toBe(runJobName('previews/db', 'up', options.startedAt));
    expect(job.metadata.name.length).toBeLessThanOrEqual(63);
    expect(job.metadata.name).not.toBe(runJobName('previews/db', 'up', new Date('2026-12-07T10:00:01Z')));
    expect(job.spec.suspend).toBe(true);
    expect(job.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'understudy',
      [RUN_LABEL]: runLabelOf('previews/db'),
      'understudy.dev/environment': 'db',
      'understudy.dev/environment-namespace': 'previews',
    });
    expect(runLabelOf('previews/db')).toMatch(/^[0-9a-f]{12}$/);
    expect(runLabelOf('previews/db')).not.toBe(runLabelOf('previews/db2'));
    expect(job.metadata.annotations).toMatchObject({
      [ANNOTATIONS.action]: 'up',
      [ANNOTATIONS.digest]: 'abcdef',
      [ANNOTATIONS.uid]: '0123-4567',
      [ANNOTATIONS.startedAt]: '2026-12-07T10:00:00.000Z',
    });
    // No owner reference across namespaces: the Job is found by its label, and owns what it needs.
    expect(job.metadata.ownerReferences).toBeUndefined();
  });

  it('is non-root with a read-only root filesystem, bounded, never retried by the Job controller', () => {
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBe(900);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.serviceAccountName).toBe(job.metadata.name);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.limits.memory).toBe('1Gi');
    expect(container.image).toBe(options.image);
    expect(pod.imagePullSecrets).toEqual([{ name: 'pull' }]);
    // The engine's home and workspaces: the emptyDir on /tmp.
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '2Gi' } });
    expect(container.env).toContainEqual({ name: 'UNDERSTUDY_PULUMI_HOME', value: '/tmp/pulumi-home' });
  });

  it('carries no secret in argv, env, annotations or labels: the request comes from a mounted Secret', () => {
    const visible = JSON.stringify({ metadata: job.metadata, args: container.args, env: container.env });
    for (const secret of SECRETS) expect(visible).not.toContain(secret);
    expect(JSON.stringify(job)).not.toContain('hunter2');
    expect(container.args).toEqual([
      'infrastructure',
      'run',
      '--request',
      `${REQUEST_DIR}/${REQUEST_KEY}`,
      '--result-secret',
      `understudy-system/${resultSecretName(job.metadata.name)}`,
    ]);
    expect(container.envFrom).toBeUndefined();
    expect(container.terminationMessagePolicy).toBe('File');
    expect(pod.volumes).toContainEqual({
      name: 'request',
      secret: { secretName: requestSecretName(job.metadata.name), defaultMode: 0o440 },
    });
  });
});

describe('what the infrastructure Job owns', () => {
  const name = runJobName(options.key, 'up', options.startedAt);
  const children = runChildren(options, { name, uid: 'job-uid' }) as Json[];
  const byKind = (kind: string) => children.filter((c) => c.kind === kind);

  it('is owned by the Job (deleting it removes them) and labelled like it', () => {
    for (const child of children) {
      expect(child.metadata.namespace).toBe('understudy-system');
      expect(child.metadata.ownerReferences).toEqual([
        { apiVersion: 'batch/v1', kind: 'Job', name, uid: 'job-uid', controller: true },
      ]);
      expect(child.metadata.labels[RUN_LABEL]).toBe(runLabelOf(options.key));
    }
    expect(children.map((c) => c.kind).sort()).toEqual(['Role', 'RoleBinding', 'Secret', 'Secret', 'ServiceAccount']);
  });

  it('puts the request in a Secret and leaves the result Secret empty', () => {
    const [requestSecret, resultSecret] = byKind('Secret') as [Json, Json];
    expect(requestSecret.metadata.name).toBe(requestSecretName(name));
    expect(JSON.parse(Buffer.from(requestSecret.data[REQUEST_KEY], 'base64').toString())).toEqual(request);
    expect(resultSecret.metadata.name).toBe(resultSecretName(name));
    expect(resultSecret.data).toEqual({});
  });

  it('lets the pod patch its own result Secret and nothing else', () => {
    const [role] = byKind('Role') as [Json];
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: [resultSecretName(name)], verbs: ['patch'] },
    ]);
    const [binding] = byKind('RoleBinding') as [Json];
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name, namespace: 'understudy-system' }]);
    const [account] = byKind('ServiceAccount') as [Json];
    expect(account.automountServiceAccountToken).toBe(false);
  });
});
