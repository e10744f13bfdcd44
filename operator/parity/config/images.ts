import type { KubeObject } from './normalize';
import { isEmptySelector, matchesSelector } from './selector';
import type { LabelSelector } from '../../api/common';

/** `nginx` → `docker.io/library/nginx:latest`, so equivalent spellings of one image compare equal. */
export function canonicalImage(image: string): string {
  let name = image;
  let reference = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    reference = name.slice(at);
    name = name.slice(0, at);
  }
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    reference = name.slice(colon) + reference;
    name = name.slice(0, colon);
  } else if (reference === '') {
    reference = ':latest';
  }
  const first = name.split('/')[0] ?? '';
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  return name + reference;
}

export function digestOf(imageOrId: string | undefined): string | undefined {
  return imageOrId ? /sha256:[a-f0-9]{64}/.exec(imageOrId)?.[0] : undefined;
}

/**
 * The digest a workload's container actually runs, from its pods' status.
 * Undefined when no pod reports one or pods disagree (a rollout in flight).
 */
export function runningDigest(workload: KubeObject, container: string, pods: KubeObject[]): string | undefined {
  const spec = workload.spec as { selector?: LabelSelector } | undefined;
  if (isEmptySelector(spec?.selector)) return undefined;
  const digests = new Set<string | undefined>();
  for (const pod of pods) {
    if (!matchesSelector(spec?.selector, pod.metadata.labels)) continue;
    const statuses = (
      (pod.status as { containerStatuses?: Array<{ name: string; imageID?: string }> } | undefined)
        ?.containerStatuses ?? []
    ).filter((s) => s.name === container);
    for (const status of statuses) digests.add(digestOf(status.imageID));
  }
  if (digests.size !== 1) return undefined;
  return [...digests][0];
}
