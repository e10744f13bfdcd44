import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { isAlive } from './run-stack';

// A lock is stale once its engine is gone. A killed engine whose parent died
// too stays a zombie until PID 1 reaps it, and `kill(pid, 0)` still succeeds
// on a zombie: the lock must count as stale all the same, or the run after a
// crash fails on a lock nobody holds.

async function withProcess(argv: string[], use: (firstLine: string) => void | Promise<void>): Promise<void> {
  const shell = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const [chunk] = (await once(shell.stdout, 'data')) as [Buffer];
    await use(chunk.toString('utf8').trim());
  } finally {
    shell.kill('SIGKILL');
  }
}

describe('isAlive (the holder of a stack lock)', () => {
  it('is true for a running process', async () => {
    await withProcess(['sh', '-c', 'echo $$; exec sleep 10'], (pid) => expect(isAlive(Number(pid))).toBe(true));
  });

  it('is false for a zombie, though kill(pid, 0) still finds it', async () => {
    // The forked child exits at once; its parent never waits for it (perl-base is in every Debian).
    await withProcess(
      ['perl', '-e', 'my $p = fork; exit 0 unless $p; $| = 1; print "$p\\n"; sleep 10'],
      async (line) => {
        const pid = Number(line);
        for (let i = 0; i < 50 && !/\) Z/.test(safeStat(pid)); i++) await new Promise((r) => setTimeout(r, 20));
        expect(safeStat(pid)).toMatch(/\) Z/);
        expect(() => process.kill(pid, 0)).not.toThrow();
        expect(isAlive(pid)).toBe(false);
      },
    );
  });

  it('is false for a process that is gone', async () => {
    const child = spawn('true');
    await once(child, 'exit');
    expect(isAlive(child.pid!)).toBe(false);
  });
});

function safeStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}
