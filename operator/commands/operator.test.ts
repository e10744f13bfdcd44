import { Command } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOperatorOptions, registerOperatorCommand, runOperator } from './operator';

describe('operator options', () => {
  it('applies controller-runtime style defaults', () => {
    expect(parseOperatorOptions({})).toMatchObject({
      namespace: [],
      // Nothing on a port a developer's machine is likely to use: metrics off, health on loopback 9440.
      metricsBindAddress: '0',
      metricsSecure: true,
      healthProbeBindAddress: '127.0.0.1:9440',
      leaderElect: false,
      leaderElectionId: 'understudy-operator',
      gracefulShutdownTimeout: 20,
      maxInlineSeeds: 2,
      maxInlineSeedsPerNamespace: 1,
      inlineSeedDeadline: 7200,
      tenantDatabaseNetworks: [],
    });
  });

  it('names the flag that is wrong', () => {
    expect(() => parseOperatorOptions({ metricsBindAddress: 'localhost' })).toThrow(
      /--metrics-bind-address: --metrics-bind-address must look like/,
    );
    expect(() => parseOperatorOptions({ namespace: ['Bad_NS'] })).toThrow(/--namespace: must be a namespace name/);
    expect(() => parseOperatorOptions({ leaderElectionId: 'No Spaces' })).toThrow(/--leader-election-id/);
    expect(() => parseOperatorOptions({ maxInlineSeedsPerNamespace: '0' })).toThrow(
      /--max-inline-seeds-per-namespace: /,
    );
    expect(() => parseOperatorOptions({ inlineSeedDeadline: 'soon' })).toThrow(/--inline-seed-deadline: /);
    expect(() => parseOperatorOptions({ tenantDatabaseNetworks: ['10.0.0.0/8', 'db.example.com'] })).toThrow(
      /^--tenant-database-networks: "db\.example\.com" is not an address or CIDR/,
    );
  });

  it('collects repeated --namespace flags through commander', async () => {
    const program = new Command().exitOverride();
    const command = registerOperatorCommand(program, []);
    let seen: unknown;
    command.action((raw: unknown) => {
      seen = parseOperatorOptions(raw);
    });
    await program.parseAsync([
      'node',
      'understudy',
      'operator',
      '--namespace',
      'a',
      '--namespace',
      'b',
      '--leader-elect',
      '--metrics-bind-address',
      '0',
      '--tenant-database-networks',
      '10.0.0.0/8, fd00::/8',
      '--tenant-database-networks=192.168.7.0/24',
    ]);
    expect(seen).toMatchObject({
      namespace: ['a', 'b'],
      leaderElect: true,
      metricsBindAddress: '0',
      tenantDatabaseNetworks: ['10.0.0.0/8', 'fd00::/8', '192.168.7.0/24'],
    });
  });
});

describe('secure metrics flags', () => {
  it('serves HTTPS with authentication unless --no-metrics-secure, with an optional certificate directory', async () => {
    const parse = async (args: string[]) => {
      const program = new Command().exitOverride();
      const command = registerOperatorCommand(program, []);
      let seen: ReturnType<typeof parseOperatorOptions> | undefined;
      command.action((raw: unknown) => {
        seen = parseOperatorOptions(raw);
      });
      await program.parseAsync(['node', 'understudy', 'operator', ...args]);
      return seen!;
    };
    expect(await parse(['--metrics-bind-address', ':8443'])).toMatchObject({
      metricsBindAddress: ':8443',
      metricsSecure: true,
    });
    expect((await parse([])).metricsCertDir).toBeUndefined();
    expect(await parse(['--metrics-bind-address', ':8443', '--no-metrics-secure'])).toMatchObject({
      metricsSecure: false,
    });
    expect(await parse(['--metrics-cert-dir', '/certs'])).toMatchObject({ metricsCertDir: '/certs' });
  });
});

describe('--context', () => {
  it('selects a context of the kubeconfig, and an unknown one is a usage error naming the ones there are', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'operator-context-')), 'kubeconfig');
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'dev', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'dev',
      }),
    );
    expect(parseOperatorOptions({ kubeconfig: path, context: 'dev' }).context).toBe('dev');
    await expect(runOperator(parseOperatorOptions({ kubeconfig: path, context: 'prod' }), [])).rejects.toMatchObject({
      name: 'UsageError',
      message: '--context prod: no such context in the kubeconfig (it has dev)',
    });
  });
});
