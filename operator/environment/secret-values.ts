// Fresh values for a generated Secret. Each key gets 128 random bits as hex
// behind a letter (safe in URLs, shells, connection strings, and as a
// database user name, which may not start with a digit). A connection URL keeps its
// shape: where its user or password equals another key's production value
// (DATABASE_URL embedding POSTGRES_PASSWORD), it takes that key's generated
// value, so the database and its clients agree; a user alone (a token) is
// replaced, a user beside a password is kept as an account name. Values already generated
// for this environment are kept, unless they equal a production value.

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
