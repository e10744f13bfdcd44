import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One recorded series: a metric name, its labels and a value for every point in time. */
export interface RecordedSeries {
  name: string;
  labels: Record<string, string>;
  value: (unixSeconds: number, index: number) => number;
}

export interface PrometheusOptions {
  /** Series backfilled with `promtool tsdb create-blocks-from openmetrics`; none gives an empty Prometheus. */
  series?: RecordedSeries[];
  /** How far back the recorded samples reach, ending one minute ago. */
  historySeconds?: number;
  /** Seconds between samples. */
  intervalSeconds?: number;
  dataDir?: string;
  port?: number;
}

export interface PrometheusServer {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

const PROMETHEUS = process.env.UNDERSTUDY_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const PROMTOOL = process.env.UNDERSTUDY_PROMTOOL_BIN ?? '/usr/bin/promtool';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',');
}

/** OpenMetrics text with explicit timestamps, as promtool's backfill reads it. */
export function openMetrics(
  series: RecordedSeries[],
  fromSeconds: number,
  toSeconds: number,
  intervalSeconds: number,
): string {
  const lines: string[] = [];
  const byName = new Map<string, RecordedSeries[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, group] of byName) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of group) {
      let index = 0;
      for (let t = fromSeconds; t <= toSeconds; t += intervalSeconds, index++) {
        const value = s.value(t, index);
        const text = Number.isNaN(value)
          ? 'NaN'
          : value === Infinity
            ? '+Inf'
            : value === -Infinity
              ? '-Inf'
              : String(value);
        lines.push(`${name}{${labelText(s.labels)}} ${text} ${t}`);
      }
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Prometheus exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Prometheus at ${url} did not become ready: ${lastError}`);
}

/**
 * A Prometheus from Debian's packages on loopback, with its own data
 * directory, holding recorded series backfilled with promtool (or nothing).
 */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'understudy-prom-'));
  const tsdb = join(dataDir, 'tsdb');
  mkdirSync(tsdb, { recursive: true });
  const series = options.series ?? [];
  if (series.length > 0) {
    const interval = options.intervalSeconds ?? 15;
    const to = Math.floor(Date.now() / 1000) - 60;
    const from = to - (options.historySeconds ?? 2 * 3600);
    const input = join(dataDir, 'series.om');
    writeFileSync(input, openMetrics(series, from - (from % interval), to, interval));
    await run(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', input, tsdb], { maxBuffer: 16 * 1024 * 1024 });
  }
  const config = join(dataDir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${tsdb}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=30d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitReady(url, child, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return {
    url,
    port,
    dataDir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
