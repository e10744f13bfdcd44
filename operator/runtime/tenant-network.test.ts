import fc from 'fast-check';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { Client } from 'pg';
import { TenantNetwork, TenantNetworkRefusal } from './tenant-network';

describe('TenantNetwork', () => {
  describe('with no networks listed', () => {
    const network = new TenantNetwork([], ['10.244.1.7']);

    it.each([
      ['127.0.0.1', 'loopback'],
      ['127.200.3.4', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['169.254.169.254', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['fe80::1', 'link-local'],
      ['0.0.0.0', 'this host'],
      ['::', 'this host'],
      ['224.0.0.1', 'multicast'],
      ['::127.0.0.1', 'IPv4-compatible'],
      ['10.244.1.7', "the operator's own pod"],
    ])('refuses %s (%s)', (address, why) => {
      expect(network.refusal(address)).toContain(why);
    });

    it.each(['10.0.0.5', '192.168.1.20', '172.16.0.1', '8.8.8.8', '2001:db8::1', 'fd12:3456::1', '10.244.1.8'])(
      'allows %s',
      (address) => {
        expect(network.refusal(address)).toBeUndefined();
      },
    );

    it('refuses every loopback address, written as IPv4 or as IPv4-mapped IPv6', () => {
      fc.assert(
        fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)), ([b, c, d]) => {
          expect(network.refusal(`127.${b}.${c}.${d}`)).toBeDefined();
          expect(network.refusal(`::ffff:127.${b}.${c}.${d}`)).toBeDefined();
        }),
      );
    });
  });

  describe('with networks listed', () => {
    it('allows only those, loopback included only when listed', () => {
      const network = new TenantNetwork(['10.0.0.0/8', 'fd00::/8', '192.168.5.5']);
      expect(network.refusal('10.9.8.7')).toBeUndefined();
      expect(network.refusal('fd12::1')).toBeUndefined();
      expect(network.refusal('192.168.5.5')).toBeUndefined();
      expect(network.refusal('192.168.5.6')).toMatch(/not in the networks an admin allows/);
      expect(network.refusal('127.0.0.1')).toMatch(/not in the networks an admin allows/);
      expect(new TenantNetwork(['127.0.0.0/8']).refusal('127.0.0.1')).toBeUndefined();
    });

    it.each(['10.0.0.0/33', 'db.example.com', '10.0.0.0/8/1', '10.0.0.0/x', '::1/129', ''])(
      'refuses %j, naming the flag',
      (cidr) => {
        expect(() => new TenantNetwork([cidr])).toThrow(/^--tenant-database-networks: /);
      },
    );
  });

  describe('as the socket node-postgres connects with', () => {
    let server: Server;
    let port: number;
    let accepted = 0;

    beforeAll(async () => {
      // Not PostgreSQL: only whether a connection arrives matters, and it is closed at once.
      server = createServer((socket) => {
        accepted++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const connect = async (network: TenantNetwork, host: string): Promise<unknown> => {
      const client = new Client({
        connectionString: `postgresql://tenant:pw@${host}:${port}/app`,
        stream: network.pgStream('spec.target.connectionSecretRef'),
        connectionTimeoutMillis: 5_000,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return undefined;
      } catch (err) {
        return err;
      } finally {
        await client.end().catch(() => undefined);
      }
    };

    // 127.1 and 2130706433 are 127.0.0.1 to the resolver (inet_aton): caught at the lookup, not by their spelling.
    it.each(['localhost', '127.0.0.1', '127.0.0.2', '127.1', '2130706433'])(
      'refuses %s before any connection is made, naming the field',
      async (host) => {
        const before = accepted;
        const err = await connect(new TenantNetwork(), host);
        expect(err).toBeInstanceOf(TenantNetworkRefusal);
        expect((err as Error).message).toMatch(
          /^spec\.target\.connectionSecretRef: host .*(127\.0\.0\.[12]|::1).* loopback: the operator's own pod.*--tenant-database-networks$/,
        );
        expect(accepted).toBe(before);
      },
    );

    it("refuses a Unix socket, which would be one of the operator's own", async () => {
      const client = new Client({
        host: '/var/run/postgresql',
        database: 'app',
        stream: new TenantNetwork(['0.0.0.0/0']).pgStream('spec.target'),
      });
      client.on('error', () => undefined);
      await expect(client.connect()).rejects.toThrow(/^spec\.target: a socket path would be the operator's own$/);
      await client.end().catch(() => undefined);
    });

    it('connects where an admin allows it, by name or address', async () => {
      const before = accepted;
      const allowed = new TenantNetwork(['127.0.0.0/8', '::1']);
      for (const host of ['localhost', '127.0.0.1']) {
        const err = await connect(allowed, host);
        expect(err).not.toBeInstanceOf(TenantNetworkRefusal);
      }
      expect(accepted).toBe(before + 2);
    });
  });
});
