import type { SeedDatabase, TableWriter } from './driver';
import { SeedError } from './errors';
import type { TableInfo } from './model';
import type { LoadPlan } from './plan';

// Writes tables in foreign-key order. With parallelism 1 everything happens in
// one transaction, so a failure leaves the target as it was; with more, each
// table commits on its own and the run is marked in the target instead.

export interface TableJob {
  table: TableInfo;
  columns: string[];
  /** Wire-format chunks; the job counts its own rows. */
  chunks: (signal?: AbortSignal) => AsyncIterable<string | Buffer>;
  rows: () => number;
}

export interface TableResult {
  name: string;
  rows: number;
  seconds: number;
}

export interface WriteOptions {
  parallelism: number;
  /** Check foreign keys per row, or (when the driver may) once per key after each table loads. */
  foreignKeys: 'PerRow' | 'AfterLoad';
  /** Tables emptied first under Truncate; the loaded tables when not given. */
  truncate?: TableInfo[];
  /** Foreign keys filled in after the load, not checked with their table. */
  deferredKeys: Set<string>;
  reset: 'Truncate' | 'Append';
  signal?: AbortSignal;
  /** Runs after every table is loaded (deferred keys), inside the final transaction. */
  afterLoad?: (writer: TableWriter) => Promise<void>;
}

async function writeOne(writer: TableWriter, job: TableJob, opts: WriteOptions): Promise<TableResult> {
  const started = Date.now();
  await writer.copyIn(job.table, job.columns, job.chunks(opts.signal), opts.signal);
  if (writer.checksDeferred) {
    // Loaded without per-row checks: every key is verified set-wise before the table commits.
    const id = `${job.table.schema}.${job.table.name}`;
    // Parents are loaded (and committed) before their children, so every key but the deferred ones can be checked now.
    const keys = job.table.foreignKeys.filter((fk) => !opts.deferredKeys.has(`${id}.${fk.name}`));
    const orphans = await writer.countOrphans(job.table, keys);
    if (orphans > 0) throw new SeedError('IntegrityFailed', `${id}: ${orphans} rows reference rows that do not exist`);
  }
  return { name: `${job.table.schema}.${job.table.name}`, rows: job.rows(), seconds: (Date.now() - started) / 1000 };
}

function failed(err: unknown, table: string | undefined, touched: boolean): SeedError {
  if (err instanceof SeedError) return err;
  const message = (err as Error).message ?? String(err);
  return new SeedError('WriteFailed', table ? `writing ${table} failed: ${message}` : `writing failed: ${message}`, [], touched);
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
    await writer.commit();
    return results;
  } catch (err) {
    await writer.rollback();
    throw failed(err, current, false);
  } finally {
    await writer.close();
  }
}

async function inParallel(db: SeedDatabase, jobs: TableJob[], plan: LoadPlan, opts: WriteOptions): Promise<TableResult[]> {
  const byId = new Map(jobs.map((j) => [`${j.table.schema}.${j.table.name}`, j]));
  if (opts.reset === 'Truncate') {
    const writer = await db.openWriter();
    try {
      await writer.truncate(opts.truncate ?? jobs.map((j) => j.table));
    } finally {
      await writer.close();
    }
  }
  const done = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const results: TableResult[] = [];
  const pending = plan.order.filter((id) => byId.has(id));
  const abort = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;
  let failure: SeedError | undefined;
  while ((pending.length > 0 || running.size > 0) && !failure) {
    // Waits only on dependencies that are part of this load.
    const readyAt = pending.findIndex((id) => [...(plan.dependsOn.get(id) ?? [])].every((d) => done.has(d) || !byId.has(d)));
    if (readyAt >= 0 && running.size < opts.parallelism) {
      const id = pending.splice(readyAt, 1)[0]!;
      const job = byId.get(id)!;
      running.set(id, (async () => {
        const writer = await db.openWriter();
        try {
          await writer.begin({ foreignKeys: opts.foreignKeys });
          results.push(await writeOne(writer, job, { ...opts, signal }));
          await writer.resetSequences(job.table);
          await writer.commit();
          done.add(id);
        } catch (err) {
          await writer.rollback();
          failure ??= failed(err, id, true);
          abort.abort();
        } finally {
          await writer.close();
          running.delete(id);
        }
      })());
      continue;
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  await Promise.allSettled(running.values());
  if (failure) throw failure;
  if (opts.afterLoad) {
    const writer = await db.openWriter();
    try {
      await writer.begin();
      await opts.afterLoad(writer);
      for (const job of jobs) await writer.resetSequences(job.table);
      await writer.commit();
    } catch (err) {
      await writer.rollback();
      throw failed(err, undefined, true);
    } finally {
      await writer.close();
    }
  }
  return results;
}

export async function writeTables(db: SeedDatabase, jobs: TableJob[], plan: LoadPlan, opts: WriteOptions): Promise<TableResult[]> {
  const ordered = [...jobs].sort((a, b) => plan.order.indexOf(`${a.table.schema}.${a.table.name}`) - plan.order.indexOf(`${b.table.schema}.${b.table.name}`));
  return opts.parallelism <= 1 ? inOneTransaction(db, ordered, opts) : inParallel(db, ordered, plan, opts);
}
