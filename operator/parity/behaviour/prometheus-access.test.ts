import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { PrometheusSourceSchema } from '../../api/baseline';
import { selfSignedCertificate } from '../../runtime/self-signed-cert';
import { PrometheusClient, PrometheusUnreachableError } from './prometheus';

// Prometheus behind TLS with a private CA, a bearer token and a tenant
// header (Mimir, Cortex, Thanos): what a Baseline's spec.data.prometheus says.
describe('Prometheus access', () => {
  const tls = selfSignedCertificate(['127.0.0.1']);
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer(tls, (req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: { service: 'checkout' }, values: [[1, '0.5']] }] },
      }),
    );
  });
  let url = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('trusts the given CA and sends the bearer token and X-Scope-OrgID', async () => {
    const client = new PrometheusClient(url, 5000, { ca: tls.cert, bearerToken: 's3cret', tenant: 'team-a|team-b' });
    expect(await client.queryRange('up', 0, 10, 1)).toEqual([{ labels: { service: 'checkout' }, values: [0.5] }]);
    expect(seen.at(-1)).toMatchObject({ authorization: 'Bearer s3cret', 'x-scope-orgid': 'team-a|team-b' });
    expect(client.description).toBe(`Prometheus at ${url} (tenant team-a|team-b)`);
  });

  it('refuses a server its CA does not vouch for, without the CA or with another', async () => {
    await expect(new PrometheusClient(url, 5000).queryRange('up', 0, 10, 1)).rejects.toThrow(
      PrometheusUnreachableError,
    );
    const other = selfSignedCertificate(['127.0.0.1']).cert;
    await expect(new PrometheusClient(url, 5000, { ca: other }).queryRange('up', 0, 10, 1)).rejects.toThrow(
      /cannot reach/,
    );
  });

  it('accepts tenant IDs and refuses anything that could break out of the header', () => {
    const base = { url: 'https://prometheus.example.com' };
    expect(PrometheusSourceSchema.parse({ ...base, tenant: 'team-a|team-b' }).tenant).toBe('team-a|team-b');
    for (const bad of ['a\r\nX-Evil: 1', 'a b', '', 'x'.repeat(257)]) {
      const parsed = PrometheusSourceSchema.safeParse({ ...base, tenant: bad });
      expect(parsed.success).toBe(false);
    }
    expect(
      PrometheusSourceSchema.safeParse({
        ...base,
        caConfigMapRef: { namespace: 'monitoring', name: 'prom-ca', key: 'ca.crt' },
      }).success,
    ).toBe(true);
  });
});
