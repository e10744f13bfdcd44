import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import {
  type RunnerLine,
  RunnerLineSchema,
  type StackRequest,
  type StackResult,
} from '../../operator/infrastructure/request';

// Test helpers for the infrastructure runner: run the compiled runner
// process (as the operator's Inline runner does) and look at the server.

export const RUNNER = resolve(__dirname, '../../dist/operator/infrastructure/child.js');

export function runRunner(
  request: Partial<StackRequest> & Pick<StackRequest, 'action' | 'stack' | 'backendUrl'>,
): Promise<{ result: StackResult; progress: string[] }> {
  const full = {
    project: 'understudy-test',
    program: 'postgres-database',
    passphrase: 'test-passphrase',
    config: {},
    secretConfig: {},
    env: {},
    ...request,
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [RUNNER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines: RunnerLine[] = out
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => RunnerLineSchema.parse(JSON.parse(l)));
      const result = lines.find((l): l is Extract<RunnerLine, { type: 'result' }> => l.type === 'result')?.result;
      if (!result) return reject(new Error(`runner exited ${code} without a result: ${err.slice(-2000)}`));
      resolvePromise({ result, progress: lines.flatMap((l) => (l.type === 'progress' ? [l.message] : [])) });
    });
    child.stdin.end(JSON.stringify(full));
  });
}

export async function pgQuery<T extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function databasesLike(url: string, pattern: string): Promise<string[]> {
  return (
    await pgQuery<{ datname: string }>(url, 'SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1', [
      pattern,
    ])
  ).map((r) => r.datname);
}

export async function rolesLike(url: string, pattern: string): Promise<string[]> {
  return (
    await pgQuery<{ rolname: string }>(url, 'SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1', [pattern])
  ).map((r) => r.rolname);
}

export function testPgUrl(): string {
  const url = process.env.UNDERSTUDY_TEST_PG_URL;
  if (!url) throw new Error('UNDERSTUDY_TEST_PG_URL is not set: run through the integration project');
  return url;
}
