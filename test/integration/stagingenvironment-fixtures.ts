import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { API_VERSION } from '../../operator/api/common';
import type { StagingEnvironmentStatus } from '../../operator/api/stagingenvironment';
import {
  stagingEnvironmentController,
  STAGING_ENVIRONMENT_CONTROLLER,
} from '../../operator/controllers/stagingenvironment';
import { FINALIZER } from '../../operator/controllers/stagingenvironment/lifecycle';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import { KubeClient } from '../../operator/runtime/kube-client';
import { createLogger } from '../../operator/runtime/logger';
import { Manager } from '../../operator/runtime/manager';
import {
  adminKubeConfig,
  createNamespace,
  deleteNamespace,
  eventually,
  kubectl,
  kubectlAsync,
  operatorKubeConfig,
  waitForObject,
} from '../support/kube';
import { metricValue } from '../support/operator-process';

// Shared by the StagingEnvironment integration tests: the shop (or a
// synthetic baseline) in a namespace of its own, volumes its claims can bind
// to, the controller running in-process under the operator's least-privilege
// identity, and reads of environments and their objects.

const REPO = resolve(__dirname, '../..');

export type Json = Record<string, unknown>;
export type Obj = KubernetesObject & Json & { metadata: NonNullable<KubernetesObject['metadata']> & { name: string } };
export type Environment = Obj & { spec: Json; status?: StagingEnvironmentStatus };

export const admin = (): KubeClient => new KubeClient(adminKubeConfig());

/** The keys under which the shop's manifests spell the namespace by itself. */
const NAMESPACE_KEYS = new Set(['namespace', 'kubernetes.io/metadata.name', 'SHOP_NAMESPACE']);

/**
 * examples/shop/k8s as objects in `namespace` instead of `shop` (its DNS
 * references and namespace values moved along), with claims of `storageClass`.
 */
export function shopObjects(namespace: string, storageClass: string): Obj[] {
  const dir = join(REPO, 'examples/shop/k8s');
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Obj | null))
    .filter((o): o is Obj => o !== null);
  const moved = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') {
      if (NAMESPACE_KEYS.has(key) && value === 'shop') return namespace;
      if (key === 'storageClassName') return storageClass;
      return value
        .replace(/(?<=[a-z0-9]\.)shop(?=\.svc\b|:\d)/g, namespace)
        .replace(/^--namespace=shop$/, `--namespace=${namespace}`);
    }
    if (Array.isArray(value)) return value.map((v) => moved(v, key));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, moved(v, k)]));
    return value;
  };
  return docs.map((doc) => {
    const object = moved(doc, '') as Obj;
    if (object.kind === 'Namespace') object.metadata.name = namespace;
    return object;
  });
}

export function applyObjects(objects: readonly unknown[]): void {
  kubectl(
    ['apply', '--server-side', '--force-conflicts', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  );
}

/**
 * Static volumes the claims of a storage class bind to: the test control
 * plane has no provisioner, and a pod whose claim stays Pending is never
 * scheduled. `sizes` are claim sizes; one volume of each per copy.
 */
export function createVolumes(storageClass: string, sizes: readonly string[], copies: number): void {
  const volumes = Array.from({ length: copies }, (_, c) =>
    sizes.map((size, i) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `${storageClass}-${c}-${i}`, labels: { 'understudy.dev/test-volumes': storageClass } },
      spec: {
        capacity: { storage: size },
        accessModes: ['ReadWriteOnce'],
        storageClassName: storageClass,
        hostPath: { path: `/tmp/${storageClass}/${c}-${i}` },
      },
    })),
  ).flat();
  applyObjects(volumes);
}

export function deleteVolumes(storageClass: string): void {
  kubectl([
    'delete',
    'persistentvolume',
    '-l',
    `understudy.dev/test-volumes=${storageClass}`,
    '--wait=false',
    '--ignore-not-found',
  ]);
}

/** The controller in this process, with the chart's RBAC, watching `namespace` for StagingEnvironments. */
export async function startOperator(namespace: string): Promise<Manager> {
  const manager = new Manager({
    kubeConfig: operatorKubeConfig(),
    logger: createLogger({ level: (process.env.UNDERSTUDY_TEST_LOG_LEVEL as 'info' | undefined) ?? 'warn' }),
    namespaces: [namespace],
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
  });
  manager.addController(
    stagingEnvironmentController({
      namespaces: [namespace],
      operatorNamespace: process.env.UNDERSTUDY_OPERATOR_NAMESPACE ?? 'understudy-system',
    }),
  );
  await manager.start();
  return manager;
}

/** A fresh namespace for environments, with the controller watching it in-process. */
export async function startPreviews(): Promise<{ previews: string; manager: Manager }> {
  const previews = createNamespace('previews');
  return { previews, manager: await startOperator(previews) };
}

/** Deletes the environments while the operator still runs (their finalizers need it), then the operator and both namespaces. */
export async function stopPreviews(
  previews: string | undefined,
  manager: Manager | undefined,
  baseline: string,
): Promise<void> {
  if (previews) await deleteEnvironments(previews);
  await manager?.stop();
  if (previews) deleteNamespace(previews);
  deleteNamespace(baseline);
}

/**
 * Deletes every environment of `namespace` while the operator still runs, so
 * finalizers complete. Should that not finish (a failed test), strips the
 * finalizers and deletes the target namespaces itself, leaving nothing behind.
 */
export async function deleteEnvironments(namespace: string, timeoutMs = 90_000): Promise<void> {
  await kubectlAsync(['delete', 'stagingenvironments', '--all', '-n', namespace, '--wait=false']);
  const client = admin();
  try {
    await eventually(
      async () => (await client.list(API_VERSION, 'StagingEnvironment', { namespace })).items.length === 0,
      { timeoutMs, what: `environments of ${namespace} gone` },
    );
  } catch {
    await abandonEnvironments(namespace);
  }
}

/** Strips the finalizers of the environments of `namespace` and deletes the namespaces made for them. */
export async function abandonEnvironments(namespace: string): Promise<void> {
  const client = admin();
  for (const env of (await client.list<Obj>(API_VERSION, 'StagingEnvironment', { namespace })).items) {
    await client
      .mergePatch(
        { apiVersion: API_VERSION, kind: 'StagingEnvironment', namespace, name: env.metadata.name },
        { metadata: { finalizers: null } },
      )
      .catch(() => undefined);
  }
  for (const target of (
    await client.list<Obj>('v1', 'Namespace', { labelSelector: `understudy.dev/environment-namespace=${namespace}` })
  ).items) {
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: target.metadata.name });
  }
}

/**
 * A cluster-scoped Baseline, as an admin would write it: production in
 * `source.namespace`, open to `allowed` namespaces, permissive limits unless
 * `spec` says otherwise. Returns its name; deleteBaseline removes it.
 */
export function applyBaseline(name: string, allowed: readonly string[], spec: Json): string {
  applyObjects([
    {
      apiVersion: API_VERSION,
      kind: 'Baseline',
      metadata: { name },
      spec: {
        allowedNamespaces: { names: allowed },
        targetNamespace: { prefix: '' },
        isolation: { networkPolicy: false },
        limits: { maxReplicas: '100', maxResources: '100', maxTtl: '8760h' },
        rbac: { copyRoles: true },
        ...spec,
      },
    },
  ]);
  return name;
}

export function deleteBaseline(name: string): void {
  kubectl(['delete', 'baseline', name, '--ignore-not-found', '--wait=false']);
}

export function environment(name: string, namespace: string, spec: Json, metadata: Json = {}): Json {
  return { apiVersion: API_VERSION, kind: 'StagingEnvironment', metadata: { name, namespace, ...metadata }, spec };
}

export async function getEnvironment(name: string, namespace: string): Promise<Environment | undefined> {
  return admin().get<Environment>({ apiVersion: API_VERSION, kind: 'StagingEnvironment', namespace, name });
}

export function condition(
  env: Environment | undefined,
  type: string,
): { status: string; reason: string; message: string; observedGeneration?: number } | undefined {
  return env?.status?.conditions?.find((c) => c.type === type);
}

/** Waits for a condition with the given status, computed for the environment's current generation. */
export function waitForCondition(
  name: string,
  namespace: string,
  type: string,
  status: string,
  timeoutMs = 120_000,
): Promise<Environment> {
  return waitForObject(
    () => getEnvironment(name, namespace),
    (env) => {
      const c = condition(env, type);
      return c?.status === status && c.observedGeneration === env.metadata.generation;
    },
    { what: `${type}=${status} on ${namespace}/${name}`, timeoutMs },
  );
}

export async function getObject(
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string,
): Promise<Obj | undefined> {
  return admin().get<Obj>({ apiVersion, kind, name, ...(namespace ? { namespace } : {}) });
}

export async function listObjects(apiVersion: string, kind: string, namespace: string): Promise<Obj[]> {
  return (await admin().list<Obj>(apiVersion, kind, { namespace })).items;
}

/** Every object of every listable namespaced kind in a namespace, as the server returns them. */
export function everyObjectIn(namespace: string): Obj[] {
  const kinds = kubectl(['api-resources', '--namespaced', '--verbs=list', '-o', 'name']).split('\n').filter(Boolean);
  const out = JSON.parse(kubectl(['get', kinds.join(','), '-n', namespace, '-o', 'json', '--ignore-not-found'])) as {
    items: Obj[];
  };
  return out.items;
}

export async function namespaceExists(name: string): Promise<boolean> {
  return (await getObject('v1', 'Namespace', undefined, name)) !== undefined;
}

/** Reconciles of the StagingEnvironment controller so far, from the manager's /metrics. */
export async function reconcileCount(manager: Manager): Promise<number> {
  const text = await (await fetch(`${manager.metricsUrl}/metrics`)).text();
  return ['success', 'requeue', 'requeue_after', 'error'].reduce(
    (sum, result) =>
      sum +
      (metricValue(text, 'controller_runtime_reconcile_total', {
        controller: STAGING_ENVIRONMENT_CONTROLLER,
        result,
      }) ?? 0),
    0,
  );
}

export async function controllerIdle(manager: Manager): Promise<boolean> {
  return manager.controller(STAGING_ENVIRONMENT_CONTROLLER)?.idle() ?? false;
}

export { FINALIZER };

/**
 * Every status an environment goes through while `during` runs, from a watch
 * (polling would miss a status that lasts one reconcile): for asserting what
 * was never shown, such as Degraded during an update.
 */
export async function recordStatuses<T>(
  name: string,
  namespace: string,
  during: () => Promise<T>,
): Promise<{ result: T; seen: Environment[] }> {
  const seen: Environment[] = [];
  const abort = new AbortController();
  const watching = admin()
    .watch(
      API_VERSION,
      'StagingEnvironment',
      { namespace, fieldSelector: `metadata.name=${name}`, signal: abort.signal },
      (event) => {
        if (event.type === 'ADDED' || event.type === 'MODIFIED') seen.push(event.object as unknown as Environment);
      },
    )
    .catch(() => undefined);
  try {
    const result = await during();
    return { result, seen };
  } finally {
    abort.abort();
    await watching;
  }
}

/** Where the statuses recorded here are kept, for the Argo CD health script tests (gopher-lua). */
export const ARGOCD_STATUS_DIR = join(REPO, 'test/fixtures/argocd-statuses');

/**
 * The environment as Argo CD's health script receives it (metadata trimmed of
 * what varies per run), kept in ARGOCD_STATUS_DIR for the health script tests.
 * Written when missing or with UNDERSTUDY_RECORD_STATUSES=1; otherwise the
 * recorded file must still say what this run saw (phase, and each condition's
 * type, status and reason), so a change of behaviour cannot leave the health
 * tests judging statuses the operator no longer writes.
 */
export function saveStatusFixture(file: string, env: Environment, note: string): void {
  mkdirSync(ARGOCD_STATUS_DIR, { recursive: true });
  const { name, generation, annotations } = env.metadata;
  const tracking = Object.fromEntries(
    Object.entries(annotations ?? {}).filter(([key]) => key.startsWith('argocd.argoproj.io/')),
  );
  const fixture = {
    $comment: note,
    apiVersion: env.apiVersion,
    kind: env.kind,
    metadata: {
      name,
      namespace: 'previews',
      generation,
      ...(Object.keys(tracking).length > 0 ? { annotations: tracking } : {}),
    },
    spec: env.spec,
    status: env.status,
  };
  const path = join(ARGOCD_STATUS_DIR, file);
  if (process.env.UNDERSTUDY_RECORD_STATUSES === '1' || !existsSync(path)) {
    writeFileSync(path, `${JSON.stringify(fixture, null, 2)}\n`);
    return;
  }
  const summary = (status: StagingEnvironmentStatus | undefined) => ({
    phase: status?.phase,
    conditions: (status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`),
  });
  const recorded = JSON.parse(readFileSync(path, 'utf8')) as { status?: StagingEnvironmentStatus };
  if (JSON.stringify(summary(recorded.status)) !== JSON.stringify(summary(env.status))) {
    throw new Error(
      `${path} no longer matches what the operator reports (${JSON.stringify(summary(env.status))}); record it again with UNDERSTUDY_RECORD_STATUSES=1`,
    );
  }
}
