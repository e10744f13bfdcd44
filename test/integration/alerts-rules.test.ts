import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { openMetrics, type RecordedSeries } from '../setup/prometheus';
import { CHART_NAMESPACE, renderRuleGroups } from '../support/chart-render';
import { type RulePrometheus, startRulePrometheus } from '../support/prometheus-rules';

jest.setTimeout(60_000);

// The chart's PrometheusRule, extracted as a rule file and run by
// Prometheus's own rule engine (promtool test rules): the divergence alert
// fires when staging's error rate is 2 points above production's, not when
// they are equal; p95 the same; the operator's health alerts likewise.

const PROMTOOL = process.env.UNDERSTUDY_PROMTOOL_BIN ?? '/usr/bin/promtool';
const NS = CHART_NAMESPACE;

function promtool(args: string[], cwd: string): { code: number; output: string } {
  const result = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8' });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

const behaviour = (service: string, metric: string, side: string, values: string) => ({
  series: `understudy_parity_behaviour_value{namespace="${NS}",check="shop-pr-1/parity",service="${service}",metric="${metric}",side="${side}"}`,
  values,
});

describe("the chart's alerting rules", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'understudy-rules-'));
    writeFileSync(join(dir, 'rules.yaml'), stringify(renderRuleGroups()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pass promtool check rules, and a broken expression would not', () => {
    const ok = promtool(['check', 'rules', 'rules.yaml'], dir);
    expect(ok.output).toContain('SUCCESS: 6 rules found');
    expect(ok.code).toBe(0);
    const groups = parse(stringify(renderRuleGroups())) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    groups.groups[0]!.rules[0]!.expr += ' +';
    writeFileSync(join(dir, 'broken.yaml'), stringify(groups));
    expect(promtool(['check', 'rules', 'broken.yaml'], dir).code).not.toBe(0);
  });

  it('fire StagingProductionDivergence for staging 2 points above production, not for equal rates or latencies', () => {
    const divergence = (service: string, signal: string, description: string) => ({
      exp_labels: { severity: 'warning', signal, check: 'shop-pr-1/parity', service },
      exp_annotations: {
        summary:
          signal === 'error-rate'
            ? "Staging's error rate is above production's"
            : "Staging's p95 latency is above production's",
        description,
      },
    });
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            behaviour('checkout', 'error-rate', 'staging', '0.03x30'),
            behaviour('checkout', 'error-rate', 'production', '0.01x30'),
            behaviour('cart', 'error-rate', 'staging', '0.01x30'),
            behaviour('cart', 'error-rate', 'production', '0.01x30'),
            behaviour('search', 'latency-p95', 'staging', '0.5x30'),
            behaviour('search', 'latency-p95', 'production', '0.2x30'),
            behaviour('cart', 'latency-p95', 'staging', '0.2x30'),
            behaviour('cart', 'latency-p95', 'production', '0.2x30'),
          ],
          alert_rule_test: [
            // Pending until `for` (10m) has passed.
            { eval_time: '5m', alertname: 'StagingProductionDivergence', exp_alerts: [] },
            {
              eval_time: '15m',
              alertname: 'StagingProductionDivergence',
              exp_alerts: [
                divergence(
                  'checkout',
                  'error-rate',
                  "checkout in ParityCheck shop-pr-1/parity: staging errors exceed production's by 2% (more than 1 percentage points).",
                ),
                divergence(
                  'search',
                  'latency-p95',
                  "search in ParityCheck shop-pr-1/parity: staging p95 is 2.5 times production's (more than 1.5).",
                ),
              ],
            },
          ],
        },
        {
          interval: '1m',
          input_series: [
            behaviour('checkout', 'error-rate', 'staging', '0.01x30'),
            behaviour('checkout', 'error-rate', 'production', '0.01x30'),
          ],
          alert_rule_test: [{ eval_time: '20m', alertname: 'StagingProductionDivergence', exp_alerts: [] }],
        },
      ],
    };
    writeFileSync(join(dir, 'divergence.test.yaml'), stringify(tests));
    const result = promtool(['test', 'rules', 'divergence.test.yaml'], dir);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('catch a test that expects the wrong alerts (the harness can fail)', () => {
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            behaviour('checkout', 'error-rate', 'staging', '0.01x30'),
            behaviour('checkout', 'error-rate', 'production', '0.01x30'),
          ],
          alert_rule_test: [
            {
              eval_time: '20m',
              alertname: 'StagingProductionDivergence',
              exp_alerts: [
                {
                  exp_labels: {
                    severity: 'warning',
                    signal: 'error-rate',
                    check: 'shop-pr-1/parity',
                    service: 'checkout',
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'wrong.test.yaml'), stringify(tests));
    const result = promtool(['test', 'rules', 'wrong.test.yaml'], dir);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('FAILED');
  });

  it('alert on a missing leader, failing reconciles, a growing queue and failing seeds, and stay quiet when healthy', () => {
    const op = (name: string, labels: string, values: string) => ({
      series: `${name}{namespace="${NS}",${labels}}`,
      values,
    });
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            op('leader_election_master_status', 'name="understudy-operator",pod="a"', '0x30'),
            op('leader_election_master_status', 'name="understudy-operator",pod="b"', '0x30'),
            op('controller_runtime_reconcile_total', 'controller="dataseed",result="error"', '0+10x30'),
            op('controller_runtime_reconcile_total', 'controller="dataseed",result="success"', '0+10x30'),
            op('controller_runtime_reconcile_errors_total', 'controller="dataseed"', '0+10x30'),
            op('workqueue_depth', 'controller="stagingenvironment",name="stagingenvironment"', '500x30'),
            op('understudy_seed_failures_total', 'runner="Inline",reason="ConnectionFailed"', '0 0 0 1 1 1 1 1 1 1'),
          ],
          alert_rule_test: [
            {
              eval_time: '10m',
              alertname: 'UnderstudyLeaderAbsent',
              exp_alerts: [
                {
                  exp_labels: { severity: 'critical' },
                  exp_annotations: {
                    summary: 'No understudy replica leads',
                    description: `No replica of the operator in ${NS} holds the leader lease; nothing is reconciled.`,
                  },
                },
              ],
            },
            {
              eval_time: '25m',
              alertname: 'UnderstudyReconcileErrors',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', controller: 'dataseed' },
                  exp_annotations: {
                    summary: 'The dataseed controller fails reconciles',
                    description: '50% of dataseed reconciles failed over 10 minutes.',
                  },
                },
              ],
            },
            {
              eval_time: '25m',
              alertname: 'UnderstudyWorkqueueBacklog',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', controller: 'stagingenvironment' },
                  exp_annotations: {
                    summary: 'The stagingenvironment work queue is not draining',
                    description: '500 items wait in the stagingenvironment queue.',
                  },
                },
              ],
            },
            {
              eval_time: '5m',
              alertname: 'UnderstudySeedsFailing',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', runner: 'Inline', reason: 'ConnectionFailed' },
                  exp_annotations: {
                    summary: 'DataSeeds fail (ConnectionFailed)',
                    description: '1 Inline seeds failed with ConnectionFailed in the last 30 minutes.',
                  },
                },
              ],
            },
          ],
        },
        {
          interval: '1m',
          input_series: [
            op('leader_election_master_status', 'name="understudy-operator",pod="a"', '1x30'),
            op('leader_election_master_status', 'name="understudy-operator",pod="b"', '0x30'),
            op('controller_runtime_reconcile_total', 'controller="dataseed",result="success"', '0+10x30'),
            op('controller_runtime_reconcile_errors_total', 'controller="dataseed"', '0x30'),
            op('workqueue_depth', 'controller="stagingenvironment",name="stagingenvironment"', '3x30'),
            op('understudy_seed_failures_total', 'runner="Inline",reason="ConnectionFailed"', '1x30'),
          ],
          alert_rule_test: [
            'UnderstudyLeaderAbsent',
            'UnderstudyReconcileErrors',
            'UnderstudyWorkqueueBacklog',
            'UnderstudySeedsFailing',
          ].map((alertname) => ({ eval_time: '25m', alertname, exp_alerts: [] })),
        },
      ],
    };
    writeFileSync(join(dir, 'operator.test.yaml'), stringify(tests));
    const result = promtool(['test', 'rules', 'operator.test.yaml'], dir);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });
});

// The same rule file in a real Prometheus (Debian's, on loopback) over
// backfilled series: `for` is set to 0 through the chart's values, since a
// running Prometheus only evaluates at the current time.
describe('the divergence alert in a running Prometheus', () => {
  let prometheus: RulePrometheus | undefined;

  afterAll(() => prometheus?.stop());

  it('fires for the service whose staging errors are 2 points above production, not for the equal one', async () => {
    const series = (service: string, side: string, value: number): RecordedSeries => ({
      name: 'understudy_parity_behaviour_value',
      labels: { namespace: NS, check: 'shop-pr-1/parity', service, metric: 'error-rate', side },
      value: () => value,
    });
    const to = Math.floor(Date.now() / 1000) - 30;
    prometheus = await startRulePrometheus({
      rules: renderRuleGroups(['metrics.prometheusRule.divergence.for=0s']),
      openMetrics: openMetrics(
        [
          series('checkout', 'staging', 0.03),
          series('checkout', 'production', 0.01),
          series('cart', 'staging', 0.01),
          series('cart', 'production', 0.01),
        ],
        to - 600,
        to,
        15,
      ),
    });
    const firing = await prometheus.firing();
    expect(firing.map((a) => [a.labels.alertname, a.labels.service, a.labels.signal])).toEqual([
      ['StagingProductionDivergence', 'checkout', 'error-rate'],
    ]);
  });
});
