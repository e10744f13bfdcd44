import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../setup/prometheus';
import { eventually } from './kube';

// A Prometheus (Debian's, on loopback) that evaluates a rule file every
// second, over backfilled OpenMetrics and/or scrape targets: for tests of
// the chart's alerts as a running Prometheus evaluates them.

const PROMETHEUS = process.env.UNDERSTUDY_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const PROMTOOL = process.env.UNDERSTUDY_PROMTOOL_BIN ?? '/usr/bin/promtool';

export interface RulePrometheusOptions {
  /** The rule file's content (`groups:`). */
  rules: unknown;
  /** OpenMetrics text with timestamps, backfilled before start. */
  openMetrics?: string;
  /** Scraped every second: URL of a /metrics endpoint (plain HTTP) and labels added to its series. */
  targets?: Array<{ url: string; labels?: Record<string, string> }>;
}

export interface Alert {
  labels: Record<string, string>;
  state: string;
}

export interface RulePrometheus {
  url: string;
  /** Alerts in state firing, once there is at least one (or after the timeout, throws). */
  firing(timeoutMs?: number): Promise<Alert[]>;
  stop(): Promise<void>;
}

export async function startRulePrometheus(options: RulePrometheusOptions): Promise<RulePrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-rule-prom-'));
  const tsdb = join(dir, 'tsdb');
  mkdirSync(tsdb);
  writeFileSync(join(dir, 'rules.yaml'), stringify(options.rules));
  if (options.openMetrics) {
    writeFileSync(join(dir, 'series.om'), options.openMetrics);
    execFileSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'series.om'), tsdb]);
  }
  const scrapeConfigs = (options.targets ?? []).map((target, i) => {
    const url = new URL(target.url);
    return {
      job_name: `target-${i}`,
      scrape_interval: '1s',
      scrape_timeout: '1s',
      metrics_path: url.pathname,
      scheme: url.protocol.replace(':', ''),
      static_configs: [{ targets: [url.host], labels: target.labels ?? {} }],
    };
  });
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { evaluation_interval: '1s', scrape_interval: '1s' },
      rule_files: [join(dir, 'rules.yaml')],
      scrape_configs: scrapeConfigs,
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${tsdb}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  return {
    url,
    firing: (timeoutMs = 30_000) =>
      eventually(
        async () => {
          const response = await fetch(`${url}/api/v1/alerts`).catch(() => undefined);
          if (!response?.ok) return undefined;
          const alerts = ((await response.json()) as { data: { alerts: Alert[] } }).data.alerts.filter(
            (a) => a.state === 'firing',
          );
          return alerts.length > 0 && alerts;
        },
        { what: 'a firing alert', timeoutMs, intervalMs: 500 },
      ),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
