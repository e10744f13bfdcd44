import { runStack } from './run-stack';
import { type RunnerLine, StackRequestSchema, type StackResult } from './request';

// The runner process: reads one StackRequest (JSON) on stdin, writes
// progress lines and then one result line (JSON) on stdout, exits 0 when the
// result was written (whether the operation succeeded or not). The operator
// forks it for the Inline runner; a Job runs the same entry point.

function emit(line: RunnerLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function main(): Promise<number> {
  const parsed = StackRequestSchema.safeParse(JSON.parse(await readStdin()));
  if (!parsed.success) {
    process.stderr.write(`invalid stack request: ${parsed.error.issues[0]?.message ?? 'invalid'}\n`);
    return 2;
  }
  const abort = new AbortController();
  process.once('SIGTERM', () => abort.abort());
  // Forked by the operator with an IPC channel: when the operator goes away, so does the whole run
  // (this process group: the engine and the provider too), exactly as a crash would; the next run recovers.
  process.once('disconnect', () => {
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      process.exit(137);
    }
  });
  const result: StackResult = await runStack(
    parsed.data,
    (message) => emit({ type: 'progress', message }),
    abort.signal,
  );
  emit({ type: 'result', result });
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
