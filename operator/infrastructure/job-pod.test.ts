import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRequest, RequestFileError, runJobPod } from './job-pod';
import type { StackRequest, StackResult } from './request';

// The pod's side of runner Job, with the stack operation and the API client
// replaced by recorders: what is patched into the result Secret, and that
// nothing of the request or the outputs reaches the log.

const request: StackRequest = {
  action: 'up',
  project: 'understudy-postgres-database',
  stack: 'previews.db.0123456789ab',
  program: 'postgres-database',
  backendUrl: 'file:///state',
  passphrase: 'the-passphrase',
  config: {},
  secretConfig: { serverUrl: 'postgresql://admin:hunter2@db/postgres' },
  env: {},
  removeStack: true,
};
const result: StackResult = {
  ok: true,
  action: 'up',
  durationMs: 1234,
  outputs: { password: { value: 'output-password', secret: true } },
  changes: { create: 2 },
  recovered: [],
};

function requestFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-job-pod-'));
  writeFileSync(join(dir, 'request.json'), content);
  return join(dir, 'request.json');
}

const decode = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));

describe('runJobPod', () => {
  it('patches progress while it runs and the result at the end, logging no secret', async () => {
    const patches: Array<{ ref: unknown; data: Record<string, string> }> = [];
    const logs: string[] = [];
    const code = await runJobPod({
      requestFile: requestFile(JSON.stringify(request)),
      resultSecret: { namespace: 'understudy-system', name: 'r-result' },
      client: {
        mergePatch: (ref: unknown, patch: unknown) => {
          patches.push({ ref, data: decode((patch as { data: Record<string, string> }).data) });
          return Promise.resolve({} as never);
        },
      },
      run: async (req, progress) => {
        expect(req).toEqual(request);
        progress('creating database');
        await new Promise((r) => setTimeout(r, 60));
        progress('created database');
        return result;
      },
      progressIntervalMs: 20,
      log: (line) => logs.push(line),
    });
    expect(code).toBe(0);
    expect(patches[0]?.ref).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: 'understudy-system',
      name: 'r-result',
    });
    expect(patches.some((p) => p.data.progress === 'creating database' && p.data.result === undefined)).toBe(true);
    const last = patches.at(-1)!.data;
    expect(JSON.parse(last.result!)).toEqual(result);
    expect(last.progress).toBe('created database');
    const logged = logs.join('\n');
    for (const secret of ['output-password', 'hunter2', 'the-passphrase']) expect(logged).not.toContain(secret);
    expect(logged).toContain('up of understudy-postgres-database/previews.db.0123456789ab: succeeded');
  });

  it('exits 1 when the result cannot be written, so the Job fails and the run is repeated', async () => {
    jest.useFakeTimers({ doNotFake: ['setInterval', 'clearInterval'] });
    try {
      const running = runJobPod({
        requestFile: requestFile(JSON.stringify(request)),
        resultSecret: { namespace: 'ns', name: 'r' },
        client: { mergePatch: () => Promise.reject(new Error('forbidden')) },
        run: () => Promise.resolve(result),
        log: () => undefined,
      });
      await jest.runAllTimersAsync();
      expect(await running).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('readRequest', () => {
  it('names the field of an invalid request, never its value', () => {
    const path = requestFile(JSON.stringify({ ...request, stack: 'bad stack hunter2' }));
    expect(() => readRequest(path)).toThrow(RequestFileError);
    expect(() => readRequest(path)).toThrow(/invalid stack request at stack$/);
    expect(() => readRequest(requestFile('{not json'))).toThrow(/cannot read the stack request/);
  });
});
