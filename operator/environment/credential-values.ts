import { randomBytes } from 'node:crypto';
import {
  findCredentialsInFile,
  hasAwsKeyId,
  isNamedSecretValue,
  isSecretName,
  type Finding,
  type FindingKind,
} from './credential-patterns';
import { clone, is, isRecord, type KubeObject } from './objects';
import type { RandomBytes } from './secret-values';
import { podSpecOf } from './workloads';

// Production credentials are not only in Secrets: ConfigMaps and plain env
// values carry REDIS_URL=redis://:pw@..., STRIPE_API_KEY=sk_live_..., and
// files with `password=`. They follow the secrets policy like Secrets do:
// Omit replaces them with a fixed placeholder, Generate with fresh values of
// the same shape, CopyListed keeps only the objects it lists. What was
// replaced is reported by place (`ConfigMap/shop-config:REDIS_URL`), never by
// value, so status and logs never repeat a production secret.
//
// Env entries with valueFrom are not touched: they follow the Secrets policy
// where the Secret is decided. Detection is in credential-patterns.ts.

export type CredentialPolicy = 'Omit' | 'Generate' | 'CopyListed';

/** What Omit puts where a credential was. */
export const REDACTED = 'REDACTED';

export interface RedactOptions {
  /** Names of objects CopyListed copies as they are. */
  keep?: ReadonlySet<string>;
  /** Source of randomness for Generate; give one for deterministic output. */
  random?: RandomBytes;
}

export interface RedactResult {
  /** Same order as the input; objects without credentials are returned as they came, the others as new copies. */
  objects: KubeObject[];
  /** Places replaced: `Kind/name:key` for ConfigMap keys, `Kind/name:container/ENV` for env values. */
  redacted: string[];
}

export function redactCredentialValues(
  objects: readonly KubeObject[],
  policy: CredentialPolicy,
  opts: RedactOptions = {},
): RedactResult {
  const replacer = new Replacer(policy === 'Generate', opts.random ?? ((size) => randomBytes(size)));
  const redacted: string[] = [];
  const result = objects.map((object) => {
    if (policy === 'CopyListed' && opts.keep?.has(object.metadata.name)) return object;
    if (is(object, 'ConfigMap', '')) return redactConfigMap(object, replacer, redacted);
    if (podSpecOf(object)) return redactWorkload(object, replacer, redacted);
    return object;
  });
  return { objects: result, redacted: [...new Set(redacted)] };
}

const FILE_KEY =
  /\.(?:json|ya?ml|properties|env|conf|cfg|ini|toml|xml|txt|sh|js|py|rb|php|pem|key|config|tf|tfvars|hcl|lua)$/i;

/** Where `value` (stored under `name`) holds credentials. A file's name is not a variable name, so only its contents count. */
export function credentialFindings(name: string, value: string, awsContext: boolean): Finding[] {
  if (!FILE_KEY.test(name) && isSecretName(name))
    return isNamedSecretValue(value) ? [{ start: 0, end: value.length, kind: 'named' }] : [];
  return findCredentialsInFile(value, awsContext);
}

function redactConfigMap(configMap: KubeObject, replacer: Replacer, redacted: string[]): KubeObject {
  const data = isRecord(configMap.data) ? configMap.data : {};
  const binary = new Map<string, string>();
  if (isRecord(configMap.binaryData)) {
    for (const [key, value] of Object.entries(configMap.binaryData)) {
      const text = typeof value === 'string' ? utf8Text(value) : undefined;
      if (text !== undefined) binary.set(key, text);
    }
  }
  const texts = [...Object.values(data).filter((v): v is string => typeof v === 'string'), ...binary.values()];
  const aws = texts.some(hasAwsKeyId);
  let copy: KubeObject | undefined;
  const place = `${configMap.kind}/${configMap.metadata.name}`;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') continue;
    const next = replacer.apply(value, credentialFindings(key, value, aws));
    if (next === value) continue;
    copy ??= clone(configMap);
    (copy.data as Record<string, unknown>)[key] = next;
    redacted.push(`${place}:${key}`);
  }
  for (const [key, text] of binary) {
    const next = replacer.apply(text, credentialFindings(key, text, aws));
    if (next === text) continue;
    copy ??= clone(configMap);
    (copy.binaryData as Record<string, unknown>)[key] = Buffer.from(next, 'utf8').toString('base64');
    redacted.push(`${place}:${key}`);
  }
  return copy ?? configMap;
}

/** Text when the base64 decodes to valid UTF-8 (a file someone stored as binaryData); binary data is left alone. */
function utf8Text(base64: string): string | undefined {
  const bytes = Buffer.from(base64, 'base64');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

interface PlainEnv {
  container: string;
  entry: { name: string; value: string };
}

/** Plain env values of every container, init and ephemeral ones included; anything malformed is skipped, not trusted. */
function plainEnv(object: KubeObject): PlainEnv[] {
  const spec = podSpecOf(object);
  if (!spec) return [];
  const found: PlainEnv[] = [];
  for (const list of [spec.initContainers, spec.containers, spec.ephemeralContainers] as unknown[]) {
    if (!Array.isArray(list)) continue;
    for (const container of list) {
      if (!isRecord(container) || !Array.isArray(container.env)) continue;
      const name = typeof container.name === 'string' ? container.name : '';
      for (const entry of container.env) {
        if (
          !isRecord(entry) ||
          entry.valueFrom !== undefined ||
          typeof entry.name !== 'string' ||
          typeof entry.value !== 'string'
        )
          continue;
        found.push({ container: name, entry: entry as PlainEnv['entry'] });
      }
    }
  }
  return found;
}

function redactWorkload(workload: KubeObject, replacer: Replacer, redacted: string[]): KubeObject {
  const copy = clone(workload);
  const env = plainEnv(copy);
  const aws = env.some(({ entry }) => hasAwsKeyId(entry.value));
  let changed = false;
  for (const { container, entry } of env) {
    const next = replacer.apply(entry.value, credentialFindings(entry.name, entry.value, aws));
    if (next === entry.value) continue;
    entry.value = next;
    changed = true;
    redacted.push(`${workload.kind}/${workload.metadata.name}:${container}/${entry.name}`);
  }
  return changed ? copy : workload;
}

/** Prefixes kept by Generate so a generated value is still recognisably a key of its kind. */
const KEEP_PREFIX =
  /^(?:sk_live_|rk_live_|whsec_|AKIA|ASIA|gh[opsur]_|github_pat_|glpat-|npm_|xox[abpre]-|AIza|SG\.|sk-(?:proj-|ant-[a-z0-9]+-)?)/;
const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const HEX = '0123456789abcdef';

/**
 * Replaces findings. Generate gives one production value one fresh value for the whole call,
 * so DB_PASSWORD and the password inside DATABASE_URL still agree in the copy.
 */
class Replacer {
  private readonly generated = new Map<string, string>();

  constructor(
    private readonly generate: boolean,
    private readonly random: RandomBytes,
  ) {}

  apply(text: string, findings: readonly Finding[]): string {
    if (findings.length === 0) return text;
    let out = '';
    let last = 0;
    for (const finding of findings) {
      out += text.slice(last, finding.start) + this.replacement(text.slice(finding.start, finding.end), finding.kind);
      last = finding.end;
    }
    return out + text.slice(last);
  }

  private replacement(original: string, kind: FindingKind): string {
    // A private key cannot be made from random bytes; a placeholder fails loudly instead of subtly.
    if (!this.generate || kind === 'private-key') return REDACTED;
    const known = this.generated.get(original);
    if (known !== undefined) return known;
    const candidates = [kind === 'url-password' ? this.hex() : this.reshape(original), `s${this.hex()}`, REDACTED];
    const fresh = candidates.find((candidate) => !candidate.includes(original)) ?? REDACTED;
    this.generated.set(original, fresh);
    return fresh;
  }

  private hex(): string {
    return Buffer.from(this.random(16)).toString('hex');
  }

  /** Same length and character classes (hex stays hex), punctuation and the key's prefix kept. */
  private reshape(original: string): string {
    const prefix = KEEP_PREFIX.exec(original)?.[0] ?? '';
    const body = original.slice(prefix.length);
    const bytes = this.random(body.length);
    // Two simple tests rather than one pattern with two stars: hostile values stay linear.
    const hex =
      /^[0-9a-f]+$/.test(body) && /[a-f]/.test(body)
        ? HEX
        : /^[0-9A-F]+$/.test(body) && /[A-F]/.test(body)
          ? HEX.toUpperCase()
          : undefined;
    let out = prefix;
    for (let i = 0; i < body.length; i++) {
      const char = body[i] ?? '';
      const byte = bytes[i] ?? i;
      const alphabet =
        hex ?? (/[0-9]/.test(char) ? DIGITS : /[a-z]/.test(char) ? LOWER : /[A-Z]/.test(char) ? UPPER : undefined);
      out += alphabet ? (alphabet[byte % alphabet.length] ?? char) : char;
    }
    return out;
  }
}
