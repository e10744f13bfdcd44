import type { KubernetesObject } from '../runtime/client-node';
import { Informer, stripManagedFields } from '../runtime/informer';
import type { KubeClient } from '../runtime/kube-client';
import type { Logger } from '../runtime/logger';

// Follows one object as `kubectl wait` does: list then watch it by name (the
// informer resumes, relists on 410 and retries, so a dropped connection does
// not end the wait), and asks `decide` after every change and every tick.

export interface FollowOptions<T extends KubernetesObject, R> {
  client: KubeClient;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  timeoutMs: number;
  logger: Logger;
  /** The object as it is now (undefined once gone) and how long we have waited; a result ends the wait. */
  decide(object: T | undefined, elapsedMs: number): R | undefined;
  /** Ask again this often without a change, so time-based messages appear; 1 s by default. */
  tickMs?: number;
}

export type FollowResult<T, R> = { done: true; result: R } | { done: false; last: T | undefined };

export async function follow<T extends KubernetesObject, R>(options: FollowOptions<T, R>): Promise<FollowResult<T, R>> {
  const started = Date.now();
  const informer = new Informer<T>({
    client: options.client,
    apiVersion: options.apiVersion,
    kind: options.kind,
    namespaces: [options.namespace],
    fieldSelector: `metadata.name=${options.name}`,
    logger: options.logger,
    transform: stripManagedFields,
  });
  let settled = false;
  let resolveFinished: (result: FollowResult<T, R>) => void = () => undefined;
  const finished = new Promise<FollowResult<T, R>>((resolve) => (resolveFinished = resolve));
  // Events can still arrive while the informer stops; decide is not asked again once the wait is over.
  const settle = (result: FollowResult<T, R>): void => {
    settled = true;
    resolveFinished(result);
  };
  const check = (): void => {
    if (settled || !informer.hasSynced()) return;
    const result = options.decide(informer.get(options.namespace, options.name), Date.now() - started);
    if (result !== undefined) settle({ done: true, result });
  };
  informer.addHandlers({ onAdd: check, onUpdate: check, onDelete: check });
  const tick = setInterval(check, options.tickMs ?? 1000);
  const timeout = setTimeout(
    () => !settled && settle({ done: false, last: informer.get(options.namespace, options.name) }),
    options.timeoutMs,
  );
  informer.start();
  void informer.waitForSync().then(check);
  try {
    return await finished;
  } finally {
    clearInterval(tick);
    clearTimeout(timeout);
    await informer.stop();
  }
}
