import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Condition } from '../../operator/api/common';
import type { DataSeedSpecInput, DataSeedStatus } from '../../operator/api/dataseed';
import { parseOperatorOptions, runOperator } from '../../operator/commands/operator';
import { dataSeedController, type DataSeedControllerOptions } from '../../operator/controllers/dataseed';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import { KubeClient } from '../../operator/runtime/kube-client';
import { createLogger } from '../../operator/runtime/logger';
import type { Manager } from '../../operator/runtime/manager';
import { grantSecretRead } from '../setup/operator-identity';
import { LOOPBACK_NETWORKS } from '../setup/postgres';
import { adminKubeConfig, createNamespace, kubectl, kubectlAsync, waitForObject } from '../support/kube';

// Shared by the DataSeed controller tests: the controller as `understudy
// operator` builds it, under the chart's least-privilege identity (which
// reads Secrets only where an admin grants it, and writes only in namespaces
// labelled as managed), reads of DataSeeds, their Events and Jobs through an
// admin client, and the admin's side: Baselines and production credentials.

export const admin = new KubeClient(adminKubeConfig(), { fieldManager: 'dataseed-test' });
export const SHOP_DB = join(__dirname, '../../examples/shop/db');
export const shopFile = (name: string): string => readFileSync(join(SHOP_DB, name), 'utf8');

export type DataSeedObject = KubernetesObject & { spec: DataSeedSpecInput; status?: DataSeedStatus };

/**
 * runOperator, as the CLI calls it, with only the DataSeed controller, on ports of its own; tenants' databases may be
 * on loopback (where the test server is) unless `tenantDatabaseNetworks` says otherwise.
 */
export async function startOperator(
  namespaces: string[],
  options: DataSeedControllerOptions = {},
  tenantDatabaseNetworks: string[] = LOOPBACK_NETWORKS,
): Promise<Manager> {
  const parsed = parseOperatorOptions({
    tenantDatabaseNetworks,
    kubeconfig: process.env.UNDERSTUDY_OPERATOR_KUBECONFIG,
    namespace: namespaces,
    metricsBindAddress: '127.0.0.1:0',
    healthProbeBindAddress: '127.0.0.1:0',
    gracefulShutdownTimeout: 10,
  });
  return runOperator(
    parsed,
    [(env) => dataSeedController(env, options)],
    createLogger({ level: process.env.UNDERSTUDY_TEST_VERBOSE ? 'info' : 'warn' }),
  );
}

export function applyDataSeed(
  namespace: string,
  name: string,
  spec: DataSeedSpecInput,
  labels: Record<string, string> = {},
): Promise<DataSeedObject> {
  return admin.apply<DataSeedObject>(
    { apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', metadata: { name, namespace, labels }, spec },
    { force: true },
  );
}

export function getDataSeed(namespace: string, name: string): Promise<DataSeedObject | undefined> {
  return admin.get<DataSeedObject>({ apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', namespace, name });
}

export function condition(obj: DataSeedObject | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** Polls the DataSeed until `accept` holds; fails with the last status seen. */
export function waitForSeed(
  namespace: string,
  name: string,
  accept: (obj: DataSeedObject) => boolean,
  timeoutMs = 120_000,
): Promise<DataSeedObject> {
  return waitForObject(() => getDataSeed(namespace, name), accept, {
    what: `DataSeed ${namespace}/${name}`,
    timeoutMs,
  });
}

export const isReady =
  (generation: number) =>
  (obj: DataSeedObject): boolean =>
    condition(obj, 'Ready')?.status === 'True' && condition(obj, 'Ready')?.observedGeneration === generation;
export const isStalled =
  (reason: string) =>
  (obj: DataSeedObject): boolean =>
    condition(obj, 'Stalled')?.status === 'True' && condition(obj, 'Stalled')?.reason === reason;

interface EventObject {
  reason?: string;
  note?: string;
  type?: string;
  regarding?: { name?: string; kind?: string };
  series?: { count?: number };
}

/** The Events about one DataSeed, by reason. */
export async function seedEvents(namespace: string, name: string): Promise<EventObject[]> {
  const list = await admin.list<KubernetesObject & EventObject>('events.k8s.io/v1', 'Event', { namespace });
  return list.items.filter((e) => e.regarding?.kind === 'DataSeed' && e.regarding.name === name);
}

export function createSecret(namespace: string, name: string, data: Record<string, string>): void {
  kubectl([
    'create',
    'secret',
    'generic',
    name,
    '-n',
    namespace,
    ...Object.entries(data).map(([k, v]) => `--from-literal=${k}=${v}`),
  ]);
}

/**
 * A namespace for DataSeeds whose Secrets the operator may read, as an admin
 * grants it (rbac.secretNamespaces). `managed`: labelled as the operator's
 * own, like a preview's target namespace, so the admission policy lets it
 * write there (the Job runner needs that).
 */
export async function seedNamespace(
  prefix: string,
  options: { managed?: boolean; readable?: boolean } = {},
): Promise<string> {
  const ns = createNamespace(prefix, options.managed ? { 'app.kubernetes.io/managed-by': 'understudy' } : {});
  if (options.readable ?? true) await grantSecretRead(ns);
  return ns;
}

export interface BaselineDatabase {
  name: string;
  connectionSecretRef: { namespace: string; name: string; key: string };
  profileRef?: { namespace: string; name: string; key?: string };
}

/** A cluster-scoped Baseline as an admin writes it: production databases, open to `allowed` namespaces. */
export function applyBaseline(name: string, allowed: readonly string[], databases: readonly BaselineDatabase[]): void {
  kubectl(
    ['apply', '--server-side', '--force-conflicts', '-f', '-'],
    JSON.stringify({
      apiVersion: 'understudy.dev/v1alpha1',
      kind: 'Baseline',
      metadata: { name },
      spec: {
        source: { namespace: allowed[0] ?? 'default' },
        allowedNamespaces: { names: allowed },
        data: { databases },
      },
    }),
  );
}

export function deleteBaseline(name: string): void {
  kubectl(['delete', 'baseline', name, '--ignore-not-found', '--wait=false']);
}

/**
 * An admin namespace holding production's read-only connection URLs (never a
 * preview's), readable by the operator; returns the Baseline database entries.
 */
export async function productionCredentials(
  prefix: string,
  urls: Record<string, string>,
): Promise<{ namespace: string; databases: BaselineDatabase[] }> {
  const namespace = await seedNamespace(prefix);
  const databases = Object.entries(urls).map(([name, url]) => {
    createSecret(namespace, `${name}-readonly`, { url });
    return { name, connectionSecretRef: { namespace, name: `${name}-readonly`, key: 'url' } };
  });
  return { namespace, databases };
}

/** kubectl as another user (impersonation), for what a tenant may and may not do. */
export function kubectlAs(
  user: string,
  args: string[],
  input?: string,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return kubectlAsync([...args, `--as=${user}`], input);
}

export function createConfigMap(namespace: string, name: string, data: Record<string, string>): void {
  kubectl(
    ['apply', '--server-side', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data }),
  );
}
