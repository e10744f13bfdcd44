import type { KubeClient } from './kube-client';
import { createLogger } from './logger';
import { type Runnable, Runnables } from './runnable';

// Leader-only runnables run while leading and stop when leadership is lost;
// the others run in every replica from the start.

function recording(name: string, needLeaderElection?: boolean) {
  const events: string[] = [];
  const runnable: Runnable = {
    name,
    ...(needLeaderElection === undefined ? {} : { needLeaderElection }),
    start: (ctx) =>
      new Promise<void>((resolve) => {
        events.push('started');
        ctx.signal.addEventListener('abort', () => {
          events.push('stopped');
          resolve();
        });
      }),
  };
  return { runnable, events };
}

const context = {
  client: {} as KubeClient,
  logger: createLogger({ level: 'silent' }),
  informerFor: () => {
    throw new Error('no informers here');
  },
};

describe('Runnables', () => {
  it('starts leader-only runnables (the default) only with the leader group, and stops them on their own', async () => {
    const runnables = new Runnables(context);
    const sweep = recording('sweep');
    const server = recording('server', false);
    runnables.add(sweep.runnable);
    runnables.add(server.runnable);
    runnables.start(false);
    await Promise.resolve();
    expect(sweep.events).toEqual([]);
    expect(server.events).toEqual(['started']);
    runnables.start(true);
    await Promise.resolve();
    expect(sweep.events).toEqual(['started']);
    await runnables.stop(true, 1_000);
    expect(sweep.events).toEqual(['started', 'stopped']);
    expect(server.events).toEqual(['started']);
    await runnables.stop('all', 1_000);
    expect(server.events).toEqual(['started', 'stopped']);
  });

  it('refuses two runnables of one name, and survives one that fails', async () => {
    const runnables = new Runnables(context);
    runnables.add({ name: 'x', start: () => Promise.reject(new Error('boom')) });
    expect(() => runnables.add({ name: 'x', start: () => Promise.resolve() })).toThrow(/already registered/);
    runnables.start(true);
    await expect(runnables.stop('all', 1_000)).resolves.toBeUndefined();
  });

  it('does not wait past the timeout for a runnable that ignores its signal', async () => {
    const runnables = new Runnables(context);
    runnables.add({ name: 'stubborn', start: () => new Promise<void>(() => undefined) });
    runnables.start(true);
    const started = Date.now();
    await runnables.stop(true, 50);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
