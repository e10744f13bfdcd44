import type { KubernetesObject, V1ConfigMap } from '../client-node';
import type { ControllerOptions } from '../controller';
import type { Reconciler } from '../reconciler';

/**
 * A test-only controller over plain ConfigMaps, so the runtime can be
 * exercised end to end without the CRDs: for each ConfigMap labelled
 * `understudy.dev/runtime-test=source` it keeps an owned `<name>-echo`
 * ConfigMap holding the same data plus the identity of the process that wrote it.
 */
export const RUNTIME_TEST_LABEL = 'understudy.dev/runtime-test';
export const ECHO_CONTROLLER_NAME = 'configmap-echo';

export interface EchoControllerOptions {
  identity: string;
  maxConcurrentReconciles?: number;
  /** Called at the start of every reconcile; tests use it to count and to detect overlap. */
  onReconcile?: (key: string, phase: 'start' | 'end') => void;
  /** Simulated work per reconcile, so bursts overlap with work in flight. */
  workMs?: number;
}

export function echoName(source: string): string {
  return `${source}-echo`;
}

export function desiredEcho(source: V1ConfigMap, identity: string): V1ConfigMap {
  const name = source.metadata?.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: echoName(name),
      namespace: source.metadata?.namespace,
      labels: { [RUNTIME_TEST_LABEL]: 'echo' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name, uid: source.metadata?.uid ?? '', controller: true, blockOwnerDeletion: false }],
    },
    data: { ...(source.data ?? {}), reconciledBy: identity },
  };
}

export function echoReconciler(options: EchoControllerOptions): Reconciler {
  return {
    async reconcile(req, ctx) {
      const key = `${req.namespace}/${req.name}`;
      options.onReconcile?.(key, 'start');
      try {
        if (options.workMs) await new Promise((r) => setTimeout(r, options.workMs));
        const source = ctx.primary.get(req.namespace, req.name) as V1ConfigMap | undefined;
        if (!source || source.metadata?.deletionTimestamp) return;
        const desired = desiredEcho(source, options.identity);
        const current = ctx.cache<V1ConfigMap>('v1', 'ConfigMap').get(req.namespace, echoName(req.name));
        if (current && sameEcho(current, desired)) return;
        await ctx.client.apply(desired as KubernetesObject, { force: true });
        ctx.log.info('echo written');
      } finally {
        options.onReconcile?.(key, 'end');
      }
    },
  };
}

function sameEcho(current: V1ConfigMap, desired: V1ConfigMap): boolean {
  const owner = current.metadata?.ownerReferences?.[0]?.uid;
  return owner === desired.metadata?.ownerReferences?.[0]?.uid && JSON.stringify(sortKeys(current.data)) === JSON.stringify(sortKeys(desired.data));
}

function sortKeys(data: Record<string, string> | undefined): Array<[string, string]> {
  return Object.entries(data ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

export function echoController(options: EchoControllerOptions): ControllerOptions {
  return {
    name: ECHO_CONTROLLER_NAME,
    primary: { apiVersion: 'v1', kind: 'ConfigMap', labelSelector: `${RUNTIME_TEST_LABEL}=source` },
    owns: [{ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: `${RUNTIME_TEST_LABEL}=echo` }],
    reconciler: echoReconciler(options),
    maxConcurrentReconciles: options.maxConcurrentReconciles ?? 2,
  };
}
