import { matchesLabelSelector } from '../../environment/selectors';
import type { LabelSelector } from '../../environment/k8s-types';
import type { KubeObject } from '../config/normalize';
import type { ListedObjects, ObjectSource } from './objects';

/**
 * Production as rendered manifests (a Baseline's source.manifests): the
 * objects of the given kinds rendered for the namespace (or for none, as
 * `helm template` often leaves it), restricted to the Baseline's selector.
 * Nothing is listed from a cluster, so there are no Pods and no digests.
 */
export class ManifestObjectSource implements ObjectSource {
  constructor(
    private readonly objects: readonly KubeObject[],
    readonly description: string,
    private readonly selector?: LabelSelector,
  ) {}

  list(namespace: string, kinds: string[]): Promise<ListedObjects> {
    const wanted = new Set(kinds);
    const objects = this.objects
      .filter((o) => wanted.has(o.kind) && (o.metadata.namespace === undefined || o.metadata.namespace === namespace))
      .filter((o) => matchesLabelSelector(o.metadata.labels, this.selector))
      .map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
    return Promise.resolve({ objects, forbidden: [] });
  }

  requests(): number {
    return 0;
  }
}
