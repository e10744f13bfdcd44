// Benchmark: StagingEnvironment against the plain way, on the test control
// plane (kube-controller-manager, kube-scheduler, kwok nodes).
//
// 1. Create-to-Ready of a copy of a 20-service baseline, against
//    `kubectl apply -f` of the same 20 rendered services followed by
//    `kubectl wait --for=condition=Available`. Target: ratio <= 1.0.
// 2. 200 environments of 10 services each, created at once: all Ready, time
//    to all-Ready, reconcile p99 from the operator's own histogram, and the
//    operator process's peak RSS (VmHWM). Target: <= 300 MiB.
//
//   npm run build && npx tsx bench/environment.ts
//   BENCH_ENVIRONMENTS=50 BENCH_RUNS=3 npx tsx bench/environment.ts   (smaller)

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { API_VERSION } from '../operator/api/common';
import { KubeConfig, type KubernetesObject } from '../operator/runtime/client-node';
import { KubeClient } from '../operator/runtime/kube-client';
import { up } from '../test/cluster/controlplane';
import { installOperatorIdentity } from '../test/setup/operator-identity';
import { kubectl, kubectlAsync } from '../test/support/kube';
import { syntheticBaseline, type SyntheticObject } from './environment-baseline';
import { ensureNodes, removeNodes } from './environment-nodes';
import { histogramQuantile, startOperator } from './environment-operator';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ENVIRONMENTS = Number(process.env.BENCH_ENVIRONMENTS ?? 200);
const SERVICES_SMALL = 10;
const SERVICES_LARGE = 20;
const RATIO_TARGET = 1.0;
const RSS_TARGET_MIB = 300;
const ALL_READY_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 20 * 60_000);
const SUFFIX = randomBytes(3).toString('hex');

interface Cluster {
  admin: KubeClient;
  operatorKubeconfig: string;
}

async function cluster(): Promise<Cluster> {
  // More simulated nodes only when this run starts the control plane; a running one gets extra nodes below.
  process.env.UNDERSTUDY_NODES ??= '10';
  const cp = await up(undefined, (line) => process.stderr.write(`[cluster] ${line}\n`));
  process.env.KUBECONFIG = cp.kubeconfig;
  process.env.PATH = `${cp.binDir}:${process.env.PATH ?? ''}`;
  const crds = resolve(__dirname, '../crds');
  kubectl(['apply', '--server-side', '--force-conflicts', '-f', crds]);
  kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  return { admin: new KubeClient(kc), operatorKubeconfig: installOperatorIdentity(cp.server, cp.stateDir) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function applyAll(client: KubeClient, objects: readonly SyntheticObject[]): Promise<void> {
  for (const object of objects) await client.apply(object, { force: true });
}

function environment(name: string, namespace: string, baseline: string): KubernetesObject {
  return {
    apiVersion: API_VERSION,
    kind: 'StagingEnvironment',
    metadata: { name, namespace },
    spec: { baselineRef: { name: baseline } },
  } as KubernetesObject;
}

/**
 * The admin's Baseline of a production namespace, open to `previews`, named
 * like it. No NetworkPolicy, so a copy holds the same objects as the plain
 * `kubectl apply` it is measured against.
 */
function baselineOf(production: string, previews: string): KubernetesObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Baseline',
    metadata: { name: production },
    spec: {
      source: { namespace: production },
      allowedNamespaces: { names: [previews] },
      targetNamespace: { prefix: '' },
      isolation: { networkPolicy: false },
    },
  } as KubernetesObject;
}

function yamlFile(dir: string, name: string, objects: readonly unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, objects.map((o) => `---\n${JSON.stringify(o)}\n`).join(''));
  return path;
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function mustSucceed(args: string[]): Promise<void> {
  const result = await kubectlAsync(args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
}

/** Part 1: one copy of 20 services through the operator, against kubectl apply + wait, RUNS times each, interleaved. */
async function createToReady(c: Cluster, dir: string): Promise<{ operatorMs: number[]; kubectlMs: number[] }> {
  const baseline = `bench-base20-${SUFFIX}`;
  const previews = `bench-previews20-${SUFFIX}`;
  await applyAll(c.admin, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: baseline } },
    ...syntheticBaseline(baseline, SERVICES_LARGE),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: previews } },
  ]);
  await c.admin.apply(baselineOf(baseline, previews), { force: true });
  const operator = await startOperator('bench-20', c.operatorKubeconfig, previews);
  const operatorMs: number[] = [];
  const kubectlMs: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const plain = `bench-kubectl-${SUFFIX}-${run}`;
      const file = yamlFile(dir, `kubectl-${run}.yaml`, [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: plain } },
        ...syntheticBaseline(plain, SERVICES_LARGE),
      ]);
      kubectlMs.push(
        await timed(async () => {
          await mustSucceed(['apply', '-f', file]);
          await mustSucceed([
            'wait',
            '-n',
            plain,
            '--for=condition=Available',
            'deployment',
            '--all',
            '--timeout=300s',
          ]);
        }),
      );
      const envFile = yamlFile(dir, `env-${run}.yaml`, [environment(`copy-${run}`, previews, baseline)]);
      operatorMs.push(
        await timed(async () => {
          await mustSucceed(['apply', '-f', envFile]);
          await mustSucceed([
            'wait',
            '-n',
            previews,
            '--for=condition=Ready',
            `stagingenvironment/copy-${run}`,
            '--timeout=300s',
          ]);
        }),
      );
      process.stderr.write(
        `[bench] run ${run + 1}/${RUNS}: operator ${operatorMs[run]?.toFixed(0)} ms, kubectl ${kubectlMs[run]?.toFixed(0)} ms\n`,
      );
    }
  } finally {
    await cleanup(c, previews, operator.stop, baseline, [
      baseline,
      ...Array.from({ length: RUNS }, (_, run) => `bench-kubectl-${SUFFIX}-${run}`),
    ]);
  }
  return { operatorMs, kubectlMs };
}

interface ScaleResult {
  ready: number;
  allReadyMs: number;
  /** When every environment had all its objects applied (Provisioned), the operator's own part. */
  allProvisionedMs: number | undefined;
  operatorCpuSeconds: number;
  p50: number | undefined;
  p99: number | undefined;
  reconciles: number;
  peakRssMiB: number;
  /** Live JavaScript heap at the end (nodejs_heap_size_used_bytes): what the caches and plans hold, without garbage. */
  heapUsedMiB: number;
}

/** Part 2: ENVIRONMENTS copies of a 10-service baseline created at once by one operator process. */
async function manyAtOnce(c: Cluster): Promise<ScaleResult> {
  const baseline = `bench-base10-${SUFFIX}`;
  const previews = `bench-previews-${SUFFIX}`;
  await applyAll(c.admin, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: baseline } },
    ...syntheticBaseline(baseline, SERVICES_SMALL),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: previews } },
  ]);
  await c.admin.apply(baselineOf(baseline, previews), { force: true });
  const operator = await startOperator('bench-many', c.operatorKubeconfig, previews);
  try {
    const names = Array.from({ length: ENVIRONMENTS }, (_, i) => `env-${String(i).padStart(3, '0')}`);
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < names.length) {
          const name = names[next++]!;
          await c.admin.create(environment(name, previews, baseline));
        }
      }),
    );
    let ready = 0;
    let lastReport = 0;
    let allProvisionedMs: number | undefined;
    while (performance.now() - start < ALL_READY_TIMEOUT_MS) {
      const list = await c.admin.list<
        KubernetesObject & { status?: { conditions?: Array<{ type: string; status: string }> } }
      >(API_VERSION, 'StagingEnvironment', { namespace: previews });
      const holding = (type: string): number =>
        list.items.filter((e) => e.status?.conditions?.some((k) => k.type === type && k.status === 'True')).length;
      ready = holding('Ready');
      if (allProvisionedMs === undefined && holding('Provisioned') === ENVIRONMENTS)
        allProvisionedMs = performance.now() - start;
      if (ready === ENVIRONMENTS) break;
      if (performance.now() - lastReport > 15_000) {
        lastReport = performance.now();
        process.stderr.write(
          `[bench] ${ready}/${ENVIRONMENTS} Ready after ${((performance.now() - start) / 1000).toFixed(0)} s, operator RSS peak ${(operator.peakRssBytes() / 2 ** 20).toFixed(0)} MiB\n`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const allReadyMs = performance.now() - start;
    const metrics = await (await fetch(`${operator.metricsUrl}/metrics`)).text();
    const labels = { controller: 'stagingenvironment' };
    const count = /controller_runtime_reconcile_time_seconds_count\{controller="stagingenvironment"\} (\S+)/.exec(
      metrics,
    )?.[1];
    return {
      ready,
      allReadyMs,
      allProvisionedMs,
      operatorCpuSeconds: operator.cpuSeconds(),
      p50: histogramQuantile(metrics, 'controller_runtime_reconcile_time_seconds', labels, 0.5),
      p99: histogramQuantile(metrics, 'controller_runtime_reconcile_time_seconds', labels, 0.99),
      reconciles: Number(count ?? 0),
      peakRssMiB: operator.peakRssBytes() / 2 ** 20,
      heapUsedMiB: Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics)?.[1] ?? NaN) / 2 ** 20,
    };
  } finally {
    await cleanup(c, previews, operator.stop, baseline, [baseline]);
  }
}

/**
 * Deletes the environments while the operator runs, until it has asked for
 * every target namespace's deletion; the namespace controller finishes them
 * in the background, so the benchmark does not wait minutes for it. The
 * Baseline goes last, once nothing uses it.
 */
async function cleanup(
  c: Cluster,
  previews: string,
  stopOperator: () => Promise<void>,
  baseline: string,
  namespaces: string[],
): Promise<void> {
  await kubectlAsync(['delete', 'stagingenvironments', '--all', '-n', previews, '--wait=false']);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const targets = (
      await c.admin.list<KubernetesObject>('v1', 'Namespace', {
        labelSelector: `understudy.dev/environment-namespace=${previews}`,
      })
    ).items;
    if (targets.every((ns) => ns.metadata?.deletionTimestamp) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await stopOperator();
  for (const env of (await c.admin.list<KubernetesObject>(API_VERSION, 'StagingEnvironment', { namespace: previews }))
    .items) {
    await c.admin
      .mergePatch(
        { apiVersion: API_VERSION, kind: 'StagingEnvironment', namespace: previews, name: env.metadata?.name ?? '' },
        { metadata: { finalizers: null } },
      )
      .catch(() => undefined);
  }
  const leftovers = (
    await c.admin.list<KubernetesObject>('v1', 'Namespace', {
      labelSelector: `understudy.dev/environment-namespace=${previews}`,
    })
  ).items.map((ns) => ns.metadata?.name ?? '');
  for (const name of [previews, ...namespaces, ...leftovers])
    await c.admin.delete({ apiVersion: 'v1', kind: 'Namespace', name }).catch(() => undefined);
  await c.admin.delete({ apiVersion: API_VERSION, kind: 'Baseline', name: baseline }).catch(() => undefined);
}

async function main(): Promise<void> {
  if (!existsSync(resolve(__dirname, '../dist/operator/cli.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  const c = await cluster();
  const dir = mkdtempSync(join(tmpdir(), 'understudy-bench-env-'));
  const addedNodes = await ensureNodes(c.admin, Math.ceil((ENVIRONMENTS * SERVICES_SMALL * 1.2) / 250));
  try {
    // BENCH_RUNS=0 skips the first part, for experiments on the second.
    const single = RUNS > 0 ? await createToReady(c, dir) : { operatorMs: [], kubectlMs: [] };
    const operatorMedian = median(single.operatorMs);
    const kubectlMedian = median(single.kubectlMs);
    const ratio = RUNS > 0 ? operatorMedian / kubectlMedian : NaN;
    const scale = await manyAtOnce(c);
    const lines = [
      `StagingEnvironment create-to-Ready, ${SERVICES_LARGE}-service baseline (${RUNS} runs, medians)`,
      `  operator: ${(operatorMedian / 1000).toFixed(2)} s   kubectl apply + wait Available: ${(kubectlMedian / 1000).toFixed(2)} s   ratio ${ratio.toFixed(2)} (target <= ${RATIO_TARGET.toFixed(1)})`,
      `${ENVIRONMENTS} environments x ${SERVICES_SMALL} services created at once`,
      `  Ready: ${scale.ready}/${ENVIRONMENTS} in ${(scale.allReadyMs / 1000).toFixed(1)} s; every object applied (all Provisioned) after ${scale.allProvisionedMs === undefined ? 'n/a' : `${(scale.allProvisionedMs / 1000).toFixed(1)} s`}`,
      `  operator CPU: ${scale.operatorCpuSeconds.toFixed(1)} s`,
      `  reconciles: ${scale.reconciles}, p50 ${fmt(scale.p50)}, p99 ${fmt(scale.p99)} (controller_runtime_reconcile_time_seconds)`,
      `  operator peak RSS (VmHWM): ${scale.peakRssMiB.toFixed(0)} MiB (target <= ${RSS_TARGET_MIB} MiB, ratio ${(scale.peakRssMiB / RSS_TARGET_MIB).toFixed(2)}); live heap at the end ${scale.heapUsedMiB.toFixed(0)} MiB`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stdout.write(
      `${JSON.stringify({ bench: 'environment', createToReady: { operatorMs: single.operatorMs.map(Math.round), kubectlMs: single.kubectlMs.map(Math.round), ratio: round2(ratio) }, scale: { environments: ENVIRONMENTS, services: SERVICES_SMALL, ready: scale.ready, allReadyMs: Math.round(scale.allReadyMs), allProvisionedMs: scale.allProvisionedMs === undefined ? null : Math.round(scale.allProvisionedMs), operatorCpuSeconds: scale.operatorCpuSeconds, reconciles: scale.reconciles, p50Seconds: scale.p50, p99Seconds: scale.p99, peakRssMiB: Math.round(scale.peakRssMiB), heapUsedMiB: Math.round(scale.heapUsedMiB) } })}\n`,
    );
    process.exitCode =
      (RUNS === 0 || ratio <= RATIO_TARGET) && scale.ready === ENVIRONMENTS && scale.peakRssMiB <= RSS_TARGET_MIB
        ? 0
        : 1;
  } finally {
    await removeNodes(c.admin, addedNodes);
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(seconds: number | undefined): string {
  return seconds === undefined ? 'n/a' : `${(seconds * 1000).toFixed(0)} ms`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`environment bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 2;
  });
}
