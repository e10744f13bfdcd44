import type { KubernetesObject } from '../../../runtime/client-node';
import { KubeApiError } from '../../../runtime/kube-errors';
import type { ReconcileContext } from '../../../runtime/reconciler';
import { staticCaches } from '../../../runtime/testing/static-caches';

// For unit tests of the Baseline gate and the production source only: the
// caches and reads they make, from a list of objects. Integration tests use
// the real API server.

type Ctx = Pick<ReconcileContext, 'cache' | 'client'>;

const keyOf = (apiVersion: string, kind: string, namespace: string | undefined, name: string) =>
  `${apiVersion}|${kind}|${namespace ?? ''}|${name}`;

export function fakeContext(
  objects: KubernetesObject[],
  forbiddenNamespaces: string[] = [],
): Ctx & { reads: string[] } {
  const byKey = new Map(
    objects.map((o) => [keyOf(o.apiVersion!, o.kind!, o.metadata?.namespace, o.metadata?.name ?? ''), o]),
  );
  const reads: string[] = [];
  const { cache } = staticCaches(objects);
  const client = {
    async get<T extends KubernetesObject>(ref: {
      apiVersion: string;
      kind: string;
      namespace?: string;
      name: string;
    }): Promise<T | undefined> {
      reads.push(`${ref.kind} ${ref.namespace ?? ''}/${ref.name}`);
      if (ref.namespace && forbiddenNamespaces.includes(ref.namespace))
        throw new KubeApiError(`GET ${ref.kind}: HTTP 403: forbidden`, 403, 'Forbidden');
      return byKey.get(keyOf(ref.apiVersion, ref.kind, ref.namespace, ref.name)) as T | undefined;
    },
  };
  // Only get is used by the code under test.
  return { cache, client: client as unknown as Ctx['client'], reads };
}

export const namespace = (
  name: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): KubernetesObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, annotations } });

export const baseline = (name: string, spec: Record<string, unknown>): KubernetesObject & { spec: unknown } => ({
  apiVersion: 'understudy.dev/v1alpha1',
  kind: 'Baseline',
  metadata: { name, generation: 1, uid: `uid-${name}` },
  spec: { source: { namespace: 'shop' }, ...spec },
});

export const secret = (ns: string, name: string, data: Record<string, string>): KubernetesObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  }) as KubernetesObject;
