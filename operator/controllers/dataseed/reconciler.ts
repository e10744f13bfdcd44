import { runnerOf } from '../../api/dataseed';
import type { OperatorMetrics } from '../../metrics/operator-metrics';
import { TenantNetwork } from '../../runtime/tenant-network';
import { Kinds } from '../../kinds';
import {
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  requestKey,
} from '../../runtime/reconciler';
import { baselineGate } from './gate';
import { InlineRunner } from './inline';
import { InlineSeeds } from './inline-runs';
import { JobRunner } from './job-runner';
import { ReferenceChanges } from './references';
import { StatusReporter } from './reporter';
import { parseSpec } from './spec';

export interface DataSeedReconcilerOptions {
  /** The image seed Jobs run: the operator's own. */
  image: string;
  /** Seed rows, durations and failures (understudy_seed_*). */
  metrics?: OperatorMetrics;
  /** Pull Secrets for that image, by name, in the seed's namespace. */
  imagePullSecrets?: readonly string[];
  /** Inline seeds running at once in this process; others wait. */
  maxInlineSeeds?: number;
  /** Inline seeds running at once from one namespace, so one tenant cannot hold every slot. */
  maxInlineSeedsPerNamespace?: number;
  /** An inline seed still running after this long is cancelled (rolled back) and fails with DeadlineExceeded. */
  inlineSeedDeadlineSeconds?: number;
  /** How often a running inline seed's progress is written to its status. */
  progressIntervalMs?: number;
  /** activeDeadlineSeconds of seed Jobs. */
  jobActiveDeadlineSeconds?: number;
  /** When each DataSeed's references last changed, as the controller's watches saw it. */
  references?: ReferenceChanges;
  /** Where an inline seed may connect to its target; absent, anywhere but the operator's own pod and node. */
  tenantNetwork?: TenantNetwork;
  now?: () => Date;
}

export const DEFAULT_MAX_INLINE_SEEDS = 2;
export const DEFAULT_MAX_INLINE_SEEDS_PER_NAMESPACE = 1;
/** Two hours: ten times the longest seed measured (tens of millions of rows), short of a stuck run holding a slot for days. */
export const DEFAULT_INLINE_SEED_DEADLINE_SECONDS = 2 * 60 * 60;
export const DEFAULT_PROGRESS_INTERVAL_MS = 2_000;

/**
 * Thin: reads the DataSeed, refuses a spec its schema refuses (Stalled,
 * InvalidSpec, naming the field — a Job runner for a source that reads
 * production among them), asks the Baseline it names whether it may use it
 * (Stalled with the Baseline's reason otherwise, and nothing of the Baseline
 * is read), and hands the rest to its runner. Runners decide from the stored
 * status, so nothing but a new generation, a retryable failure, an
 * interrupted run or a Baseline that now allows it starts a seed.
 */
export class DataSeedReconciler implements Reconciler {
  private readonly seeds: InlineSeeds;
  private readonly reporter: StatusReporter;
  private readonly inline: InlineRunner;
  private readonly jobs: JobRunner;
  private readonly references: ReferenceChanges;

  constructor(options: DataSeedReconcilerOptions) {
    this.references = options.references ?? new ReferenceChanges();
    this.seeds = new InlineSeeds(options.maxInlineSeeds ?? DEFAULT_MAX_INLINE_SEEDS, Date.now, {
      perNamespace: Math.min(
        options.maxInlineSeedsPerNamespace ?? DEFAULT_MAX_INLINE_SEEDS_PER_NAMESPACE,
        options.maxInlineSeeds ?? DEFAULT_MAX_INLINE_SEEDS,
      ),
      deadlineMs: (options.inlineSeedDeadlineSeconds ?? DEFAULT_INLINE_SEED_DEADLINE_SECONDS) * 1000,
    });
    this.reporter = new StatusReporter(options.now ?? (() => new Date()), undefined, options.metrics);
    this.inline = new InlineRunner({
      seeds: this.seeds,
      reporter: this.reporter,
      references: this.references,
      progressIntervalMs: options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
      tenantNetwork: options.tenantNetwork ?? new TenantNetwork(),
    });
    this.jobs = new JobRunner({
      reporter: this.reporter,
      references: this.references,
      image: options.image,
      ...(options.imagePullSecrets ? { imagePullSecrets: options.imagePullSecrets } : {}),
      ...(options.jobActiveDeadlineSeconds ? { activeDeadlineSeconds: options.jobActiveDeadlineSeconds } : {}),
    });
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const key = requestKey(req);
    const cached = ctx.cache(Kinds.DataSeed).get(req.namespace, req.name);
    // Gone or going: its Jobs and their identity follow through owner references; an inline run stops.
    if (!cached || cached.metadata?.deletionTimestamp) {
      this.seeds.cancel(key);
      this.reporter.forget(key);
      this.references.forget(key);
      return {};
    }
    const parsed = parseSpec(cached.spec);
    if (!parsed.ok) {
      this.seeds.cancel(key);
      ctx.log.info({ reason: parsed.message }, 'spec refused');
      return this.reporter.fail(ctx, cached, { reason: 'InvalidSpec', message: parsed.message });
    }
    const gate = await baselineGate(ctx, parsed.spec, req.namespace);
    if (!gate.ok) {
      // A Baseline that stopped allowing this namespace stops its running seed too.
      this.seeds.cancel(key);
      ctx.log.info({ reason: gate.reason }, 'baseline refused');
      return this.reporter.fail(ctx, cached, { reason: gate.reason, message: gate.message });
    }
    if (runnerOf(parsed.spec) === 'Job') {
      this.seeds.cancel(key);
      return this.jobs.reconcile(ctx, cached, parsed.spec);
    }
    return this.inline.reconcile(ctx, cached, parsed.spec, gate.baseline);
  }
}
