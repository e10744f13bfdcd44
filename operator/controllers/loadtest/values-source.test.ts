import type { ReconcileContext } from '../../runtime/reconciler';
import { TenantNetwork } from '../../runtime/tenant-network';
import { valuesFrom } from './values-source';

// The database URL of spec.valuesFrom comes from a tenant's Secret and the
// operator connects with it: parameters that name the operator's own files, or
// a host that is a socket path inside its container, are refused before any
// connection (the same check as DataSeed's and ParityCheck's).

const secretWith = (url: string): Pick<ReconcileContext, 'client'> =>
  ({
    client: {
      get: async () => ({ data: { url: Buffer.from(url).toString('base64') } }),
    },
  }) as unknown as Pick<ReconcileContext, 'client'>;

const spec = {
  valuesFrom: [{ name: 'ids', query: 'select 1', connectionSecretRef: { name: 'db', key: 'url' } }],
};

describe('valuesFrom connection URLs', () => {
  it.each([
    [
      'postgresql://u:p@db:5432/shop?sslkey=/var/run/secrets/kubernetes.io/serviceaccount/token',
      /parameter sslkey is not allowed/,
    ],
    ['postgresql://u@%2Fvar%2Frun%2Fpostgresql/shop', /a socket path would be the operator's/],
    ['mysql://u@db/shop', /must be a postgresql:\/\/ URL/],
    // The operator's own pod and node: refused at the connection's DNS lookup, before any packet leaves.
    ['postgresql://u:p@localhost:5432/shop', /host localhost resolves to .*loopback: the operator's own pod/],
    ['postgresql://u:p@169.254.169.254/shop', /host 169\.254\.169\.254 is link-local: the node's metadata service/],
  ])('refuses %s, naming the field, before connecting', async (url, message) => {
    const result = await valuesFrom(secretWith(url), spec, 'team', new TenantNetwork());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.reason).toBe('ValuesUnavailable');
    expect(result.problem.message).toMatch(/^spec\.valuesFrom\[0\]\.connectionSecretRef: /);
    expect(result.problem.message).toMatch(message);
  });
});
