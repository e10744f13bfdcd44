/**
 * Runs `run` over `items` with at most `limit` in flight. After the first
 * failure no new item starts, and the promise settles only once every started
 * item has settled, then rejects with that first error: a caller that returns
 * on the rejection (a reconcile) leaves no write behind that could land after
 * it, or overlap the next reconcile of the same object.
 */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`inParallel limit must be a positive integer; got ${limit}`);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await run(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  // Workers never reject, so Promise.all waits for every one of them.
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
