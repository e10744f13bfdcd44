import { readFileSync, writeFileSync } from 'node:fs';
import { type OperatorProcess, freePort, spawnOperator } from '../test/support/operator-process';

// The operator as the benchmark runs it: the compiled CLI in its own process
// (so its memory is its own), with the chart's identity, and what it exposes
// on /metrics and in /proc.

export interface RunningOperator {
  process: OperatorProcess;
  metricsUrl: string;
  /** Peak resident set of the process so far (VmHWM), in bytes. */
  peakRssBytes(): number;
  /** CPU time the process used so far (user + system), in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startOperator(name: string, kubeconfig: string, namespace: string): Promise<RunningOperator> {
  const port = await freePort();
  const metricsUrl = `http://127.0.0.1:${port}`;
  // BENCH_OPERATOR_NODE_OPTIONS reaches the operator only (for example --trace-gc), BENCH_OPERATOR_LOG keeps its output.
  const nodeOptions = process.env.BENCH_OPERATOR_NODE_OPTIONS;
  const p = spawnOperator(
    name,
    [
      `--kubeconfig=${kubeconfig}`,
      `--namespace=${namespace}`,
      `--metrics-bind-address=127.0.0.1:${port}`,
      '--no-metrics-secure',
      '--health-probe-bind-address=0',
      '--graceful-shutdown-timeout=5',
    ],
    {
      LOG_LEVEL: 'warn',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
  );
  const deadline = Date.now() + 30_000;
  // At warn the start is not logged: the metrics server answering says it runs.
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`operator exited: ${p.output()}`);
    if (
      await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error('operator did not serve /metrics within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = p.child.pid ?? 0;
  return {
    process: p,
    metricsUrl,
    peakRssBytes: () => statusField(pid, 'VmHWM'),
    cpuSeconds: () => cpuSecondsOf(pid),
    stop: async () => {
      p.kill('SIGTERM');
      await p.exited;
      if (process.env.BENCH_OPERATOR_LOG) writeFileSync(`${process.env.BENCH_OPERATOR_LOG}.${name}`, p.output());
    },
  };
}

/** utime + stime from /proc/<pid>/stat, in clock ticks of 1/100 s (USER_HZ on Linux). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function statusField(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  const kib = Number(/(\d+)\s*kB/.exec(line ?? '')?.[1] ?? NaN);
  return kib * 1024;
}

/** A quantile of a Prometheus histogram, interpolated within its bucket as histogram_quantile() does. */
export function histogramQuantile(
  metricsText: string,
  name: string,
  labels: Record<string, string>,
  q: number,
): number | undefined {
  const buckets: Array<{ le: number; count: number }> = [];
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`)) continue;
    const match = /^[^{]+\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const found = Object.fromEntries(
      [...(match[1] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (!Object.entries(labels).every(([k, v]) => found[k] === v)) continue;
    buckets.push({ le: found.le === '+Inf' ? Infinity : Number(found.le), count: Number(match[2]) });
  }
  buckets.sort((a, b) => a.le - b.le);
  const total = buckets[buckets.length - 1]?.count ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return lowerBound;
      return lowerBound + ((bucket.le - lowerBound) * (rank - lowerCount)) / Math.max(1, bucket.count - lowerCount);
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}
