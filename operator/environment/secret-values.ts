// Fresh values for a generated Secret. Each key gets 128 random bits as hex
// behind a letter (safe in URLs, shells, connection strings, and as a
// database user name, which may not start with a digit). A connection URL keeps its
// shape: where its user or password equals another key's production value
// (DATABASE_URL embedding POSTGRES_PASSWORD), it takes that key's generated
// value, so the database and its clients agree; a user alone (a token) is
// replaced, a user beside a password is kept as an account name. Query
// parameters that carry a credential (`?api_key=…`, `&sslpassword=…`, a token
// format, the value of a key named like a secret) are generated too; the others
// (`sslmode=require`, `authSource=admin`) are settings and stay. Values already
// generated for this environment are kept, unless they equal a production value.

import { findCredentials, isNamedSecretValue, isSecretName } from './credential-patterns';

export type RandomBytes = (size: number) => Uint8Array;

const RANDOM_BYTES = 16;

export function generateSecretData(
  originals: ReadonlyMap<string, string>,
  current: ReadonlyMap<string, string>,
  random: RandomBytes,
): Map<string, string> {
  const productionValues = new Set(originals.values());
  const fresh = (previous: string | undefined): string =>
    previous !== undefined && previous !== '' && !productionValues.has(previous)
      ? previous
      : `s${Buffer.from(random(RANDOM_BYTES)).toString('hex')}`;
  const generated = new Map<string, string>();
  const urls = new Map<string, URL>();
  for (const [key, value] of originals) {
    const url = credentialUrl(value);
    if (url) urls.set(key, url);
    else generated.set(key, fresh(current.get(key)));
  }
  const byProductionValue = new Map<string, string>();
  for (const [key, value] of originals) {
    const replacement = generated.get(key);
    if (replacement !== undefined && !byProductionValue.has(value)) byProductionValue.set(value, replacement);
  }
  // Production values of keys named like secrets (POSTGRES_PASSWORD), wherever a URL's query repeats them (`?pw=`).
  const secretKeyValues = new Set(
    [...originals].filter(([key, value]) => isSecretName(key) && isNamedSecretValue(value)).map(([, value]) => value),
  );
  for (const [key, url] of urls) {
    const previous = credentialUrl(current.get(key) ?? '');
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    // A user next to a password is an account name; a user alone is a token (https://TOKEN@host) and is secret.
    const newUser =
      byProductionValue.get(user) ??
      (password !== '' ? user : fresh(previous ? decodeURIComponent(previous.username) : undefined));
    const newPassword =
      byProductionValue.get(password) ?? fresh(previous ? decodeURIComponent(previous.password) : undefined);
    url.username = encodeURIComponent(newUser);
    if (password !== '') url.password = encodeURIComponent(newPassword);
    replaceSecretParameters(
      url,
      previous,
      (name, value) => isSecretParameter(name, value) || secretKeyValues.has(value),
      (value, before) => byProductionValue.get(value) ?? fresh(before === value ? undefined : before),
    );
    generated.set(key, url.toString());
  }
  return new Map([...originals.keys()].map((key) => [key, generated.get(key) ?? '']));
}

/** A URL that carries credentials, such as postgres://user:password@host/db. */
function credentialUrl(value: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*@/i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.username !== '' || url.password !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a query parameter holds a credential rather than a setting. */
function isSecretParameter(name: string, value: string): boolean {
  return (isSecretName(name) && isNamedSecretValue(value)) || findCredentials(value).length > 0;
}

/**
 * Replaces the credentials among the URL's query parameters (`isSecret`) with
 * `replacement(production value, value generated before)`; the query is
 * re-encoded only when one was replaced.
 */
function replaceSecretParameters(
  url: URL,
  previous: URL | undefined,
  isSecret: (name: string, value: string) => boolean,
  replacement: (value: string, before: string | undefined) => string,
): void {
  const params = [...url.searchParams];
  if (!params.some(([name, value]) => isSecret(name, value))) return;
  const before = [...(previous?.searchParams ?? [])];
  url.search = new URLSearchParams(
    params.map(([name, value], i): [string, string] => {
      if (!isSecret(name, value)) return [name, value];
      // The same parameter at the same place in the URL generated before, for stable values.
      const earlier = before[i]?.[0] === name ? before[i]?.[1] : undefined;
      return [name, replacement(value, earlier)];
    }),
  ).toString();
}
