import type { KubernetesObject } from '../client-node';
import type { ControllerOptions } from '../controller';
import { groupVersionKind } from '../gvk';
import { type Reconciler, requestKey } from '../reconciler';

type ConfigMapObject = KubernetesObject & { data?: Record<string, string> };

/** runtime/ knows no kind of the operator's (those are in operator/kinds.ts): this test controller declares its own. */
const CONFIG_MAP = groupVersionKind<ConfigMapObject>('', 'v1', 'ConfigMap', 'configmaps');

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

export function desiredEcho(source: ConfigMapObject, identity: string): ConfigMapObject {
  const name = source.metadata?.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: echoName(name),
      namespace: source.metadata?.namespace,
      labels: { [RUNTIME_TEST_LABEL]: 'echo' },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name,
          uid: source.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: false,
        },
      ],
    },
    data: { ...(source.data ?? {}), reconciledBy: identity },
  };
}

export function echoReconciler(options: EchoControllerOptions): Reconciler {
  return {
    async reconcile(req, ctx) {
      const key = requestKey(req);
      options.onReconcile?.(key, 'start');
      try {
        if (options.workMs) await new Promise((r) => setTimeout(r, options.workMs));
        // The primary cache holds the sources; ctx.cache(CONFIG_MAP) is the echoes' (owns), the last registration of the kind.
        const source: ConfigMapObject | undefined = ctx.primary.get(req.namespace, req.name);
        if (!source || source.metadata?.deletionTimestamp) return;
        const desired = desiredEcho(source, options.identity);
        const current = ctx.cache(CONFIG_MAP).get(req.namespace, echoName(req.name));
        if (current && sameEcho(current, desired)) return;
        await ctx.client.apply(desired, { force: true });
        ctx.log.info('echo written');
      } finally {
        options.onReconcile?.(key, 'end');
      }
    },
  };
}

function sameEcho(current: ConfigMapObject, desired: ConfigMapObject): boolean {
  const owner = current.metadata?.ownerReferences?.[0]?.uid;
  return (
    owner === desired.metadata?.ownerReferences?.[0]?.uid &&
    JSON.stringify(sortKeys(current.data)) === JSON.stringify(sortKeys(desired.data))
  );
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
