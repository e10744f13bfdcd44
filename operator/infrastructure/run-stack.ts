import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LocalWorkspace, PulumiCommand, type EngineEvent, type Stack } from '@pulumi/pulumi/automation';
import { engineEnv, engineProblem, engineRoot } from './engine';
import { describeEvent, engineFailureMessage } from './events';
import { programOf } from './programs';
import type { StackRequest, StackResult } from './request';

// One stack operation through the Automation API, in a runner process (never
// in the operator itself: programs and the engine's output would share its
// heap). The engine is the `pulumi` CLI; the inline program is served by the
// SDK in this process. Before every operation the stack is recovered from a
// runner that died mid-operation: its lock is removed and its pending
// operations dropped. That is safe because one runner at a time works on a
// stack (the controller starts one per environment) and the program's
// resources are idempotent: a create that happened but was never recorded is
// adopted by the next create, a delete repeated is a no-op.

export type Progress = (message: string) => void;

/** The stack's lock belongs to an engine that still runs on this host: not a failure of the program. */
class StackBusyError extends Error {}

const execFileAsync = promisify(execFile);

export async function runStack(request: StackRequest, progress: Progress, signal?: AbortSignal): Promise<StackResult> {
  const started = Date.now();
  const recovered: string[] = [];
  const errors: string[] = [];
  const onEvent = (event: EngineEvent): void => {
    const line = describeEvent(event);
    if (line) progress(line);
    const diag = event.diagnosticEvent;
    if (diag && diag.severity === 'error') errors.push(diag.message);
  };
  try {
    const root = engineRoot();
    const problem = engineProblem(root);
    if (problem) throw new Error(problem);
    const env = engineEnv({
      ...request.env,
      PULUMI_BACKEND_URL: request.backendUrl,
      PULUMI_CONFIG_PASSPHRASE: request.passphrase,
    });
    mkdirSync(env.PULUMI_HOME!, { recursive: true });
    const pulumiCommand = await PulumiCommand.get({ root, skipVersionCheck: true });
    const stack = await LocalWorkspace.createOrSelectStack(
      { projectName: request.project, stackName: request.stack, program: programOf(request) },
      {
        pulumiCommand,
        envVars: env,
        pulumiHome: env.PULUMI_HOME!,
        projectSettings: { name: request.project, runtime: 'nodejs', backend: { url: request.backendUrl } },
      },
    );
    recovered.push(...(await recover(stack, request)));
    for (const line of recovered) progress(line);
    await stack.setAllConfig({
      ...Object.fromEntries(Object.entries(request.config).map(([k, v]) => [k, { value: v }])),
      ...Object.fromEntries(Object.entries(request.secretConfig).map(([k, v]) => [k, { value: v, secret: true }])),
    });
    const common = { onEvent, ...(signal ? { signal } : {}) };
    // Where the time goes: engine calls before the operation (version, stack select, recovery, config) and the operation.
    const preparedAt = Date.now();
    const timings = () => ({ prepareMs: preparedAt - started, operationMs: Date.now() - preparedAt });
    if (request.action === 'up') {
      const result = await stack.up(common);
      return {
        ok: true,
        action: 'up',
        durationMs: Date.now() - started,
        outputs: result.outputs,
        changes: countChanges(result.summary.resourceChanges),
        recovered,
        timings: timings(),
      };
    }
    if (request.action === 'drift') {
      const preview = await stack.previewRefresh(common);
      const changes = countChanges(preview.changeSummary);
      const drifted = Object.entries(changes).some(([op, n]) => op !== 'same' && n > 0);
      return { ok: true, action: 'drift', durationMs: Date.now() - started, outputs: {}, changes, drifted, recovered };
    }
    const result = await stack.destroy(common);
    // `stack rm --remove-backups`: the checkpoint's .bak, backups and history go too, so nothing of the stack is left in the backend.
    if (request.removeStack)
      await execFileAsync(
        join(root, 'bin', 'pulumi'),
        ['stack', 'rm', '--yes', '--remove-backups', '--non-interactive', request.stack],
        { cwd: stack.workspace.workDir, env: { ...process.env, ...env } },
      );
    return {
      ok: true,
      action: 'destroy',
      durationMs: Date.now() - started,
      outputs: {},
      changes: countChanges(result.summary.resourceChanges),
      recovered,
    };
  } catch (error) {
    return {
      ok: false,
      action: request.action,
      durationMs: Date.now() - started,
      message: engineFailureMessage(errors, error),
      recovered,
      ...(error instanceof StackBusyError ? { busy: true } : {}),
    };
  }
}

function countChanges(summary: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(summary ?? {}).filter(([, n]) => typeof n === 'number'));
}

interface PendingOperation {
  type?: string;
  resource?: { urn?: string };
}

/**
 * Clears what a killed runner left: the stack's lock (`cancel` removes a
 * file:// backend's lock files) and pending operations in the checkpoint
 * (which would otherwise make every later update warn, and a pending create
 * be forgotten). Returns what it cleared, for the status and the log.
 */
async function recover(stack: Stack, request: StackRequest): Promise<string[]> {
  const cleared: string[] = [];
  const locks = fileBackendLocks(request);
  // A file:// stack without a lock was left by a run that finished: an interrupted one leaves its lock behind.
  // Two engine invocations fewer on every run; other backends are always checked.
  if (locks === 0 && request.backendUrl.startsWith('file://')) return cleared;
  await stack.cancel();
  if (locks > 0) cleared.push(`recovered: removed ${locks} stale lock(s) of an interrupted run`);
  const state = await stack.exportStack();
  const deployment = state.deployment as { pending_operations?: PendingOperation[] } | undefined;
  const pending = deployment?.pending_operations ?? [];
  if (pending.length > 0) {
    const what = pending.map(
      (op) => `${op.type ?? 'operation'} of ${op.resource?.urn?.split('::').pop() ?? 'a resource'}`,
    );
    await stack.importStack({ ...state, deployment: { ...deployment, pending_operations: [] } });
    cleared.push(
      `recovered: cleared ${pending.length} pending operation(s) of an interrupted run (${what.join(', ')})`,
    );
  }
  return cleared;
}

/**
 * Lock files of a file:// backend. A lock whose engine still runs on this
 * host is not stale: the operation fails (and is retried later) rather than
 * break it. Other backends lock elsewhere; cancel clears them all the same,
 * and the controller never runs two operations on one stack.
 */
function fileBackendLocks(request: StackRequest): number {
  if (!request.backendUrl.startsWith('file://')) return 0;
  const dir = join(
    fileURLToPath(request.backendUrl),
    '.pulumi',
    'locks',
    'organization',
    request.project,
    request.stack,
  );
  if (!existsSync(dir)) return 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  for (const file of files) {
    const lock = readLock(join(dir, file));
    if (lock && lock.hostname === hostname() && isAlive(lock.pid))
      throw new StackBusyError(
        `stack ${request.stack} is locked by a running engine (pid ${lock.pid}); retrying shortly`,
      );
  }
  return files.length;
}

function readLock(path: string): { pid: number; hostname: string } | undefined {
  try {
    const lock = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; hostname?: unknown };
    return typeof lock.pid === 'number' && typeof lock.hostname === 'string'
      ? { pid: lock.pid, hostname: lock.hostname }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The lock's engine still runs. A zombie (killed, not yet reaped: a container's PID 1 may be slow to) holds nothing. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
