import { inParallel } from './in-parallel';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('inParallel', () => {
  it('runs every item with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    await inParallel(
      Array.from({ length: 20 }, (_, i) => i),
      4,
      async (i) => {
        peak = Math.max(peak, ++inFlight);
        await delay(2);
        inFlight--;
        done.push(i);
      },
    );
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(4);
  });

  it('after a failure starts nothing new and settles only when every started item has settled', async () => {
    const log: string[] = [];
    let failedAt = -1;
    const started: Array<{ item: number; at: number }> = [];
    const settled = new Set<number>();
    const run = async (item: number): Promise<void> => {
      started.push({ item, at: log.length });
      log.push(`start ${item}`);
      if (item === 5) {
        await delay(5);
        failedAt = log.length;
        log.push(`fail ${item}`);
        settled.add(item);
        throw new Error(`write ${item} failed`);
      }
      // Slow writes: several are still in flight when item 5 fails.
      await delay(40);
      log.push(`end ${item}`);
      settled.add(item);
    };
    const outcome = await inParallel(
      Array.from({ length: 50 }, (_, i) => i),
      8,
      run,
    ).then(
      () => 'resolved',
      (err: unknown) => (err as Error).message,
    );
    const settledWhenReturned = new Set(settled);
    await delay(100);

    expect(outcome).toBe('write 5 failed');
    expect(failedAt).toBeGreaterThan(0);
    expect(started.filter((s) => s.at > failedAt)).toEqual([]);
    // Nothing still running when the caller saw the rejection.
    expect(started.every((s) => settledWhenReturned.has(s.item))).toBe(true);
    expect(started.length).toBeLessThan(50);
  });

  it('rethrows the first of several failures', async () => {
    await expect(
      inParallel([1, 2, 3], 3, async (i) => {
        await delay(i * 5);
        throw new Error(`failure ${i}`);
      }),
    ).rejects.toThrow('failure 1');
  });

  it('does nothing for no items', async () => {
    await expect(inParallel([], 4, async () => Promise.reject(new Error('never')))).resolves.toBeUndefined();
  });
});
