import { createHash } from 'node:crypto';
import { LABELS, MANAGED_BY } from '../../api/common';
import type { StackRequest } from '../../infrastructure/request';
import type { KubernetesObject } from '../../runtime/client-node';

// The objects of one stack operation run by `runner: Job`, all in the
// operator's namespace (the request holds the passphrase, cloud credentials
// and the server's admin URL, which never leave it): a suspended Job of the
// operator's image, the request as a Secret mounted into its pod, an empty
// result Secret the pod patches with progress and its result, and a
// ServiceAccount whose Role may patch that one Secret and nothing else. All
// but the Job are owned by the Job, so deleting the Job removes the rest.
// Pure: the Job runner (job-runs.ts) creates them.

/** On every object of a run: which environment's operation it is (a hash of namespace/name, label-safe). */
export const RUN_LABEL = 'understudy.dev/infrastructure-run';
export const ANNOTATIONS = {
  action: 'understudy.dev/action',
  digest: 'understudy.dev/digest',
  uid: 'understudy.dev/environment-uid',
  stack: 'understudy.dev/stack',
  startedAt: 'understudy.dev/started-at',
} as const;

/** Where the pod finds its request (a Secret volume), and the result Secret's keys. */
export const REQUEST_DIR = '/var/run/understudy/request';
export const REQUEST_KEY = 'request.json';
export { RESULT_KEYS } from '../../infrastructure/job-pod';
export const CONTAINER = 'stack';
/** The image's user (distroless nonroot). */
const UID = 65532;

export interface RunObjectsOptions {
  /** The environment's request key (namespace/name). */
  key: string;
  environment: { namespace: string; name: string; uid: string };
  namespace: string;
  request: StackRequest;
  digest: string;
  image: string;
  imagePullSecrets?: readonly string[];
  activeDeadlineSeconds: number;
  startedAt: Date;
  /** Overrides the engine's location in the image (UNDERSTUDY_PULUMI_ROOT); the image sets it otherwise. */
  pulumiRoot?: string;
}

export function runLabelOf(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** `understudy-infra-<key hash>-<action>-<start time>`: a new name per operation, so a new run never waits for the old one's objects to go. */
export function runJobName(key: string, action: StackRequest['action'], startedAt: Date): string {
  return `understudy-infra-${runLabelOf(key)}-${action}-${startedAt.getTime().toString(36)}`;
}

export const requestSecretName = (job: string): string => `${job}-request`;
export const resultSecretName = (job: string): string => `${job}-result`;

function labels(o: RunObjectsOptions): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [RUN_LABEL]: runLabelOf(o.key),
    [LABELS.environment]: o.environment.name,
    [LABELS.environmentNamespace]: o.environment.namespace,
  };
}

export type RunObject = KubernetesObject & Record<string, unknown>;

/** The Job, suspended: its pod starts only once the request, the result Secret and the identity exist (`suspend: false`). */
export function runJob(o: RunObjectsOptions): RunObject {
  const name = runJobName(o.key, o.request.action, o.startedAt);
  const env = [
    // The engine's home and the workspaces live on the pod's emptyDir: the root filesystem is read-only.
    { name: 'HOME', value: '/tmp' },
    { name: 'UNDERSTUDY_PULUMI_HOME', value: '/tmp/pulumi-home' },
    ...(o.pulumiRoot ? [{ name: 'UNDERSTUDY_PULUMI_ROOT', value: o.pulumiRoot }] : []),
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: o.namespace,
      labels: labels(o),
      annotations: {
        [ANNOTATIONS.action]: o.request.action,
        [ANNOTATIONS.digest]: o.digest,
        [ANNOTATIONS.uid]: o.environment.uid,
        [ANNOTATIONS.stack]: `${o.request.project}/${o.request.stack}`,
        [ANNOTATIONS.startedAt]: o.startedAt.toISOString(),
      },
    },
    spec: {
      suspend: true,
      // Retries are the controller's: a killed pod is an interrupted run, recovered by the next one.
      backoffLimit: 0,
      activeDeadlineSeconds: o.activeDeadlineSeconds,
      // The controller deletes the Job once it has read the result; this is the backstop.
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: labels(o) },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: name,
          automountServiceAccountToken: true,
          enableServiceLinks: false,
          ...(o.imagePullSecrets?.length ? { imagePullSecrets: o.imagePullSecrets.map((n) => ({ name: n })) } : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: UID,
            runAsGroup: UID,
            fsGroup: UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: CONTAINER,
              image: o.image,
              args: [
                'infrastructure',
                'run',
                '--request',
                `${REQUEST_DIR}/${REQUEST_KEY}`,
                '--result-secret',
                `${o.namespace}/${resultSecretName(name)}`,
              ],
              env,
              resources: { requests: { cpu: '250m', memory: '384Mi' }, limits: { memory: '1Gi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'request', mountPath: REQUEST_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
              // Never the log: the engine's output may hold secret values. The command writes no termination message.
              terminationMessagePolicy: 'File',
            },
          ],
          volumes: [
            // 0440 with fsGroup: readable by the pod's user, by nobody else in the container.
            { name: 'request', secret: { secretName: requestSecretName(name), defaultMode: 0o440 } },
            { name: 'tmp', emptyDir: { sizeLimit: '2Gi' } },
          ],
        },
      },
    },
  };
}

/** What the Job owns: the request and result Secrets and the pod's identity. `job` is the created Job (its uid). */
export function runChildren(o: RunObjectsOptions, job: { name: string; uid: string }): RunObject[] {
  const owner = { apiVersion: 'batch/v1', kind: 'Job', name: job.name, uid: job.uid, controller: true };
  const metadata = (name: string) => ({
    name,
    namespace: o.namespace,
    labels: labels(o),
    ownerReferences: [owner],
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(requestSecretName(job.name)),
      type: 'Opaque',
      data: { [REQUEST_KEY]: Buffer.from(JSON.stringify(o.request)).toString('base64') },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: metadata(resultSecretName(job.name)), type: 'Opaque', data: {} },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(job.name), automountServiceAccountToken: false },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: metadata(job.name),
      // The pod reads its request from its volume; through the API it may only patch its own result.
      rules: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: [resultSecretName(job.name)], verbs: ['patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(job.name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: job.name },
      subjects: [{ kind: 'ServiceAccount', name: job.name, namespace: o.namespace }],
    },
  ];
}
