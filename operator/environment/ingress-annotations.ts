import { clone, type KubeObject } from './objects';

// Snippet annotations paste text into the ingress controller's own
// configuration (nginx `configuration-snippet`, `server-snippet`,
// `auth-snippet`, NGINX Inc's `server-snippets`, HAProxy's
// `backend-config-snippet`, ...). From a baseline the preview's author did
// not write, or a manifest they did, that text runs with the controller's
// rights: it can read every Secret the controller can (CVE-2021-25742) or
// proxy to anything. A copy never carries them. Matching any key that
// contains "snippet" covers controllers this list does not name.

const SNIPPET = /snippet/i;

export interface StrippedAnnotations {
  object: KubeObject;
  /** Keys removed, sorted; the values are not repeated anywhere. */
  removed: string[];
}

export function stripUnsafeIngressAnnotations(ingress: KubeObject): StrippedAnnotations {
  const copy = clone(ingress);
  const entries = Object.entries(copy.metadata.annotations ?? {});
  const removed = entries
    .filter(([key]) => SNIPPET.test(key))
    .map(([key]) => key)
    .sort();
  if (removed.length === 0) return { object: copy, removed };
  const kept = entries.filter(([key]) => !SNIPPET.test(key));
  if (kept.length > 0) copy.metadata.annotations = Object.fromEntries(kept);
  else delete copy.metadata.annotations;
  return { object: copy, removed };
}
