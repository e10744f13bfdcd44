import type { SecretPolicy } from '../api/stagingenvironment';
import { rewriteDnsReferences, type NamespaceRewrite } from './namespace-references';
import { isRecord, type KubeObject } from './objects';
import { generateSecretData, type RandomBytes } from './secret-values';

// The secrets policy decides which Secrets exist in an environment.
// Omit: none. Generate: the baseline's names and keys with fresh values.
// CopyListed: only the named Secrets, as they are (with Service addresses
// pointing at the environment, so a copied DATABASE_URL does not reach
// production's database). A production value never leaves an unlisted Secret.

export const SECRET_POLICY_ANNOTATION = 'understudy.dev/secret-policy';

/** Types whose values have a format random bytes cannot satisfy; Generate leaves them out. */
const UNGENERATABLE_TYPES = new Set([
  'kubernetes.io/tls',
  'kubernetes.io/dockerconfigjson',
  'kubernetes.io/dockercfg',
  'kubernetes.io/ssh-auth',
  'kubernetes.io/service-account-token',
  'bootstrap.kubernetes.io/token',
]);

export interface SecretsPolicyInput {
  secrets: readonly KubeObject[];
  policy: SecretPolicy;
  names?: readonly string[];
  rewrite?: NamespaceRewrite;
  /** Data (base64) of the generated Secrets now in the target namespace, by name, so values stay stable. */
  current?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  random: RandomBytes;
}

export interface SecretsPolicyResult {
  objects: KubeObject[];
  warnings: string[];
}

export function applySecretsPolicy(input: SecretsPolicyInput): SecretsPolicyResult {
  switch (input.policy) {
    case 'Omit':
      return { objects: [], warnings: [] };
    case 'Generate':
      return generateSecrets(input);
    case 'CopyListed':
      return copyListedSecrets(input);
  }
}

function generateSecrets(input: SecretsPolicyInput): SecretsPolicyResult {
  const objects: KubeObject[] = [];
  const warnings: string[] = [];
  for (const secret of input.secrets) {
    const type = typeof secret.type === 'string' ? secret.type : 'Opaque';
    if (UNGENERATABLE_TYPES.has(type)) {
      warnings.push(
        `Secret ${secret.metadata.name} (${type}) cannot be generated from random values and is omitted; list it under CopyListed or provide it otherwise`,
      );
      continue;
    }
    const originals = decodeSecretData(secret);
    const current = decodeBase64Map(input.current?.[secret.metadata.name] ?? {});
    const generated = generateSecretData(originals, current, input.random);
    const data = mapValues(generated, (value) =>
      Buffer.from(input.rewrite ? rewriteDnsReferences(value, input.rewrite) : value, 'utf8').toString('base64'),
    );
    objects.push(secretObject(secret, type, data, 'Generate'));
  }
  return { objects, warnings };
}

function copyListedSecrets(input: SecretsPolicyInput): SecretsPolicyResult {
  const listed = new Set(input.names ?? []);
  const objects: KubeObject[] = [];
  for (const secret of input.secrets) {
    if (!listed.has(secret.metadata.name)) continue;
    const type = typeof secret.type === 'string' ? secret.type : 'Opaque';
    const data = mapValues(decodeSecretBytes(secret), (bytes) => encodeRewritten(bytes, input.rewrite));
    objects.push(secretObject(secret, type, data, 'CopyListed'));
  }
  const found = new Set(input.secrets.map((s) => s.metadata.name));
  const warnings = [...listed]
    .filter((name) => !found.has(name))
    .map((name) => `spec.secrets.names lists ${name}, which is not a Secret of the baseline`);
  return { objects, warnings };
}

function encodeRewritten(bytes: Buffer, rewrite: NamespaceRewrite | undefined): string {
  const text = bytes.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(bytes);
  return isText && rewrite
    ? Buffer.from(rewriteDnsReferences(text, rewrite), 'utf8').toString('base64')
    : bytes.toString('base64');
}

function secretObject(
  source: KubeObject,
  type: string,
  data: Record<string, string>,
  policy: SecretPolicy,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: source.metadata.name,
      ...(source.metadata.namespace ? { namespace: source.metadata.namespace } : {}),
      ...(source.metadata.labels ? { labels: { ...source.metadata.labels } } : {}),
      annotations: { [SECRET_POLICY_ANNOTATION]: policy },
    },
    type,
    data,
  };
}

/** A Secret's values as bytes: `data` (base64) overlaid with `stringData`, as the API server merges them. */
export function decodeSecretBytes(secret: KubeObject): Map<string, Buffer> {
  const values = new Map<string, Buffer>();
  if (isRecord(secret.data))
    for (const [key, value] of Object.entries(secret.data)) values.set(key, Buffer.from(String(value), 'base64'));
  if (isRecord(secret.stringData))
    for (const [key, value] of Object.entries(secret.stringData)) values.set(key, Buffer.from(String(value), 'utf8'));
  return values;
}

export function decodeSecretData(secret: KubeObject): Map<string, string> {
  return new Map([...decodeSecretBytes(secret)].map(([key, bytes]) => [key, bytes.toString('utf8')]));
}

function decodeBase64Map(data: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

function mapValues<T>(map: Map<string, T>, f: (value: T) => string): Record<string, string> {
  return Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => [key, f(value)]));
}
