import type { StackRequest, StackResult } from '../../infrastructure/request';

// A stack operation as the reconciler sees it, whichever runner runs it.

export interface StackRun {
  readonly key: string;
  readonly action: StackRequest['action'];
  /** Digest of what the run brings up, so the result is recorded against it. */
  readonly digest: string;
  readonly startedAtMs: number;
  /** The runner process (Inline). */
  readonly pid: number | undefined;
  /** The Job (runner Job). */
  readonly job?: string | undefined;
  progress: string | undefined;
  result: StackResult | undefined;
}

/** What the caller knows of the environment now: a Job for another uid, or an `up` of another digest, is stale. */
export interface CurrentRun {
  uid: string;
  digest?: string;
}
