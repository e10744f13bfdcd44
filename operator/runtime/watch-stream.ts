import { errorMessage } from './error-message';
import { KubeApiError } from './kube-errors';
import type { KubernetesObject } from './client-node';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent {
  type: WatchEventType;
  object: KubernetesObject;
}

export interface ReadWatchOptions {
  idleTimeoutMs?: number | undefined;
  /** Closes the underlying request. */
  abort: () => void;
  /** When this aborts, the stream ending is the caller's doing and is not an error. */
  signal?: AbortSignal | undefined;
}

interface RawEvent {
  type?: string;
  object?: { code?: number; message?: string; reason?: string } & KubernetesObject;
}

/**
 * Reads a watch response (one JSON event per line) until it ends. Resolves
 * when the server closes the stream; rejects on an ERROR event, a malformed
 * line, a handler that throws, a transport error or an idle timeout.
 */
export function readWatchStream(
  body: NodeJS.ReadableStream,
  onEvent: (event: WatchEvent) => void,
  options: ReadWatchOptions,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buffered = '';
    let settled = false;
    let idleTimer: NodeJS.Timeout | undefined;

    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      // Read before abort(): closing the request may abort a signal derived from the caller's.
      const stoppedByCaller = options.signal?.aborted ?? false;
      clearTimeout(idleTimer);
      body.removeListener('data', onData);
      options.abort();
      if (err && !stoppedByCaller) reject(err instanceof Error ? err : new Error(errorMessage(err)));
      else resolve();
    };
    const armIdleTimer = (): void => {
      if (!options.idleTimeoutMs) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () => finish(new KubeApiError(`watch received nothing for ${options.idleTimeoutMs} ms`, 0, 'IdleTimeout')),
        options.idleTimeoutMs,
      );
    };
    const handleLine = (line: string): void => {
      if (!line.trim()) return;
      let raw: RawEvent;
      try {
        raw = JSON.parse(line) as RawEvent;
      } catch {
        throw new KubeApiError(`watch sent a line that is not JSON: ${line.slice(0, 200)}`, 0, 'MalformedEvent');
      }
      if (raw.type === 'ERROR') {
        const status = raw.object ?? {};
        throw new KubeApiError(`watch error: ${status.message ?? 'no message'}`, status.code ?? 500, status.reason);
      }
      if (raw.type !== 'ADDED' && raw.type !== 'MODIFIED' && raw.type !== 'DELETED' && raw.type !== 'BOOKMARK') {
        throw new KubeApiError(`watch sent an unknown event type ${String(raw.type)}`, 0, 'MalformedEvent');
      }
      if (!raw.object) throw new KubeApiError(`watch sent a ${raw.type} event without an object`, 0, 'MalformedEvent');
      onEvent({ type: raw.type, object: raw.object });
    };
    function onData(chunk: Buffer | string): void {
      if (settled) return;
      armIdleTimer();
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      try {
        while (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          handleLine(line);
          newline = buffered.indexOf('\n');
        }
      } catch (err) {
        finish(err);
      }
    }

    body.on('data', onData);
    body.once('end', () => {
      try {
        handleLine(buffered);
        finish();
      } catch (err) {
        finish(err);
      }
    });
    body.once('close', () => finish());
    body.once('error', (err: unknown) => finish(err));
    armIdleTimer();
  });
}
