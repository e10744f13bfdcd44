import { createHmac, randomBytes } from 'node:crypto';
import type { KubeObject } from './normalize';

/**
 * Secret values are replaced by an HMAC under a key made for one run as
 * soon as they are read, so no later step (comparison, finding, log,
 * status) ever holds a value in clear, and hashes mean nothing outside
 * the run that made them.
 */
export function newCheckKey(): Buffer {
  return randomBytes(32);
}

export const REDACTED = '<redacted>';
const PREFIX = 'hmac:';

export function keyedHash(key: Buffer, value: string | Buffer): string {
  return PREFIX + createHmac('sha256', key).update(value).digest('hex');
}

export function isKeyedHash(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/** A copy of a Secret whose data holds keyed hashes of the decoded values. */
export function redactSecret(secret: KubeObject, key: Buffer): KubeObject {
  const data = (secret.data ?? {}) as Record<string, string>;
  const stringData = (secret.stringData ?? {}) as Record<string, string>;
  const hashed: Record<string, string> = {};
  for (const [name, base64] of Object.entries(data)) hashed[name] = keyedHash(key, Buffer.from(base64, 'base64'));
  for (const [name, text] of Object.entries(stringData)) hashed[name] = keyedHash(key, Buffer.from(text, 'utf8'));
  const { data: _data, stringData: _stringData, ...rest } = secret;
  const metadata = { ...rest.metadata };
  // kubectl keeps the whole object, values included, in this annotation.
  if (metadata.annotations) {
    const { ['kubectl.kubernetes.io/last-applied-configuration']: _lastApplied, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  return { ...rest, metadata, data: hashed };
}
