import { SeedError } from './errors';

// A database connection that ends mid-seed (pg_terminate_backend, a failover,
// a restarted server) surfaces as whatever query was pending: a PostgreSQL
// error with an admin-shutdown code, or a client-side "terminated" error. A
// seed writes in one transaction, so such a loss never leaves a partial target.

/** SQLSTATEs of a connection the server ended: admin_shutdown, crash_shutdown, cannot_connect_now, connection_failure. */
const ENDED_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006']);
const ENDED_MESSAGES =
  /Connection terminated|connection error and is not queryable|terminating connection|ECONNRESET|EPIPE|Client was closed/i;

export function isConnectionLoss(err: unknown): boolean {
  // Duck-typed: socket errors come from Node's own realm, where `instanceof Error` may not hold (vm contexts, tests).
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return (
    (typeof code === 'string' && (ENDED_CODES.has(code) || code === 'ECONNRESET' || code === 'EPIPE')) ||
    (typeof message === 'string' && ENDED_MESSAGES.test(message))
  );
}

/** A lost connection as a seed failure that says so; anything else as it was. */
export function connectionLossAsSeedError(err: unknown): unknown {
  if (err instanceof SeedError || !isConnectionLoss(err)) return err;
  return new SeedError(
    'ConnectionFailed',
    `lost the connection to a database mid-seed (${(err as Error).message}); nothing was committed, the target is as it was`,
  );
}
