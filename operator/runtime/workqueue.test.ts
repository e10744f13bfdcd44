import fc from 'fast-check';
import { createMetricsRegistry, runtimeMetrics } from './metrics';
import { ItemExponentialFailureRateLimiter } from './rate-limiter';
import { WorkQueue } from './workqueue';

type Op = { kind: 'add'; key: string } | { kind: 'get' } | { kind: 'done'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), key: fc.constantFrom('a', 'b', 'c', 'd') }),
  fc.record({ kind: fc.constant('get' as const) }),
  fc.record({ kind: fc.constant('done' as const), pick: fc.nat() }),
);

/** The reference model: a FIFO of distinct keys, a dirty set and an in-flight set. */
class Model {
  queue: string[] = [];
  dirty = new Set<string>();
  processing = new Set<string>();
  add(key: string): void {
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.processing.has(key)) this.queue.push(key);
  }
  get(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.queue.push(key);
  }
}

describe('WorkQueue', () => {
  it('matches the dirty/processing model: no duplicates, never the same key twice in flight (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 150 }), async (ops) => {
        const queue = new WorkQueue({ name: 'prop' });
        const model = new Model();
        const inFlight = new Set<string>();
        for (const op of ops) {
          if (op.kind === 'add') {
            queue.add(op.key);
            model.add(op.key);
          } else if (op.kind === 'get') {
            const expected = model.get();
            if (expected === undefined) continue; // get() would block; the model says nothing is ready
            const key = await queue.get();
            expect(key).toBe(expected);
            expect(inFlight.has(key!)).toBe(false);
            inFlight.add(key!);
          } else {
            const keys = [...inFlight];
            if (keys.length === 0) continue;
            const key = keys[op.pick % keys.length]!;
            inFlight.delete(key);
            queue.done(key);
            model.done(key);
          }
          expect(queue.len()).toBe(model.queue.length);
          expect(new Set(model.queue).size).toBe(model.queue.length);
        }
        // Everything still dirty is eventually handed out once the workers finish.
        for (const key of inFlight) {
          queue.done(key);
          model.done(key);
        }
        const drained: string[] = [];
        while (queue.len() > 0) {
          const key = (await queue.get())!;
          drained.push(key);
          queue.done(key);
        }
        expect(drained.sort()).toEqual([...model.dirty].sort());
        queue.shutDown();
      }),
    );
  });

  it('collapses many adds of one key into one hand-out, and re-queues a key added while in flight once', async () => {
    const queue = new WorkQueue({ name: 'burst' });
    for (let i = 0; i < 100; i++) queue.add('k');
    expect(queue.len()).toBe(1);
    const key = await queue.get();
    for (let i = 0; i < 100; i++) queue.add('k');
    expect(queue.len()).toBe(0);
    queue.done(key!);
    expect(queue.len()).toBe(1);
    queue.shutDown();
  });

  it('hands a key to a waiting worker as soon as it is added', async () => {
    const queue = new WorkQueue({ name: 'wait' });
    const pending = queue.get();
    queue.add('x');
    await expect(pending).resolves.toBe('x');
    queue.shutDown();
  });

  it('addAfter delivers after the delay and keeps the earliest of two pending times', async () => {
    const queue = new WorkQueue({ name: 'delay' });
    const start = performance.now();
    // The later times are far apart from the earliest so a busy CI machine's
    // event-loop lag cannot be mistaken for the wrong time winning.
    queue.addAfter('late', 1_200);
    queue.addAfter('late', 40);
    queue.addAfter('late', 1_000);
    const key = await queue.get();
    const waited = performance.now() - start;
    expect(key).toBe('late');
    expect(waited).toBeGreaterThanOrEqual(35);
    expect(waited).toBeLessThan(800);
    queue.done('late');
    await new Promise((r) => setTimeout(r, 1_300));
    expect(queue.len()).toBe(0);
    queue.shutDown();
  });

  it('addRateLimited backs off exponentially per key and forget resets it', () => {
    const queue = new WorkQueue({ name: 'rl', rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000) });
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    expect(queue.numRequeues('a')).toBe(3);
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
    queue.shutDown();
  });

  it('shutDown releases waiting workers and drain waits for work in flight', async () => {
    const queue = new WorkQueue({ name: 'drain' });
    queue.add('busy');
    const key = await queue.get();
    const idle = queue.get();
    const drained = queue.shutDownWithDrain(2000);
    await expect(idle).resolves.toBeUndefined();
    queue.add('ignored');
    expect(queue.len()).toBe(0);
    setTimeout(() => queue.done(key!), 50);
    await expect(drained).resolves.toBe(true);
  });

  it('drain gives up after its timeout when a worker never finishes', async () => {
    const queue = new WorkQueue({ name: 'stuck' });
    queue.add('stuck');
    await queue.get();
    await expect(queue.shutDownWithDrain(50)).resolves.toBe(false);
  });

  it('records controller-runtime workqueue metrics', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const metrics = runtimeMetrics(registry);
    const queue = new WorkQueue({ name: 'm', metrics: metrics.workqueue });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    // controller-runtime labels every workqueue series with its controller as well as its name.
    expect((await registry.getSingleMetric('workqueue_depth')!.get()).values).toEqual([
      expect.objectContaining({ labels: { controller: 'm', name: 'm' }, value: 2 }),
    ]);
    const key = await queue.get();
    await new Promise((r) => setTimeout(r, 20));
    const text = await registry.metrics();
    expect(text).toMatch(/workqueue_adds_total\{controller="m",name="m"\} 2/);
    expect(text).toMatch(/workqueue_depth\{controller="m",name="m"\} 1/);
    const longest = Number(
      /workqueue_longest_running_processor_seconds\{controller="m",name="m"\} ([0-9.e-]+)/.exec(text)?.[1],
    );
    expect(longest).toBeGreaterThanOrEqual(0.015);
    queue.done(key!);
    queue.addRateLimited('c');
    const after = await registry.metrics();
    expect(after).toMatch(/workqueue_retries_total\{controller="m",name="m"\} 1/);
    expect(after).toMatch(/workqueue_work_duration_seconds_count\{controller="m",name="m"\} 1/);
    expect(after).toMatch(/workqueue_queue_duration_seconds_count\{controller="m",name="m"\} 1/);
    queue.shutDown();
  });
});
