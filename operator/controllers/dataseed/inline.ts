import type { DataSeedSpec } from '../../api/dataseed';
import type { ReconcileContext, Result } from '../../runtime/reconciler';
import type { TenantNetwork } from '../../runtime/tenant-network';
import { SeedError } from '../../seed/errors';
import { resolveSeedRequest } from '../../seed/resolve';
import type { GrantedBaseline } from '../baseline-access';
import { runSeed } from '../../seed/run';
import { statusOfReport } from '../../seed/status';
import { decideStart, recordedOutcome, refreshDueAtMs, type StartWhy } from './decide';
import { failureOfReferences, failureOfRun } from './failure';
import type { InlineRun, InlineSeeds } from './inline-runs';
import { baselineProduction } from './production';
import { KubeReferenceReader, type ReferenceChanges } from './references';
import { EVENTS, keyOf, type SeedEvent, type StatusReporter } from './reporter';
import { type DataSeedObject, generationOf, storedStatus } from './spec';
import { pendingStatus, runningStatus } from './status';

// `runner: Inline`: the seed runs in the operator process. A reconcile
// starts it, then comes back every `progressIntervalMs` to write its
// progress (phase, rows so far) until it finishes, and writes the outcome.
// While it runs the status says Reconciling/Seeding for this generation; an
// operator that stops mid-seed leaves exactly that behind, and the next one
// sees no run of its own for it and seeds again. Sources that read
// production run only here: the operator reads the Baseline's connection
// Secret where the admin put it, and the URL stays in this process.

export interface InlineRunnerOptions {
  seeds: InlineSeeds;
  reporter: StatusReporter;
  references: ReferenceChanges;
  progressIntervalMs: number;
  /** The target is the tenant's: the operator connects to it only where this allows. */
  tenantNetwork: TenantNetwork;
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** What the Reconciling condition says about a run. */
export function progressMessage(
  run: Pick<InlineRun, 'phase' | 'progress'>,
  limit: number,
  perNamespace = limit,
): string {
  if (run.phase === 'queued') {
    const own = perNamespace < limit ? `, ${perNamespace} from one namespace` : '';
    return `waiting for a free slot: at most ${limit} inline seeds run at once in this operator${own}`;
  }
  const p = run.progress;
  if (!p) return 'seeding: planning (introspecting the target, checking rules)';
  const of = p.expectedRows ? ` of about ${count(p.expectedRows)}` : '';
  return `seeding: ${count(p.rows)} rows written${of}, ${count(p.rowsPerSecond)} rows/s, now ${p.table}`;
}

export class InlineRunner {
  constructor(private readonly options: InlineRunnerOptions) {}

  /** `spec` is the cached object's, parsed; the object's generation pins it. `baseline`: the Baseline it names, which allows it. */
  async reconcile(
    ctx: ReconcileContext,
    cached: DataSeedObject,
    spec: DataSeedSpec,
    baseline?: GrantedBaseline,
  ): Promise<Result> {
    const key = keyOf(cached);
    const generation = generationOf(cached);
    const run = this.options.seeds.get(key);
    if (run && run.generation === generation) {
      return run.phase === 'finished' ? this.collect(ctx, cached, key, run) : this.progress(ctx, cached, run);
    }
    // A run of an older spec writes data nobody asked for any more.
    if (run) this.options.seeds.cancel(key);

    // Decide on the object as stored: the cache may not hold our own last status write yet.
    const live = await ctx.client.get<DataSeedObject>({
      apiVersion: cached.apiVersion!,
      kind: cached.kind!,
      namespace: cached.metadata?.namespace,
      name: cached.metadata?.name ?? '',
    });
    if (!live || live.metadata?.deletionTimestamp || generationOf(live) !== generation)
      return live ? { requeue: true } : {};
    const stored = storedStatus(live);
    const decision = decideStart(
      recordedOutcome(stored, generation),
      generation,
      this.options.reporter.memory(key),
      this.options.reporter.now().getTime(),
      this.options.references.changedAtMs(key),
      refreshDueAtMs(spec, stored, generation),
    );
    if (!decision.start)
      return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs };
    return this.start(ctx, live, spec, key, decision.why, baseline);
  }

  private async start(
    ctx: ReconcileContext,
    live: DataSeedObject,
    spec: DataSeedSpec,
    key: string,
    why: StartWhy,
    baseline: GrantedBaseline | undefined,
  ): Promise<Result> {
    const namespace = live.metadata?.namespace ?? '';
    let request;
    try {
      request = await resolveSeedRequest(
        spec,
        namespace,
        new KubeReferenceReader(ctx.client),
        baseline ? baselineProduction(ctx, baseline) : undefined,
      );
    } catch (err) {
      return this.options.reporter.fail(ctx, live, failureOfReferences(err));
    }
    const log = ctx.log.child({ generation: generationOf(live) });
    const run = this.options.seeds.start(
      key,
      generationOf(live),
      (signal, onProgress) =>
        runSeed(request, {
          signal,
          onProgress,
          log: (message) => log.info(message),
          targetStream: this.options.tenantNetwork.pgStream('spec.target'),
        }),
      ctx.signal,
    );
    log.info({ why, source: Object.keys(spec.source)[0] }, 'seed started');
    const events: SeedEvent[] =
      why === 'retry'
        ? []
        : [{ type: 'Normal', reason: EVENTS.started, message: startMessage(spec, generationOf(live), why) }];
    await this.writeProgress(ctx, live, run, events);
    return { requeueAfterMs: this.options.progressIntervalMs };
  }

  private async progress(ctx: ReconcileContext, cached: DataSeedObject, run: InlineRun): Promise<Result> {
    await this.writeProgress(ctx, cached, run, []);
    return { requeueAfterMs: this.options.progressIntervalMs };
  }

  private async writeProgress(
    ctx: ReconcileContext,
    obj: DataSeedObject,
    run: InlineRun,
    events: SeedEvent[],
  ): Promise<void> {
    const reporter = this.options.reporter;
    const sc = reporter.context(obj);
    const message = progressMessage(run, this.options.seeds.limit, this.options.seeds.perNamespace);
    const status =
      run.phase === 'queued'
        ? pendingStatus(sc, message)
        : runningStatus(
            sc,
            message,
            run.progress && run.startedAtMs !== undefined
              ? { ...run.progress, seconds: (Date.now() - run.startedAtMs) / 1000 }
              : undefined,
          );
    await reporter.write(ctx, obj, status, events);
  }

  private async collect(ctx: ReconcileContext, cached: DataSeedObject, key: string, run: InlineRun): Promise<Result> {
    const outcome = run.outcome!;
    // Stopped by the operator's shutdown: the status still says Seeding, so the next operator runs it again.
    if (!outcome.ok && ctx.signal.aborted) return {};
    const reporter = this.options.reporter;
    const result = outcome.ok
      ? await reporter.succeed(ctx, cached, statusOfReport(outcome.report, run.generation, reporter.now()))
      : await reporter.fail(ctx, cached, failureOfRun(cancelledAsRetry(outcome.error), run.generation, reporter.now()));
    this.options.seeds.forget(key, run);
    return result;
  }
}

/** A run cancelled by anything but shutdown (which is handled before) is simply run again. */
function cancelledAsRetry(err: unknown): unknown {
  return err instanceof SeedError && err.reason === 'Cancelled'
    ? new SeedError('Cancelled', 'the seed was interrupted; it runs again')
    : err;
}

function startMessage(spec: DataSeedSpec, generation: number, why: StartWhy): string {
  const source = Object.keys(spec.source)[0] ?? 'seed';
  const again =
    why === 'interrupted'
      ? ', again after an interrupted run'
      : why === 'refresh'
        ? `, scheduled refresh of golden ${spec.golden?.database ?? ''} every ${spec.golden?.refreshInterval ?? ''}`
        : '';
  return `seeding started (${source}, generation ${generation}, runner Inline${again})`;
}
