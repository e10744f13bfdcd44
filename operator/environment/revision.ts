import { createHash } from 'node:crypto';
import { isRecord, identityKey, type KubeObject } from './objects';
import { autoscaledTargets } from './replicas';
import { decodeSecretBytes } from './secrets';
import { stripServerFields } from './strip';

// A digest of what was copied, so the controller can tell when the baseline
// changed after the copy (BaselineStale). It must not move when nothing a
// copy would take changed: server-set fields, object order and replica
// counts an HPA is adjusting are left out. Secrets count by their keys only,
// unless their values are copied (CopyListed), and then only as a digest.

export function baselineRevision(
  objects: readonly KubeObject[],
  copiedSecretNames: ReadonlySet<string> = new Set(),
): string {
  const autoscaled = autoscaledTargets(objects);
  const canonical = objects
    .map((object) => normalise(object, autoscaled, copiedSecretNames))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, body }) => `${key}\n${body}`)
    .join('\n');
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

function normalise(
  object: KubeObject,
  autoscaled: Set<string>,
  copiedSecretNames: ReadonlySet<string>,
): { key: string; body: string } {
  const stripped = stripServerFields(object);
  if (autoscaled.has(`${object.kind}/${object.metadata.name}`) && isRecord(stripped.spec))
    delete stripped.spec.replicas;
  if (object.kind === 'Secret') {
    const values = decodeSecretBytes(object);
    const copied = copiedSecretNames.has(object.metadata.name);
    stripped.data = Object.fromEntries(
      [...values].map(([key, bytes]) => [key, copied ? createHash('sha256').update(bytes).digest('hex') : '']),
    );
    delete stripped.stringData;
  }
  return { key: identityKey(object), body: canonicalJson(stripped) };
}

/**
 * A digest of the objects a copy runs, as planned (overrides, scale and
 * rewrites applied): it moves when what runs moves, and only then.
 */
export function workloadRevision(objects: readonly KubeObject[]): string {
  const canonical = objects
    .map((object) => ({ key: identityKey(object), body: canonicalJson(withoutSecretValues(object)) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, body }) => `${key}\n${body}`)
    .join('\n');
  return `sha256:${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

/** A Secret by its keys: generated values are drawn anew when the Secret is missing, and must not look like a new copy. */
function withoutSecretValues(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret') return object;
  const { data, stringData, ...rest } = object as KubeObject & { data?: object; stringData?: object };
  return { ...rest, keys: [...Object.keys(data ?? {}), ...Object.keys(stringData ?? {})].sort() };
}

/** JSON with object keys sorted, so that field order never changes the digest. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
