/** Exponential backoff with full jitter on the upper half, as client-go's wait.Backoff with jitter. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  random?: () => number;
}

export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt));
  const random = options.random ?? Math.random;
  return ceiling / 2 + (random() * ceiling) / 2;
}
