import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackRequest } from '../../infrastructure/request';
import { InlineRuns } from './runs';

// InlineRuns against stand-in runner scripts: the line protocol, a runner
// that dies before its result, and the limit on runs at once.

const request: StackRequest = {
  action: 'up',
  project: 'p',
  stack: 's',
  program: 'postgres-database',
  backendUrl: 'file:///tmp/x',
  passphrase: 'x',
  config: {},
  secretConfig: {},
  env: {},
  removeStack: true,
};

function script(body: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'understudy-runs-')), 'runner.js');
  writeFileSync(file, body);
  return file;
}

async function finished(runs: InlineRuns, key: string): Promise<NonNullable<ReturnType<InlineRuns['get']>>> {
  for (let i = 0; i < 200; i++) {
    const run = runs.get(key);
    if (run?.result) return run;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the run did not finish');
}

describe('InlineRuns', () => {
  it("reads progress and the result from the runner's lines, with the request on stdin", async () => {
    const runs = new InlineRuns(
      1,
      script(`
      let input = '';
      process.stdin.on('data', (c) => (input += c)).on('end', () => {
        const req = JSON.parse(input);
        console.log(JSON.stringify({ type: 'progress', message: 'creating database' }));
        console.log(JSON.stringify({ type: 'result', result: { ok: true, action: req.action, durationMs: 5, outputs: { stack: { value: req.stack, secret: false } }, changes: { create: 1 }, recovered: [] } }));
      });`),
    );
    runs.start('ns/a', request, 'd1');
    const run = await finished(runs, 'ns/a');
    expect(run.progress).toBe('creating database');
    expect(run.result).toMatchObject({ ok: true, outputs: { stack: { value: 's' } } });
    expect(run.digest).toBe('d1');
  });

  it('turns a runner that dies without a result into an interrupted failure, not a program failure', async () => {
    const runs = new InlineRuns(1, script(`process.stderr.write('boom\\n'); process.kill(process.pid, 'SIGKILL');`));
    runs.start('ns/b', request, 'd1');
    const run = await finished(runs, 'ns/b');
    expect(run.result).toMatchObject({ ok: false, interrupted: true });
    expect(run.result && !run.result.ok && run.result.message).toContain('was killed (SIGKILL)');
  });

  it('starts no more than its limit at once', async () => {
    const runs = new InlineRuns(1, script(`setTimeout(() => {}, 500);`));
    expect(runs.start('ns/c', request, 'd')).toBeDefined();
    expect(runs.start('ns/d', request, 'd')).toBeUndefined();
    runs.cancel('ns/c');
    expect(runs.get('ns/c')).toBeUndefined();
  });
});
