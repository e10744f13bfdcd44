import type { SeedDatabase, TableWriter } from './driver';
import type { TableResult } from './report';
import { isConnectionLoss } from './connection-loss';
import { SeedError } from './errors';
import type { TableInfo } from './model';
import type { LoadPlan } from './plan';

// Writes tables in foreign-key order, atomically: TRUNCATE, every COPY, the
// deferred keys, the sequences and then the verification (integrity, leak scan,
// fidelity — `verify`, reading through the same connection) all happen in ONE
// transaction on ONE connection, and COMMIT comes last. A seed that fails its
// checks, loses its connection or whose process is killed leaves the target
// exactly as it was: PostgreSQL discards the transaction.
//
// Why not `parallelism` connections (one per table) or a shadow schema that is
// swapped in: separate connections cannot share one transaction, so TRUNCATE
// and each table would commit on their own (a killed seed left an empty or
// half-written target); a shadow schema needs every index, constraint, trigger,
// grant, sequence and view that references the tables rebuilt and re-pointed,
// which is a second schema migrator. The cost of one transaction: tables are
// written one after another, and the target's tables are locked (TRUNCATE
// takes ACCESS EXCLUSIVE) until the seed commits or rolls back.

export interface TableJob {
  table: TableInfo;
  columns: string[];
  /** Wire-format chunks; the job counts its own rows. */
  chunks: (signal?: AbortSignal) => AsyncIterable<string | Buffer>;
  rows: () => number;
}

export interface WriteOptions {
  /** Kept for the spec's field; writes are serial in one transaction (see above). */
  parallelism: number;
  /** Check foreign keys per row, or (when the driver may) once per key after each table loads. */
  foreignKeys: 'PerRow' | 'AfterLoad';
  /** Tables emptied first under Truncate; the loaded tables when not given. */
  truncate?: TableInfo[];
  /** Foreign keys filled in after the load, not checked with their table. */
  deferredKeys: Set<string>;
  reset: 'Truncate' | 'Append';
  signal?: AbortSignal;
  /** Runs after every table is loaded (deferred keys), inside the transaction. */
  afterLoad?: (writer: TableWriter) => Promise<void>;
  /** Checks the loaded data before COMMIT, through the writer's transaction; throwing rolls everything back. */
  verify?: (view: SeedDatabase, tables: TableResult[]) => Promise<void>;
}

async function writeOne(writer: TableWriter, job: TableJob, opts: WriteOptions): Promise<TableResult> {
  const started = Date.now();
  await writer.copyIn(job.table, job.columns, job.chunks(opts.signal), opts.signal);
  if (writer.checksDeferred) {
    // Loaded without per-row checks: every key is verified set-wise before the table commits.
    const id = `${job.table.schema}.${job.table.name}`;
    // Parents are loaded (in this transaction) before their children, so every key but the deferred ones can be checked now.
    const keys = job.table.foreignKeys.filter((fk) => !opts.deferredKeys.has(`${id}.${fk.name}`));
    const orphans = await writer.countOrphans(job.table, keys);
    if (orphans > 0) throw new SeedError('IntegrityFailed', `${id}: ${orphans} rows reference rows that do not exist`);
  }
  return { name: `${job.table.schema}.${job.table.name}`, rows: job.rows(), seconds: (Date.now() - started) / 1000 };
}

function failed(err: unknown, table: string | undefined, touched: boolean): SeedError {
  if (err instanceof SeedError) return err;
  const message = (err as Error).message ?? String(err);
  if (isConnectionLoss(err)) {
    return new SeedError(
      'ConnectionFailed',
      `lost the connection to a database${table ? ` while writing ${table}` : ''} (${message}); nothing was committed, the target is as it was`,
    );
  }
  return new SeedError(
    'WriteFailed',
    table ? `writing ${table} failed: ${message}` : `writing failed: ${message}`,
    [],
    touched,
  );
}

async function inOneTransaction(db: SeedDatabase, jobs: TableJob[], opts: WriteOptions): Promise<TableResult[]> {
  const writer = await db.openWriter();
  const results: TableResult[] = [];
  let current: string | undefined;
  try {
    await writer.begin({ foreignKeys: opts.foreignKeys });
    if (opts.reset === 'Truncate') await writer.truncate(opts.truncate ?? jobs.map((j) => j.table));
    for (const job of jobs) {
      current = `${job.table.schema}.${job.table.name}`;
      results.push(await writeOne(writer, job, opts));
    }
    current = undefined;
    await opts.afterLoad?.(writer);
    for (const job of jobs) await writer.resetSequences(job.table);
    if (opts.verify) {
      current = undefined;
      await opts.verify(writer.view?.() ?? db, results);
    }
    // The last moment a cancellation (shutdown, deadline, newer spec) can still leave the target as it was.
    if (opts.signal?.aborted)
      throw new SeedError('Cancelled', 'the seed was cancelled before it finished; the target was left as it was');
    await writer.commit();
    return results;
  } catch (err) {
    await writer.rollback();
    throw failed(err, current, false);
  } finally {
    await writer.close();
  }
}

export async function writeTables(
  db: SeedDatabase,
  jobs: TableJob[],
  plan: LoadPlan,
  opts: WriteOptions,
): Promise<TableResult[]> {
  const ordered = [...jobs].sort(
    (a, b) =>
      plan.order.indexOf(`${a.table.schema}.${a.table.name}`) - plan.order.indexOf(`${b.table.schema}.${b.table.name}`),
  );
  return inOneTransaction(db, ordered, opts);
}

/**
 * The "empty and marked" end of a failed seed (onFailure: Empty): after its transaction rolled
 * back, a second one empties the tables and runs `record` (the marker), then commits — both or
 * neither, so the target is never partial: as it was, or empty and marked.
 */
export async function emptyTables(db: SeedDatabase, tables: TableInfo[], record: string): Promise<void> {
  const writer = await db.openWriter();
  try {
    await writer.begin({ foreignKeys: 'PerRow' });
    await writer.truncate(tables);
    await writer.execute(record);
    await writer.commit();
  } catch (err) {
    await writer.rollback().catch(() => undefined);
    throw err;
  } finally {
    await writer.close();
  }
}
