import fc from 'fast-check';
import { parse } from 'pg-connection-string';
import { TenantUrlError, checkTenantPostgresUrl } from './tenant-postgres-url';

// As an attacker who writes the Secret: nothing in the URL may make the
// operator read its own files or connect to its own sockets. What node-postgres
// itself makes of an accepted URL is the judge.

const FIELD = 'spec.target.urlSecretRef';
const check = (url: string) => checkTenantPostgresUrl(url, FIELD);

it.each([
  'postgresql://preview:s3cr%2Ft@db.preview.svc:5432/shop',
  'postgres://u@10.0.0.7/shop?sslmode=require',
  'postgresql://u@db/shop?sslmode=verify-full&application_name=seed&connect_timeout=10',
])('accepts %s', (url) => {
  expect(check(url)).toBe(url);
});

it.each([
  ['postgresql://u@db/shop?sslrootcert=/var/run/secrets/kubernetes.io/serviceaccount/token', 'parameter sslrootcert'],
  ['postgresql://u@db/shop?sslcert=/etc/passwd&sslmode=require', 'parameter sslcert'],
  ['postgresql://u@db/shop?sslkey=/tls/tls.key', "the operator's files are not the tenant's"],
  ['postgresql://u@db/shop?host=/var/run/postgresql', 'parameter host'],
  ['postgresql://u@%2Fvar%2Frun%2Fpostgresql/shop', 'socket path'],
  ['postgresql://u@db/shop?options=-c%20search_path%3Devil', 'parameter options'],
  ['postgresql://u@db/shop?sslmode=allow-everything', 'sslmode has a value that is not allowed'],
  ['mysql://u@db/shop', 'must be a postgresql:// URL'],
  ['not a url', 'not a URL'],
])('refuses %s, naming the field', (url, why) => {
  expect(() => check(url)).toThrow(TenantUrlError);
  expect(() => check(url)).toThrow(`${FIELD}: `);
  expect(() => check(url)).toThrow(why);
});

it('never lets an accepted URL name a file or a socket, as node-postgres reads it (property)', () => {
  const key = fc.constantFrom(
    'sslmode',
    'ssl',
    'sslrootcert',
    'sslcert',
    'sslkey',
    'host',
    'application_name',
    'options',
  );
  const value = fc.constantFrom('require', 'true', '/etc/passwd', '/tmp', 'x');
  const host = fc.constantFrom('db', '10.0.0.1', '%2Ftmp', 'db.svc', '%2F');
  fc.assert(
    fc.property(host, fc.array(fc.tuple(key, value), { maxLength: 3 }), (h, params) => {
      const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      const url = `postgresql://u:p@${h}/shop${query ? `?${query}` : ''}`;
      let accepted: string;
      try {
        accepted = check(url);
      } catch (err) {
        expect(err).toBeInstanceOf(TenantUrlError);
        return;
      }
      const config = parse(accepted) as Record<string, unknown>;
      for (const file of ['sslcert', 'sslkey', 'sslrootcert']) expect(config[file]).toBeUndefined();
      expect(String(config.host)).not.toContain('/');
    }),
    { numRuns: 500 },
  );
});
