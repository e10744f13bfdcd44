// A database URL from a tenant's Secret is hostile input that the operator
// connects with. node-postgres reads some of its parameters as paths on the
// operator's own filesystem (sslcert, sslkey and sslrootcert are read with
// readFileSync and used in the TLS handshake), and a host that is a path is a
// Unix socket inside the operator's container. Only what a connection to a
// server needs is allowed: a host name or address, a port, a database, a
// role, its password, and the TLS mode; anything else is refused, naming it.

const ALLOWED_PARAMETERS = new Map<string, (value: string) => boolean>([
  ['sslmode', (v) => ['disable', 'prefer', 'require', 'no-verify', 'verify-ca', 'verify-full'].includes(v)],
  ['ssl', (v) => ['true', 'false', '0', '1'].includes(v)],
  ['application_name', (v) => v.length <= 64],
  ['connect_timeout', (v) => /^[0-9]{1,4}$/.test(v)],
]);

export class TenantUrlError extends Error {
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'TenantUrlError';
  }
}

/** Returns the URL unchanged when a tenant may have the operator connect with it; throws TenantUrlError otherwise. */
export function checkTenantPostgresUrl(url: string, field: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TenantUrlError(field, 'not a URL (postgresql://role:password@host:port/database)');
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:')
    throw new TenantUrlError(field, `must be a postgresql:// URL, not ${parsed.protocol}//`);
  const host = decodeURIComponent(parsed.hostname);
  if (host === '' || host.includes('/'))
    throw new TenantUrlError(
      field,
      "must name a server by host name or address; a socket path would be the operator's",
    );
  for (const [name, value] of parsed.searchParams) {
    const allowed = ALLOWED_PARAMETERS.get(name);
    if (!allowed)
      throw new TenantUrlError(
        field,
        `parameter ${name} is not allowed (allowed: ${[...ALLOWED_PARAMETERS.keys()].join(', ')})${
          name.startsWith('ssl') ? ": it names a file, and the operator's files are not the tenant's" : ''
        }`,
      );
    if (!allowed(value)) throw new TenantUrlError(field, `parameter ${name} has a value that is not allowed: ${value}`);
  }
  return url;
}
