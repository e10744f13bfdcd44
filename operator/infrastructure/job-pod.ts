import { readFileSync } from 'node:fs';
import { errorMessage } from '../runtime/error-message';
import type { KubeClient } from '../runtime/kube-client';
import { type StackRequest, StackRequestSchema, type StackResult } from './request';

// The pod of an infrastructure Job (`understudy infrastructure run`): reads
// its request from the Secret volume the operator mounted, runs the stack
// operation (run-stack.ts) and patches the result Secret the operator made
// for it — progress while it works (at most every few seconds, bounded),
// then the result. Nothing of the request or the outputs (the database
// password) ever goes to the log, argv, a termination message or an event:
// the log gets one line saying which operation ended how.

export const RESULT_KEYS = { progress: 'progress', result: 'result' } as const;
const MAX_PROGRESS = 1024;

export interface PodRunOptions {
  requestFile: string;
  resultSecret: { namespace: string; name: string };
  client: Pick<KubeClient, 'mergePatch'>;
  run: (request: StackRequest, progress: (line: string) => void, signal: AbortSignal) => Promise<StackResult>;
  progressIntervalMs?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export class RequestFileError extends Error {}

/** The request, parsed; an error names the field, never a value. */
export function readRequest(path: string): StackRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RequestFileError(
      `--request ${path}: cannot read the stack request (${errorMessage(error).split('\n')[0]})`,
    );
  }
  const parsed = StackRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RequestFileError(`--request ${path}: invalid stack request at ${issue?.path.join('.') || '(root)'}`);
  }
  return parsed.data;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Runs the request and writes the result; 0 once the result is written (whether the operation succeeded or not). */
export async function runJobPod(o: PodRunOptions): Promise<number> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const request = readRequest(o.requestFile);
  const ref = { apiVersion: 'v1', kind: 'Secret', ...o.resultSecret };
  let latest: string | undefined;
  let written: string | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (latest === undefined || latest === written) return;
    const line = latest;
    flushing = flushing
      .then(() => o.client.mergePatch(ref, { data: { [RESULT_KEYS.progress]: b64(line) } }))
      .then(
        () => {
          written = line;
        },
        // Progress is best effort; the result is not.
        (error: unknown) => log(`progress not written: ${errorMessage(error).split('\n')[0]}`),
      );
  };
  const timer = setInterval(flush, o.progressIntervalMs ?? 2_000);
  timer.unref();
  const abort = new AbortController();
  o.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  let result: StackResult;
  try {
    result = await o.run(request, (line) => (latest = line.slice(0, MAX_PROGRESS)), abort.signal);
  } finally {
    clearInterval(timer);
  }
  await flushing;
  const data: Record<string, string> = { [RESULT_KEYS.result]: b64(JSON.stringify(result)) };
  if (latest !== undefined) data[RESULT_KEYS.progress] = b64(latest);
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await o.client.mergePatch(ref, { data });
      log(
        `${request.action} of ${request.project}/${request.stack}: ${result.ok ? 'succeeded' : 'failed'} in ${(result.durationMs / 1000).toFixed(1)} s; result written`,
      );
      return 0;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
  // Without a result the Job fails, and the controller runs the operation again (it converges).
  log(
    `the result could not be written to Secret ${o.resultSecret.namespace}/${o.resultSecret.name}: ${errorMessage(lastError).split('\n')[0]}`,
  );
  return 1;
}
