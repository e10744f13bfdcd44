import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { request } from 'node:https';
import { selfSignedCertificate } from './self-signed-cert';

describe('self-signed serving certificate', () => {
  const { cert, key } = selfSignedCertificate([
    'localhost',
    '127.0.0.1',
    '::1',
    'understudy-metrics.understudy-system.svc',
  ]);
  const x509 = new X509Certificate(cert);

  it('names every host, is no CA, is for server auth, and verifies with its own key', () => {
    expect(x509.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:understudy-metrics.understudy-system.svc',
    );
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('understudy-metrics.understudy-system.svc')).toBe('understudy-metrics.understudy-system.svc');
    expect(x509.checkHost('example.com')).toBeUndefined();
    expect(x509.ca).toBe(false);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
  });

  it('is valid now for a year, and uses GeneralizedTime after 2049', () => {
    const now = Date.now();
    expect(Date.parse(x509.validFrom)).toBeLessThan(now);
    expect(Date.parse(x509.validTo)).toBeGreaterThan(now + 364 * 86400_000);
    const late = new X509Certificate(
      selfSignedCertificate(['localhost'], { now: new Date('2055-06-01T00:00:00Z') }).cert,
    );
    expect(new Date(late.validTo).getUTCFullYear()).toBe(2056);
  });

  it('serves TLS that a client trusting it verifies for 127.0.0.1', async () => {
    const server = createServer({ cert, key }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/', ca: cert }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(body).toBe('ok');
    } finally {
      server.close();
    }
  });

  it('refuses to make a certificate for no host', () => {
    expect(() => selfSignedCertificate([])).toThrow(/at least one host/);
  });
});
