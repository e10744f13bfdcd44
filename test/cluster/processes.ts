import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Components run detached with a pid file each, so `cluster:down` from
// another process (or after a crash of the test runner) can find and stop them.

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True only when the pid is alive and still runs the binary we started (pids get reused). */
function runs(pid: number, binary: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]?.endsWith(binary) ?? false;
  } catch {
    return false;
  }
}

interface PidRecord {
  pid: number;
  binary: string;
}

export class ProcessTable {
  constructor(private readonly dir: string) {
    mkdirSync(join(dir, 'pids'), { recursive: true });
    mkdirSync(join(dir, 'logs'), { recursive: true });
  }

  logFile(name: string): string {
    return join(this.dir, 'logs', `${name}.log`);
  }

  start(name: string, binary: string, args: string[]): number {
    const log = openSync(this.logFile(name), 'a');
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${binary})`);
    child.unref();
    writeFileSync(this.pidFile(name), JSON.stringify({ pid: child.pid, binary } satisfies PidRecord));
    return child.pid;
  }

  /** Tracks a process started elsewhere, so `cluster:down` stops it too. */
  adopt(name: string, pid: number, binary: string): void {
    writeFileSync(this.pidFile(name), JSON.stringify({ pid, binary } satisfies PidRecord));
  }

  running(name: string): number | undefined {
    const rec = this.record(name);
    return rec && runs(rec.pid, rec.binary) ? rec.pid : undefined;
  }

  names(): string[] {
    return readdirSync(join(this.dir, 'pids'))
      .filter((f) => f.endsWith('.pid'))
      .map((f) => f.slice(0, -4));
  }

  kill(name: string, signal: NodeJS.Signals = 'SIGTERM'): void {
    const pid = this.running(name);
    if (pid !== undefined) process.kill(pid, signal);
  }

  /** Stops a component and waits until it is gone; SIGKILL after the grace period. */
  async stop(name: string, graceMs = 10_000): Promise<void> {
    const pid = this.running(name);
    if (pid !== undefined) {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (isAlive(pid) && Date.now() < deadline) await sleep(100);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(50);
    }
    rmSync(this.pidFile(name), { force: true });
  }

  private pidFile(name: string): string {
    return join(this.dir, 'pids', `${name}.pid`);
  }

  private record(name: string): PidRecord | undefined {
    const file = this.pidFile(name);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
    } catch {
      return undefined;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
