import type { PulumiInfrastructure } from '../../api/infrastructure';
import type { StackRequest } from '../../infrastructure/request';
import type { KubeClient } from '../../runtime/kube-client';
import type { JobRuns } from './job-runs';
import type { CurrentRun, StackRun } from './stack-run';
import type { InlineRuns } from './runs';

// The reconciler's one view of both runners: `Inline` (a child process of
// the operator, runs.ts) and `Job` (a Job in the operator's namespace,
// job-runs.ts). A run is found wherever it is, so an environment whose
// Baseline switched runners, or went away, still has its run collected or
// stopped.

export type { StackRun } from './stack-run';

export type RunnerKind = PulumiInfrastructure['runner'];

export class StackRuns {
  constructor(
    readonly inline: InlineRuns,
    readonly jobs: JobRuns,
  ) {}

  async get(client: KubeClient, key: string, current?: CurrentRun): Promise<StackRun | undefined> {
    return this.inline.get(key) ?? (await this.jobs.get(client, key, current));
  }

  /** Starts the operation on the Baseline's runner; undefined while that runner is at its limit. */
  async start(
    client: KubeClient,
    key: string,
    request: StackRequest,
    digest: string,
    o: { runner: RunnerKind; environment: { namespace: string; name: string; uid: string } },
  ): Promise<StackRun | undefined> {
    if (o.runner === 'Job') return this.jobs.start(client, key, request, digest, o.environment);
    return this.inline.start(key, request, digest);
  }

  waitingMessage(runner: RunnerKind, key: string): string {
    const backoff = runner === 'Job' ? this.jobs.backoffMs(key) : 0;
    if (backoff > 0)
      return `the last infrastructure Jobs ended without a result (killed, out of memory?); the next starts in ${Math.ceil(backoff / 1000)} s`;
    return runner === 'Job'
      ? `waiting for a free runner: at most ${this.jobs.limit} infrastructure Jobs run at once`
      : `waiting for a free runner: at most ${this.inline.limit} run at once`;
  }

  async forget(client: KubeClient, key: string, run: StackRun): Promise<void> {
    this.inline.forget(key, run);
    if (run.job !== undefined || run.pid === undefined) await this.jobs.forget(client, key, run);
  }

  async cancel(client: KubeClient, key: string): Promise<void> {
    this.inline.cancel(key);
    await this.jobs.cancel(client, key);
  }
}
