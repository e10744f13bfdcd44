import { InlineLoadRuns } from './runs';

describe('inline load runs', () => {
  it('start at most `limit` at once, and make room when one ends or is cancelled', async () => {
    const runs = new InlineLoadRuns(2);
    let finish: () => void = () => undefined;
    const pending = new Promise<void>((resolve) => (finish = resolve));
    runs.start('a', 1, async () => (await pending, []));
    expect(runs.hasRoom()).toBe(true);
    runs.start('b', 1, (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve([]))));
    expect(runs.hasRoom()).toBe(false);
    runs.cancel('b');
    expect(runs.hasRoom()).toBe(true);
    runs.start('c', 1, () => new Promise(() => undefined));
    expect(runs.hasRoom()).toBe(false);
    finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs.get('a')).toMatchObject({ done: true, results: [] });
    expect(runs.hasRoom()).toBe(true);
  });
});
