import type { KubernetesObject } from './client-node';
import type { EventRecorder } from './events';
import type { CacheReader } from './informer';
import type { KubeClient } from './kube-client';
import type { Logger } from './logger';

/** Which object to reconcile. Only the key: the reconciler reads the current state itself. */
export interface Request {
  namespace: string;
  name: string;
}

export interface Result {
  /** Reconcile again after this long (e.g. a TTL), resetting the error backoff. */
  requeueAfterMs?: number;
  /** Reconcile again soon, with the rate limiter's backoff. */
  requeue?: boolean;
}

export interface ReconcileContext {
  /** Carries {controller, namespace, name, reconcileID} on every line. */
  log: Logger;
  client: KubeClient;
  recorder: EventRecorder;
  /** Aborted when the manager shuts down: long work should stop early. */
  signal: AbortSignal;
  /** The primary kind's cache. */
  primary: CacheReader<KubernetesObject>;
  /** The cache of another kind this controller watches; throws when it registered none. */
  cache<T extends KubernetesObject = KubernetesObject>(apiVersion: string, kind: string): CacheReader<T>;
}

export interface Reconciler {
  reconcile(req: Request, ctx: ReconcileContext): Promise<Result | void>;
}

/** A failure that retrying cannot fix (invalid spec, missing permission by design): logged, counted, not requeued. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function requestKey(req: Request): string {
  return req.namespace ? `${req.namespace}/${req.name}` : req.name;
}
