import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, type LookupFunction, Socket, isIP } from 'node:net';

// The operator connects to a tenant's database (an Inline seed's target, a
// ParityCheck's staging side, a LoadTest's valuesFrom) from its own network
// position, not the tenant's. Left open, a tenant's URL could name what only
// the operator's pod can reach: its own loopback (a Cloud SQL Auth Proxy
// sidecar that signs in to production as the operator), the node's metadata
// service (169.254.169.254), the operator's own ports. The check runs inside
// the connection's own DNS lookup, so the address checked is the address
// connected to: a name that resolves elsewhere a second later gains nothing.

/** Addresses of the operator's own pod and node, refused unless an admin lists them. */
const OPERATOR_OWN: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'this host'],
  ['127.0.0.0', 8, 'ipv4', "loopback: the operator's own pod"],
  ['169.254.0.0', 16, 'ipv4', "link-local: the node's metadata service"],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'this host'],
  ['::1', 128, 'ipv6', "loopback: the operator's own pod"],
  // IPv4-compatible IPv6 (::127.0.0.1), deprecated: never a tenant's database.
  ['::', 96, 'ipv6', 'an IPv4-compatible address'],
  ['fe80::', 10, 'ipv6', "link-local: the node's metadata service"],
  ['fd00:ec2::254', 128, 'ipv6', "the node's metadata service"],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

export const TENANT_NETWORKS_FLAG = '--tenant-database-networks';

export class TenantNetworkRefusal extends Error {
  readonly code = 'UNDERSTUDY_TENANT_NETWORK';
  constructor(message: string) {
    super(message);
    this.name = 'TenantNetworkRefusal';
  }
}

const familyOf = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a /32 or /128); throws naming the flag. */
function parseNetwork(cidr: string): [string, number, 'ipv4' | 'ipv6'] {
  const [address = '', prefixText, ...rest] = cidr.trim().split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0)
    throw new Error(
      `${TENANT_NETWORKS_FLAG}: ${JSON.stringify(cidr)} is not an address or CIDR (10.0.0.0/8, fd00::/8)`,
    );
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^[0-9]{1,3}$/.test(prefixText ?? String(max)) || prefix > max)
    throw new Error(`${TENANT_NETWORKS_FLAG}: ${JSON.stringify(cidr)} has a prefix length outside 0-${max}`);
  return [address, prefix, family === 4 ? 'ipv4' : 'ipv6'];
}

/**
 * Where the operator may connect for a tenant. With no networks listed, anywhere but the operator's own pod and
 * node (loopback, link-local and metadata addresses, and the pod's own address); with networks listed, only there.
 */
export class TenantNetwork {
  private readonly allowed: BlockList | undefined;
  private readonly ownReasons: Array<[BlockList, string]> = [];

  constructor(
    readonly networks: readonly string[] = [],
    ownAddresses: readonly string[] = [],
  ) {
    if (networks.length > 0) {
      const allowed = new BlockList();
      for (const cidr of networks) allowed.addSubnet(...parseNetwork(cidr));
      this.allowed = allowed;
    }
    for (const [address, prefix, family, reason] of OPERATOR_OWN) {
      const one = new BlockList();
      one.addSubnet(address, prefix, family);
      this.ownReasons.push([one, reason]);
    }
    for (const address of ownAddresses.filter((a) => isIP(a) !== 0)) {
      const one = new BlockList();
      one.addAddress(address, familyOf(address));
      this.ownReasons.push([one, "the operator's own pod"]);
    }
  }

  /** Why the operator will not connect to `address` for a tenant, or undefined when it may. */
  refusal(address: string): string | undefined {
    const family = familyOf(address);
    if (this.allowed)
      return this.allowed.check(address, family)
        ? undefined
        : `not in the networks an admin allows for tenants (${this.networks.join(', ')})`;
    const own = this.ownReasons.find(([list]) => list.check(address, family));
    return own ? `${own[1]}, which tenants may not reach through the operator` : undefined;
  }

  /** node-postgres's `stream` option: a socket that connects only to addresses this network allows. */
  pgStream(field: string): () => Socket {
    return () => new GuardedSocket(this, field);
  }

  /** A refusal for `host` resolving to `address`, naming the field that set it and how an admin changes it. */
  refuse(field: string, host: string, address: string, why: string): TenantNetworkRefusal {
    const resolved = host === address ? `host ${address}` : `host ${host} resolves to ${address}, and that`;
    return new TenantNetworkRefusal(
      `${field}: ${resolved} is ${why}; an admin allows networks with the operator's ${TENANT_NETWORKS_FLAG}`,
    );
  }
}

/**
 * A socket whose DNS lookup refuses what the network does not allow. node-postgres calls `connect(port, host)`;
 * an address given literally is never looked up, so it is checked here.
 */
class GuardedSocket extends Socket {
  constructor(
    private readonly network: TenantNetwork,
    private readonly field: string,
  ) {
    super();
  }

  // Overrides every overload of net.Socket#connect; node-postgres uses only (port, host).
  override connect(...args: unknown[]): this {
    const [port, host] = args as [unknown, unknown];
    // node-postgres connects to a Unix socket with connect(path): the operator's own files, never a tenant's.
    if (typeof port !== 'number' || typeof host !== 'string') {
      const refused = new TenantNetworkRefusal(`${this.field}: a socket path would be the operator's own`);
      process.nextTick(() => this.destroy(refused));
      return this;
    }
    if (isIP(host) !== 0) {
      const why = this.network.refusal(host);
      if (why) {
        const refused = this.network.refuse(this.field, host, host, why);
        process.nextTick(() => this.destroy(refused));
        return this;
      }
      return super.connect({ port, host });
    }
    return super.connect({ port, host, lookup: this.lookup(host) });
  }

  private lookup(host: string): LookupFunction {
    return (hostname: string, options: LookupOptions, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, '', 0);
        // Every address, not just the first: with autoSelectFamily Node tries them all.
        for (const { address } of addresses) {
          const why = this.network.refusal(address);
          if (why) return callback(this.network.refuse(this.field, host, address, why), '', 0);
        }
        if (options.all) return callback(null, addresses);
        const first = addresses[0];
        if (!first)
          return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        return callback(null, first.address, first.family);
      });
    };
  }
}
