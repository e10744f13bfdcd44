import { X509Certificate, createPrivateKey } from 'node:crypto';
import fc from 'fast-check';
import { createSecureContext } from 'node:tls';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { request } from 'node:https';
import { integer, selfSignedCertificate } from './self-signed-cert';

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

  // A random serial starts with a zero byte 1 time in 128; written unshortened,
  // OpenSSL refused the certificate ("illegal padding") and the operator did not start.
  it('loads in OpenSSL whatever the serial, including ones with leading zero bytes', () => {
    const loads = (serial: Uint8Array): void => {
      const made = selfSignedCertificate(['localhost'], { serial: Buffer.from(serial) });
      expect(() => createSecureContext({ cert: made.cert, key: made.key })).not.toThrow();
      const positive = Buffer.from(serial);
      positive[0]! &= 0x7f;
      const expected = BigInt(`0x${positive.toString('hex')}`);
      expect(BigInt(`0x${new X509Certificate(made.cert).serialNumber}`)).toBe(expected);
    };
    loads(Uint8Array.from([0x00, 0x10, ...Array<number>(14).fill(0xab)]));
    loads(Uint8Array.from([0x80, 0x00, 0x00, 0x7f, ...Array<number>(12).fill(1)]));
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => (b[0]! < 0x40 ? b.fill(0, 0, b[1]! % 4) : b)),
        (serial) => loads(serial),
      ),
      { numRuns: 150 },
    );
  });

  it('writes DER integers in their shortest form', () => {
    expect(integer(Buffer.from([0, 0, 0x10]))).toEqual(Buffer.from([2, 1, 0x10]));
    expect(integer(Buffer.from([0, 0x80]))).toEqual(Buffer.from([2, 2, 0, 0x80]));
    expect(integer(Buffer.from([0, 0]))).toEqual(Buffer.from([2, 1, 0]));
    expect(integer(Buffer.from([0x7f, 0]))).toEqual(Buffer.from([2, 2, 0x7f, 0]));
  });

  it('refuses to make a certificate for no host', () => {
    expect(() => selfSignedCertificate([])).toThrow(/at least one host/);
  });
});
