import { parseBindAddress, serve } from './http-server';

describe('bind addresses', () => {
  it('parses host:port, bare :port, IPv6 and the disabled value', () => {
    expect(parseBindAddress('127.0.0.1:8080', 'x')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseBindAddress(':9090', 'x')).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(parseBindAddress('[::1]:0', 'x')).toEqual({ host: '::1', port: 0 });
    expect(parseBindAddress('0', 'x')).toBeUndefined();
  });

  it('names the field in the error', () => {
    expect(() => parseBindAddress('localhost', '--metrics-bind-address')).toThrow(
      /--metrics-bind-address must look like/,
    );
    expect(() => parseBindAddress('1.2.3.4:99999', '--health-probe-bind-address')).toThrow(
      /--health-probe-bind-address/,
    );
  });

  it('serves routes on a free loopback port and 404s the rest', async () => {
    const server = await serve({ host: '127.0.0.1', port: 0 }, { '/healthz': (_req, res) => void res.end('ok') });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok');
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
