import { SingleBar } from 'cli-progress';
import type { SeedProgress } from './progress';

// How the CLI shows progress: a bar (rows, rows/s, ETA) on a terminal, one JSON
// line at most every second otherwise (CI logs, Kubernetes Jobs).

export interface ProgressView {
  update(p: SeedProgress): void;
  stop(): void;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export function progressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  if (stream.isTTY) {
    let bar: SingleBar | undefined;
    return {
      update(p) {
        const total = Math.max(p.expectedRows ?? 0, p.rows, 1);
        if (!bar) {
          bar = new SingleBar({
            stream,
            format: ' {bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {etaText} | {table}',
            hideCursor: true,
            clearOnComplete: false,
          });
          bar.start(total, 0, { rows: '0', rate: '0', etaText: '?', table: '' });
        }
        bar.setTotal(total);
        bar.update(p.rows, {
          rows: fmt(p.rows),
          rate: fmt(p.rowsPerSecond),
          etaText: p.etaSeconds === undefined ? 'n/a' : `${Math.ceil(p.etaSeconds)}s`,
          table: p.table,
        });
      },
      stop() {
        bar?.stop();
      },
    };
  }
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 1000 && !p.done) return;
      last = now;
      stream.write(
        `${JSON.stringify({ event: 'progress', table: p.table, tableRows: p.tableRows, rows: p.rows, expectedRows: p.expectedRows, rowsPerSecond: Math.round(p.rowsPerSecond), etaSeconds: p.etaSeconds === undefined ? undefined : Math.ceil(p.etaSeconds) })}\n`,
      );
    },
    stop() {},
  };
}
