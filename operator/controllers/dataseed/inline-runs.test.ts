import { SeedError } from '../../seed/errors';
import type { SeedReport } from '../../seed/run';
import { InlineSeeds, type SeedTask } from './inline-runs';

const report = (rows: number): SeedReport => ({
  source: 'sql',
  tables: [],
  totals: { rows, seconds: 0, rowsPerSecond: 0 },
});

/** A task that runs until released (or aborted), recording how many ran at once. */
function gate() {
  let active = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const task =
    (rows: number): SeedTask =>
    (signal, onProgress) =>
      new Promise<SeedReport>((resolve, reject) => {
        active++;
        peak = Math.max(peak, active);
        onProgress({ table: 't', tableRows: rows, rows, rowsPerSecond: 1, done: false });
        const finish = (): void => {
          active--;
          resolve(report(rows));
        };
        releases.push(finish);
        signal.addEventListener(
          'abort',
          () => {
            active--;
            reject(new SeedError('Cancelled', 'aborted'));
          },
          { once: true },
        );
      });
  return { task, releases, peak: () => peak, active: () => active };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('InlineSeeds', () => {
  it('runs at most `limit` seeds at once; the others wait queued, then run in turn', async () => {
    const seeds = new InlineSeeds(2);
    const g = gate();
    const runs = ['a', 'b', 'c'].map((key, i) => seeds.start(key, 1, g.task(i)));
    await tick();
    expect(runs.map((r) => r.phase)).toEqual(['running', 'running', 'queued']);
    expect(seeds.running).toBe(2);
    g.releases[0]!();
    await runs[0]!.done;
    await tick();
    expect(runs[0]!.outcome).toEqual({ ok: true, report: report(0) });
    expect(runs[2]!.phase).toBe('running');
    g.releases[1]!();
    g.releases[2]!();
    await Promise.all(runs.map((r) => r.done));
    expect(g.peak()).toBe(2);
    expect(seeds.running).toBe(0);
  });

  it('starts running at once when a slot is free, with progress visible', async () => {
    const seeds = new InlineSeeds(1);
    const g = gate();
    const run = seeds.start('a', 1, g.task(42));
    expect(run.phase).toBe('running');
    await tick();
    expect(run.progress?.rows).toBe(42);
    g.releases[0]!();
    await run.done;
  });

  it('aborts an older generation and starts the newer one only after it stopped', async () => {
    const seeds = new InlineSeeds(2);
    const g = gate();
    const old = seeds.start('a', 1, g.task(1));
    await tick();
    const next = seeds.start('a', 2, g.task(2));
    expect(next.phase).toBe('queued');
    await old.done;
    expect(old.outcome).toMatchObject({ ok: false });
    await tick();
    expect(next.phase).toBe('running');
    expect(seeds.get('a')).toBe(next);
    expect(g.peak()).toBe(1);
    g.releases[1]!();
    await next.done;
  });

  it('stops every run when the operator shuts down, queued ones included', async () => {
    const seeds = new InlineSeeds(1);
    const g = gate();
    const shutdown = new AbortController();
    const running = seeds.start('a', 1, g.task(1), shutdown.signal);
    const queued = seeds.start('b', 1, g.task(2), shutdown.signal);
    await tick();
    shutdown.abort();
    await Promise.all([running.done, queued.done]);
    for (const run of [running, queued]) expect((run.outcome as { error: SeedError }).error.reason).toBe('Cancelled');
    expect(seeds.running).toBe(0);
  });

  it("makes a cancelled key's next run wait until the cancelled one has stopped", async () => {
    const seeds = new InlineSeeds(2);
    let stopped = false;
    const slow: SeedTask = (signal) =>
      new Promise((_, reject) =>
        signal.addEventListener('abort', () =>
          setTimeout(() => {
            stopped = true;
            reject(new Error('x'));
          }, 20),
        ),
      );
    seeds.start('a', 1, slow);
    seeds.cancel('a');
    expect(seeds.get('a')).toBeUndefined();
    let startedAfterStop: boolean | undefined;
    const next = seeds.start('a', 1, async () => {
      startedAfterStop = stopped;
      return report(0);
    });
    await next.done;
    expect(startedAfterStop).toBe(true);
  });

  it("runs at most `perNamespace` seeds of one namespace; another namespace's seed is not held up behind them", async () => {
    const seeds = new InlineSeeds(3, Date.now, { perNamespace: 1 });
    const g = gate();
    const a1 = seeds.start('team-a/one', 1, g.task(1));
    const a2 = seeds.start('team-a/two', 1, g.task(2));
    const b1 = seeds.start('team-b/one', 1, g.task(3));
    await tick();
    expect([a1.phase, a2.phase, b1.phase]).toEqual(['running', 'queued', 'running']);
    expect(seeds.running).toBe(2);
    g.releases[0]!();
    await a1.done;
    await tick();
    expect(a2.phase).toBe('running');
    g.releases[1]!();
    g.releases[2]!();
    await Promise.all([a2.done, b1.done]);
    expect(seeds.running).toBe(0);
  });

  it('when the process is full, gives a freed slot to the first waiter whose namespace is under its limit', async () => {
    const seeds = new InlineSeeds(2, Date.now, { perNamespace: 1 });
    const g = gate();
    const a1 = seeds.start('team-a/one', 1, g.task(1));
    const b1 = seeds.start('team-b/one', 1, g.task(2));
    const b2 = seeds.start('team-b/two', 1, g.task(3));
    const c1 = seeds.start('team-c/one', 1, g.task(4));
    await tick();
    expect([a1.phase, b1.phase, b2.phase, c1.phase]).toEqual(['running', 'running', 'queued', 'queued']);
    g.releases[0]!(); // team-a's slot: team-b is still at its limit, so team-c runs
    await a1.done;
    await tick();
    expect([b2.phase, c1.phase]).toEqual(['queued', 'running']);
    g.releases[1]!();
    await b1.done;
    await tick();
    expect(b2.phase).toBe('running');
    g.releases[2]!();
    g.releases[3]!();
    await Promise.all([b2.done, c1.done]);
  });

  it('cancels a run past its deadline and fails it with DeadlineExceeded, freeing its slot', async () => {
    const seeds = new InlineSeeds(1, Date.now, { deadlineMs: 30 });
    const g = gate();
    const slow = seeds.start('team-a/slow', 1, g.task(1));
    const next = seeds.start('team-b/next', 1, g.task(2));
    await slow.done;
    const error = (slow.outcome as { ok: false; error: SeedError }).error;
    expect(error).toBeInstanceOf(SeedError);
    expect(error.reason).toBe('DeadlineExceeded');
    expect(error.message).toContain('deadline of 0.03s');
    await tick();
    expect(next.phase).toBe('running');
    g.releases[1]!();
    await next.done;
    expect(next.outcome).toEqual({ ok: true, report: report(2) });
  });

  it('refuses a limit per namespace or a deadline that is not positive', () => {
    expect(() => new InlineSeeds(2, Date.now, { perNamespace: 0 })).toThrow(/per namespace/);
    expect(() => new InlineSeeds(2, Date.now, { deadlineMs: 0 })).toThrow(/deadline/);
  });
});
