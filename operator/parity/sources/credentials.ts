import {
  findCredentials,
  findCredentialsInFile,
  isNamedSecretValue,
  isSecretName,
} from '../../environment/credential-patterns';
import type { KubeObject } from '../config/normalize';
import { keyedHash } from '../config/secrets';
import type { ListedObjects, ObjectSource } from './objects';

// A ParityCheck's user may see the production configuration a Baseline
// exposes, but not production's credentials: ConfigMap values, env values and
// arguments that look like credentials (a URL with a password, a known token
// format, a value under a secret name) are replaced by keyed hashes as soon
// as they are listed, exactly as Secret values are, so no later step — the
// comparison, a finding, a message, a log line — holds them in clear. Only
// the credential part of a value is replaced, so a connection URL still shows
// its host, and equal credentials still compare equal within one run.

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Span = { start: number; end: number };

function replaceSpans(text: string, spans: readonly Span[], key: Buffer): string {
  let out = '';
  let at = 0;
  for (const { start, end } of spans) {
    out += text.slice(at, start) + keyedHash(key, text.slice(start, end));
    at = end;
  }
  return out + text.slice(at);
}

/** HTTP headers (in probes) whose whole value is a credential. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** A value under `name` (an env variable, a ConfigMap key, a probe header), with its credentials hashed. */
export function hashNamedValue(name: string, value: string, key: Buffer, file = false): string {
  if ((isSecretName(name) || SECRET_HEADERS.has(name.toLowerCase())) && isNamedSecretValue(value))
    return keyedHash(key, value);
  const spans = file ? findCredentialsInFile(value) : findCredentials(value);
  return spans.length === 0 ? value : replaceSpans(value, spans, key);
}

/** Free text (an argument, an annotation) with its credentials hashed. */
export function hashFreeText(value: string, key: Buffer): string {
  const spans = findCredentials(value);
  return spans.length === 0 ? value : replaceSpans(value, spans, key);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every string of a value, hashed where it holds a credential; env entries and ConfigMap data by their names too. */
function walk(value: unknown, key: Buffer): unknown {
  if (typeof value === 'string') return hashFreeText(value, key);
  if (Array.isArray(value)) return value.map((item) => walk(item, key));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  const envName = typeof value.name === 'string' && typeof value.value === 'string' ? value.name : undefined;
  for (const [field, inner] of Object.entries(value)) {
    out[field] =
      envName !== undefined && field === 'value' ? hashNamedValue(envName, inner as string, key) : walk(inner, key);
  }
  return out;
}

function hashConfigMapData(data: unknown, key: Buffer): unknown {
  if (!isRecord(data)) return data;
  return Object.fromEntries(
    Object.entries(data).map(([name, value]) => [
      name,
      typeof value === 'string' ? hashNamedValue(name, value, key, true) : value,
    ]),
  );
}

/**
 * The object with every credential-looking value hashed. Secrets are left to
 * the engine, which hashes all of their values; kubectl's last-applied
 * annotation, which repeats the whole object, is dropped.
 */
export function hashCredentials(object: KubeObject, key: Buffer): KubeObject {
  if (object.kind === 'Secret') return object;
  const { metadata, ...rest } = object;
  const annotations = metadata.annotations
    ? Object.fromEntries(Object.entries(metadata.annotations).filter(([name]) => name !== LAST_APPLIED))
    : undefined;
  const hashed = walk(rest, key) as Omit<KubeObject, 'metadata'> & { kind: string };
  const result: KubeObject = {
    ...hashed,
    kind: object.kind,
    metadata: {
      ...metadata,
      ...(annotations ? { annotations: walk(annotations, key) as Record<string, string> } : {}),
    },
  };
  if (object.kind === 'ConfigMap') {
    result.data = hashConfigMapData(rest.data, key);
    // Opaque bytes: compared by hash, never shown.
    if (isRecord(rest.binaryData))
      result.binaryData = Object.fromEntries(
        Object.entries(rest.binaryData).map(([name, value]) => [name, keyedHash(key, String(value))]),
      );
  }
  return result;
}

/** An object source whose objects never carry a credential in clear. */
export class CredentialHashingSource implements ObjectSource {
  constructor(
    private readonly inner: ObjectSource,
    private readonly key: Buffer,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  async list(namespace: string, kinds: string[]): Promise<ListedObjects> {
    const listed = await this.inner.list(namespace, kinds);
    return { ...listed, objects: listed.objects.map((o) => hashCredentials(o, this.key)) };
  }

  requests(): number {
    return this.inner.requests();
  }
}
