// Benchmark: one ParityCheck across 50 services and 100 tables, against a
// real kube-apiserver, two real PostgreSQL databases and a real Prometheus.
// Reports wall time and the requests each source received. Target: ≤ 2 s.
//
//   npx tsx bench/parity.ts            (starts or reuses the test control plane)
//   KUBECONFIG=... npx tsx bench/parity.ts

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { parseResolvedParityCheck } from '../operator/api/paritycheck';
import { PrometheusClient } from '../operator/parity/behaviour/prometheus';
import { runParityCheck, type ParityCheckResult } from '../operator/parity/check';
import { PostgresCatalogue } from '../operator/parity/database/postgres';
import { KubeObjectSource } from '../operator/parity/sources/kube';
import { shopService } from '../operator/parity/testing/shop-fixture';
import { KubeConfig } from '../operator/runtime/client-node';
import { KubeClient } from '../operator/runtime/kube-client';
import { up } from '../test/cluster/controlplane';
import { createDatabase, startPostgres, stopPostgres } from '../test/setup/postgres';
import { freePort, startPrometheus, type RecordedSeries } from '../test/setup/prometheus';

const SERVICES = 50;
const TABLES = 100;
const RUNS = 5;
const TARGET_MS = 2000;
// Unique per run: the control plane may be shared with other tests.
const SUFFIX = randomBytes(3).toString('hex');
const PRODUCTION_NS = `bench-shop-${SUFFIX}`;
const STAGING_NS = `bench-shop-${SUFFIX}-pr`;

async function kubeConfig(): Promise<KubeConfig> {
  const kc = new KubeConfig();
  kc.loadFromFile(process.env.KUBECONFIG ?? (await up()).kubeconfig);
  return kc;
}

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

async function applyShop(client: KubeClient, namespace: string, drift: boolean): Promise<void> {
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as never);
  const objects = Array.from({ length: SERVICES }, (_, i) => {
    const name = `svc-${String(i).padStart(2, '0')}`;
    const env = {
      LOG_LEVEL: drift && i % 10 === 0 ? 'debug' : 'info',
      CATALOG_URL: `http://catalog.${namespace}.svc:8080`,
    };
    return shopService(name, { namespace, replicas: 3, env, ...(i % 5 === 0 ? { hpa: { min: 2, max: 10 } } : {}) });
  }).flat();
  await inParallel(objects, 16, (o) => client.apply(o as never));
}

async function shopDatabase(serverUrl: string, name: string, drift: boolean): Promise<string> {
  const url = await createDatabase(serverUrl, name);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (let t = 0; t < TABLES; t++) {
      await client.query(
        `create table t_${t} (id bigint primary key, customer text not null, amount numeric(10,2), status text default 'new', created_at timestamptz default now())`,
      );
      if (!(drift && t === 7)) await client.query(`create index t_${t}_status_idx on t_${t} (status)`);
      const rows = drift && t === 42 ? 50 : 100;
      await client.query(
        `insert into t_${t} (id, customer, amount, status) select g, 'c' || (g % 20), g * 1.5, case when g % 7 = 0 then null else 'paid' end from generate_series(1, ${rows}) g`,
      );
    }
    await client.query('analyze');
  } finally {
    await client.end();
  }
  return url;
}

function series(): RecordedSeries[] {
  return [PRODUCTION_NS, STAGING_NS].flatMap((namespace) =>
    Array.from({ length: SERVICES }, (_, i) => ({
      name: 'http_request_duration_seconds_p95',
      labels: { namespace, service: `svc-${String(i).padStart(2, '0')}` },
      value: (_t: number, k: number) => 0.1 * (1 + 0.03 * Math.sin(k)) * (namespace === STAGING_NS && i === 3 ? 3 : 1),
    })),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function runParityBench(): Promise<{ medianMs: number; maxMs: number; result: ParityCheckResult }> {
  const kc = await kubeConfig();
  const admin = new KubeClient(kc, { fieldManager: 'parity-bench' });
  const pgDir = mkdtempSync(join(tmpdir(), 'understudy-bench-pg-'));
  const pg = await startPostgres({ dataDir: join(pgDir, 'data'), port: await freePort() });
  const prometheus = await startPrometheus({ series: series(), historySeconds: 3600 });
  try {
    process.stderr.write(`setting up ${SERVICES} services in 2 namespaces, ${TABLES} tables in 2 databases…\n`);
    await Promise.all([applyShop(admin, PRODUCTION_NS, false), applyShop(admin, STAGING_NS, true)]);
    const [productionDb, stagingDb] = await Promise.all([
      shopDatabase(pg.url, 'bench_production', false),
      shopDatabase(pg.url, 'bench_staging', true),
    ]);
    const spec = parseResolvedParityCheck({
      staging: { namespace: STAGING_NS },
      production: { namespace: PRODUCTION_NS },
      categories: {
        configuration: {},
        schema: { staging: { connectionSecretRef: { name: 'db', key: 'url' } }, production: { database: 'db' } },
        data: {},
        behaviour: {
          queries: [
            {
              name: 'p95-latency',
              query: 'max(http_request_duration_seconds_p95{namespace="{{namespace}}",service="{{service}}"})',
            },
          ],
        },
      },
    });
    const times: number[] = [];
    let result: ParityCheckResult | undefined;
    for (let run = 0; run < RUNS; run++) {
      // Fresh sources each run, as a reconcile builds them: connections, discovery and all.
      const objects = KubeObjectSource.fromKubeConfig(kc, 'bench');
      const staging = new PostgresCatalogue(stagingDb, 'staging');
      const production = new PostgresCatalogue(productionDb, 'production');
      const started = performance.now();
      result = await runParityCheck(
        spec,
        {
          objects: { staging: objects, production: objects },
          databases: { staging, production },
          metrics: new PrometheusClient(prometheus.url),
        },
        result?.status,
        new Date(),
      );
      times.push(performance.now() - started);
      await Promise.all([staging.close(), production.close()]);
    }
    return { medianMs: median(times), maxMs: Math.max(...times), result: result! };
  } finally {
    await prometheus.stop();
    stopPostgres(pg.dataDir);
    rmSync(pgDir, { recursive: true, force: true });
    await Promise.all(
      [PRODUCTION_NS, STAGING_NS].map((name) =>
        admin.delete({ apiVersion: 'v1', kind: 'Namespace', name }).catch(() => undefined),
      ),
    );
  }
}

if (require.main === module) {
  runParityBench()
    .then(({ medianMs, maxMs, result }) => {
      const s = result.status.summary!;
      const lines = [
        `ParityCheck across ${SERVICES} services and ${TABLES} tables (${RUNS} runs)`,
        `  time: median ${medianMs.toFixed(0)} ms, max ${maxMs.toFixed(0)} ms; target ${TARGET_MS} ms (median/target ${(medianMs / TARGET_MS).toFixed(2)})`,
        `  requests per run: Kubernetes API ${result.requests.kubernetes}, PostgreSQL ${result.requests.database} queries, Prometheus ${result.requests.prometheus}`,
        `  result: ${s.verdict}, score ${s.score}, ${s.critical} critical / ${s.warning} warning / ${s.info} info, ${s.expected} expected, ${s.inconclusive} inconclusive, ${s.total} findings`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
      process.stdout.write(
        JSON.stringify({
          bench: 'parity',
          services: SERVICES,
          tables: TABLES,
          medianMs: Math.round(medianMs),
          maxMs: Math.round(maxMs),
          targetMs: TARGET_MS,
          requests: result.requests,
        }) + '\n',
      );
      process.exitCode = medianMs <= TARGET_MS ? 0 : 1;
    })
    .catch((err: unknown) => {
      process.stderr.write(`parity bench failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 2;
    });
}
