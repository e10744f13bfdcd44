import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { RunnerLineSchema, type StackRequest, type StackResult } from '../../infrastructure/request';

// The Inline runner: each stack operation runs in a child process of the
// operator (the runner, operator/infrastructure/child.ts), never in the
// operator's own heap. A reconcile starts a run and comes back every few
// seconds to read its progress, then collects its result. The child is the
// leader of its own process group (the engine and the dynamic provider run in
// it), and exits when the operator goes away (its IPC channel closes), so an
// operator crash leaves no engine running; what it leaves in the stack (a
// lock, pending operations) the next run recovers.

export interface InlineRun {
  readonly key: string;
  readonly action: StackRequest['action'];
  /** Digest of what the run brings up, so the result is recorded against it. */
  readonly digest: string;
  readonly startedAtMs: number;
  readonly pid: number | undefined;
  progress: string | undefined;
  result: StackResult | undefined;
}

/** The runner script beside this module's tree: compiled (dist/) or, under tsx, the TypeScript source. */
export function runnerScript(): string {
  const ext = extname(__filename) === '.ts' ? '.ts' : '.js';
  return join(__dirname, '..', '..', 'infrastructure', `child${ext}`);
}

export class InlineRuns {
  private readonly runs = new Map<string, InlineRun & { child?: ChildProcess }>();

  constructor(
    readonly limit: number,
    private readonly script: string = runnerScript(),
  ) {}

  get(key: string): InlineRun | undefined {
    return this.runs.get(key);
  }

  running(): number {
    return [...this.runs.values()].filter((r) => r.result === undefined).length;
  }

  /** Starts a run, or returns undefined when `limit` runs are already going. */
  start(key: string, request: StackRequest, digest: string): InlineRun | undefined {
    if (this.running() >= this.limit) return undefined;
    if (!existsSync(this.script))
      throw new Error(`the infrastructure runner ${this.script} is missing (npm run build)`);
    const child = spawn(process.execPath, [...process.execArgv, this.script], {
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
      detached: true,
      env: process.env,
    });
    const run: InlineRun & { child?: ChildProcess } = {
      key,
      action: request.action,
      digest,
      startedAtMs: Date.now(),
      pid: child.pid,
      progress: undefined,
      result: undefined,
      child,
    };
    this.runs.set(key, run);
    let buffered = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        this.onLine(run, line);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    });
    child.on('error', (error) => this.finish(run, request.action, `the runner could not start: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (run.result) return;
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      this.finish(
        run,
        request.action,
        `the runner ${how} before reporting a result${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}; the next run recovers the stack`,
      );
    });
    child.stdin?.end(JSON.stringify(request));
    // The operator must not wait for its children to exit.
    child.unref();
    return run;
  }

  /** Forgets a finished run once its result is recorded. */
  forget(key: string, run: InlineRun): void {
    if (this.runs.get(key) === run) this.runs.delete(key);
  }

  /** Stops a run (its environment changed or went away): the process group is ended; the stack is recovered by the next run. */
  cancel(key: string): void {
    const run = this.runs.get(key);
    if (!run) return;
    if (run.result === undefined && run.pid !== undefined) {
      try {
        process.kill(-run.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    this.runs.delete(key);
  }

  private onLine(run: InlineRun, line: string): void {
    if (!line.trim()) return;
    let parsed;
    try {
      parsed = RunnerLineSchema.safeParse(JSON.parse(line));
    } catch {
      return;
    }
    if (!parsed.success) return;
    if (parsed.data.type === 'progress') run.progress = parsed.data.message;
    else run.result = parsed.data.result;
  }

  private finish(run: InlineRun, action: StackRequest['action'], message: string): void {
    if (run.result) return;
    run.result = {
      ok: false,
      action,
      durationMs: Date.now() - run.startedAtMs,
      message,
      recovered: [],
      interrupted: true,
    };
  }
}
