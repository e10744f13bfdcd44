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
import { adminKubeConfig, kubectl, waitForObject } from '../support/kube';

// Shared by the DataSeed controller tests: the controller as `understudy
// operator` builds it, under the chart's least-privilege identity, and reads
// of DataSeeds, their Events and Jobs through an admin client.

export const admin = new KubeClient(adminKubeConfig(), { fieldManager: 'dataseed-test' });
export const SHOP_DB = join(__dirname, '../../examples/shop/db');
export const shopFile = (name: string): string => readFileSync(join(SHOP_DB, name), 'utf8');

export type DataSeedObject = KubernetesObject & { spec: DataSeedSpecInput; status?: DataSeedStatus };

/** runOperator, as the CLI calls it, with only the DataSeed controller, on ports of its own. */
export async function startOperator(namespaces: string[], options: DataSeedControllerOptions = {}): Promise<Manager> {
  const parsed = parseOperatorOptions({
    kubeconfig: process.env.UNDERSTUDY_OPERATOR_KUBECONFIG,
    namespace: namespaces,
    metricsBindAddress: '127.0.0.1:0',
    healthProbeBindAddress: '127.0.0.1:0',
    gracefulShutdownTimeout: 10,
  });
  return runOperator(parsed, [(env) => dataSeedController(env, options)], createLogger({ level: process.env.UNDERSTUDY_TEST_VERBOSE ? 'info' : 'warn' }));
}

export function applyDataSeed(namespace: string, name: string, spec: DataSeedSpecInput, labels: Record<string, string> = {}): Promise<DataSeedObject> {
  return admin.apply<DataSeedObject>({ apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', metadata: { name, namespace, labels }, spec } as DataSeedObject, { force: true });
}

export function getDataSeed(namespace: string, name: string): Promise<DataSeedObject | undefined> {
  return admin.get<DataSeedObject>({ apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', namespace, name });
}

export function condition(obj: DataSeedObject | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** Polls the DataSeed until `accept` holds; fails with the last status seen. */
export function waitForSeed(namespace: string, name: string, accept: (obj: DataSeedObject) => boolean, timeoutMs = 120_000): Promise<DataSeedObject> {
  return waitForObject(() => getDataSeed(namespace, name), accept, { what: `DataSeed ${namespace}/${name}`, timeoutMs });
}

export const isReady = (generation: number) => (obj: DataSeedObject): boolean => condition(obj, 'Ready')?.status === 'True' && condition(obj, 'Ready')?.observedGeneration === generation;
export const isStalled = (reason: string) => (obj: DataSeedObject): boolean => condition(obj, 'Stalled')?.status === 'True' && condition(obj, 'Stalled')?.reason === reason;

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
  kubectl(['create', 'secret', 'generic', name, '-n', namespace, ...Object.entries(data).map(([k, v]) => `--from-literal=${k}=${v}`)]);
}

export function createConfigMap(namespace: string, name: string, data: Record<string, string>): void {
  kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data }));
}
