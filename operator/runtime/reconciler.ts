import type { KubernetesObject } from './client-node';
import type { EventRecorder } from './events';
import type { KindReference } from './gvk';
import type { IndexedCacheReader } from './informer';
import type { KubeClient } from './kube-client';
import type { Logger } from './logger';
import { namespacedKey } from './object-key';

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

/** The caches of the kinds a controller watches, for reconcilers and map functions. */
export interface Caches {
  /**
   * The cache of a kind the controller watches (or reconciles), typed for a
   * kind of operator/kinds.ts; throws when it registered none.
   */
  cache<T extends KubernetesObject = KubernetesObject>(kind: KindReference<T>): IndexedCacheReader<T>;
}

export interface ReconcileContext extends Caches {
  /** Carries {controller, namespace, name, reconcileID} on every line. */
  log: Logger;
  client: KubeClient;
  recorder: EventRecorder;
  /** Aborted when the manager shuts down: long work should stop early. */
  signal: AbortSignal;
  /** The primary kind's cache (with the objects of primaryAlso watches). */
  primary: IndexedCacheReader<KubernetesObject>;
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
  return namespacedKey(req.namespace, req.name);
}
