import type { Manager } from '../../operator/runtime/manager';
import { startPrometheus, type PrometheusServer, type RecordedSeries } from '../setup/prometheus';
import { CHART_NAMESPACE, renderRuleGroups } from '../support/chart-render';
import { createNamespace, deleteNamespace } from '../support/kube';
import { metricValue } from '../support/operator-process';
import { type RulePrometheus, startRulePrometheus } from '../support/prometheus-rules';
import {
  applyBaseline,
  baselineName,
  conditionOf,
  createCheck,
  deleteBaselines,
  startOperator,
  waitForStatus,
} from './paritycheck-controller.fixture';

jest.setTimeout(120_000);

// The divergence alert end to end: the ParityCheck controller (as the CLI
// runs it, with the chart's identity) reads recorded error rates from one
// Prometheus, exports each side's median as understudy_parity_behaviour_value,
// and a second Prometheus scraping the operator's /metrics with the chart's
// rule file fires StagingProductionDivergence for the service whose staging
// errors are 2 points above production's, and not for the equal one.

const ERRORS = 'max(http_error_ratio{namespace="{{namespace}}",service="{{service}}"})';

describe('StagingProductionDivergence from a real ParityCheck run', () => {
  let production: string;
  let staging: string;
  let source: PrometheusServer | undefined;
  let alerts: RulePrometheus | undefined;
  let manager: Manager | undefined;
  const baseline = baselineName('div');

  beforeAll(async () => {
    production = createNamespace('div-prod');
    staging = createNamespace('div-stage');
    const rate = (namespace: string, service: string, value: number): RecordedSeries => ({
      name: 'http_error_ratio',
      labels: { namespace, service },
      value: () => value,
    });
    source = await startPrometheus({
      series: [
        rate(production, 'checkout', 0.01),
        rate(staging, 'checkout', 0.03),
        rate(production, 'catalog', 0.01),
        rate(staging, 'catalog', 0.01),
      ],
    });
    await applyBaseline(baseline, {
      source: { namespace: production },
      allowedNamespaces: { names: [staging] },
      data: { prometheus: { url: source.url } },
    });
    manager = await startOperator([staging]);
  });

  afterAll(async () => {
    await manager?.stop();
    await Promise.all([source?.stop(), alerts?.stop()]);
    await deleteBaselines([baseline]);
    [production, staging].forEach((ns) => ns && deleteNamespace(ns));
  });

  it("exports both sides per service, and the chart's rule over the scraped series fires for checkout only", async () => {
    await createCheck(staging, 'parity', {
      baselineRef: { name: baseline },
      categories: {
        configuration: { enabled: false },
        behaviour: {
          queries: [
            {
              name: 'error-rate',
              query: ERRORS,
              services: ['catalog', 'checkout'],
              comparison: 'Absolute',
              tolerance: '0.005',
            },
          ],
        },
      },
    });
    const check = await waitForStatus(
      staging,
      'parity',
      (c) => conditionOf(c, 'Ready')?.status === 'True',
      'the check to run',
    );
    expect(check.status?.findings?.map((f) => f.resource)).toEqual(['Query/error-rate/checkout']);

    const text = await (await fetch(`${manager!.metricsUrl}/metrics`)).text();
    const value = (service: string, side: string) =>
      metricValue(text, 'understudy_parity_behaviour_value', {
        check: `${staging}/parity`,
        service,
        metric: 'error-rate',
        side,
      });
    expect([
      value('checkout', 'staging'),
      value('checkout', 'production'),
      value('catalog', 'staging'),
      value('catalog', 'production'),
    ]).toEqual([0.03, 0.01, 0.01, 0.01]);

    // The scrape adds the operator's namespace, as a ServiceMonitor does; `for` is 0 so one evaluation decides.
    alerts = await startRulePrometheus({
      rules: renderRuleGroups(['metrics.prometheusRule.divergence.for=0s']),
      targets: [{ url: `${manager!.metricsUrl}/metrics`, labels: { namespace: CHART_NAMESPACE } }],
    });
    const firing = (await alerts.firing()).filter((a) => a.labels.alertname === 'StagingProductionDivergence');
    expect(firing.map((a) => [a.labels.check, a.labels.service, a.labels.signal])).toEqual([
      [`${staging}/parity`, 'checkout', 'error-rate'],
    ]);
  });
});
