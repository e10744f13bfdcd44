import { Command } from 'commander';
import { parseOperatorOptions, registerOperatorCommand } from './operator';

describe('operator options', () => {
  it('applies controller-runtime style defaults', () => {
    expect(parseOperatorOptions({})).toMatchObject({
      namespace: [],
      metricsBindAddress: '127.0.0.1:8080',
      healthProbeBindAddress: '127.0.0.1:8081',
      leaderElect: false,
      leaderElectionId: 'understudy-operator',
      gracefulShutdownTimeout: 20,
      maxInlineSeeds: 2,
      maxInlineSeedsPerNamespace: 1,
      inlineSeedDeadline: 7200,
    });
  });

  it('names the flag that is wrong', () => {
    expect(() => parseOperatorOptions({ metricsBindAddress: 'localhost' })).toThrow(/--metrics-bind-address: --metrics-bind-address must look like/);
    expect(() => parseOperatorOptions({ namespace: ['Bad_NS'] })).toThrow(/--namespace: must be a namespace name/);
    expect(() => parseOperatorOptions({ leaderElectionId: 'No Spaces' })).toThrow(/--leader-election-id/);
    expect(() => parseOperatorOptions({ maxInlineSeedsPerNamespace: '0' })).toThrow(/--max-inline-seeds-per-namespace: /);
    expect(() => parseOperatorOptions({ inlineSeedDeadline: 'soon' })).toThrow(/--inline-seed-deadline: /);
  });

  it('collects repeated --namespace flags through commander', async () => {
    const program = new Command().exitOverride();
    const command = registerOperatorCommand(program, []);
    let seen: unknown;
    command.action((raw: unknown) => {
      seen = parseOperatorOptions(raw);
    });
    await program.parseAsync(['node', 'understudy', 'operator', '--namespace', 'a', '--namespace', 'b', '--leader-elect', '--metrics-bind-address', '0']);
    expect(seen).toMatchObject({ namespace: ['a', 'b'], leaderElect: true, metricsBindAddress: '0' });
  });
});
