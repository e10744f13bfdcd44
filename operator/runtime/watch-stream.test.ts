import { PassThrough } from 'node:stream';
import { KubeApiError } from './kube-errors';
import { type WatchEvent, readWatchStream } from './watch-stream';

function cm(name: string, rv: string): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: rv } };
}

describe('readWatchStream', () => {
  it('parses events split across chunks and resolves when the stream ends', async () => {
    const body = new PassThrough();
    const events: WatchEvent[] = [];
    const done = readWatchStream(body, (e) => events.push(e), { abort: () => undefined });
    const text = `${JSON.stringify({ type: 'ADDED', object: cm('a', '1') })}\n${JSON.stringify({ type: 'BOOKMARK', object: cm('', '2') })}\n`;
    body.write(text.slice(0, 17));
    body.write(text.slice(17, 90));
    body.write(text.slice(90));
    body.end(JSON.stringify({ type: 'DELETED', object: cm('a', '3') }));
    await done;
    expect(events.map((e) => [e.type, e.object.metadata?.resourceVersion])).toEqual([
      ['ADDED', '1'],
      ['BOOKMARK', '2'],
      ['DELETED', '3'],
    ]);
  });

  it('rejects with the Status code of an ERROR event (410 Gone) and closes the request', async () => {
    const body = new PassThrough();
    let aborted = false;
    const done = readWatchStream(body, () => undefined, { abort: () => (aborted = true) });
    body.write(
      `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' } })}\n`,
    );
    const err = await done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).statusCode).toBe(410);
    expect((err as KubeApiError).message).toMatch(/too old resource version/);
    expect(aborted).toBe(true);
  });

  it("still rejects on an ERROR event when closing the request aborts a signal derived from the caller's", async () => {
    const body = new PassThrough();
    const own = new AbortController();
    const caller = new AbortController();
    const combined = AbortSignal.any([own.signal, caller.signal]);
    const done = readWatchStream(body, () => undefined, { abort: () => own.abort(), signal: caller.signal });
    expect(combined.aborted).toBe(false);
    // The API server sends the Status without a trailing newline and closes the stream.
    body.end(
      JSON.stringify({
        type: 'ERROR',
        object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' },
      }),
    );
    await expect(done).rejects.toMatchObject({ statusCode: 410 });
    expect(combined.aborted).toBe(true);
  });

  it('rejects when a handler throws, and on malformed lines', async () => {
    const body = new PassThrough();
    const done = readWatchStream(
      body,
      () => {
        throw new Error('handler broke');
      },
      { abort: () => undefined },
    );
    body.write(`${JSON.stringify({ type: 'ADDED', object: cm('a', '1') })}\n`);
    await expect(done).rejects.toThrow('handler broke');

    const body2 = new PassThrough();
    const done2 = readWatchStream(body2, () => undefined, { abort: () => undefined });
    body2.write('{not json\n');
    await expect(done2).rejects.toThrow(/not JSON/);
  });

  it('gives up on a stream that goes quiet for longer than the idle timeout', async () => {
    const body = new PassThrough();
    const done = readWatchStream(body, () => undefined, { abort: () => body.destroy(), idleTimeoutMs: 50 });
    body.write(`${JSON.stringify({ type: 'ADDED', object: cm('a', '1') })}\n`);
    await expect(done).rejects.toMatchObject({ reason: 'IdleTimeout' });
  });

  it('treats an end caused by the caller aborting as a clean stop', async () => {
    const body = new PassThrough();
    const controller = new AbortController();
    const done = readWatchStream(body, () => undefined, { abort: () => undefined, signal: controller.signal });
    controller.abort();
    body.destroy(new Error('aborted'));
    await expect(done).resolves.toBeUndefined();
  });
});
