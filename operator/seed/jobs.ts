import type { TableWriter } from './driver';
import { SeedError } from './errors';
import type { ForeignKey } from './model';
import type { TableJob } from './write-tables';

/** A table to load, plus the deferred foreign keys to fill in once every table is loaded. */
export interface SeedJob extends TableJob {
  deferred: Array<{ fk: ForeignKey; keyColumns: string[]; setColumns: string[]; chunks: () => AsyncIterable<string> }>;
}

export function deferredFill(jobs: SeedJob[]): ((writer: TableWriter) => Promise<void>) | undefined {
  if (!jobs.some((j) => j.deferred.length > 0)) return undefined;
  return async (writer) => {
    for (const job of jobs) {
      for (const d of job.deferred) {
        await writer.updateFrom(job.table, d.keyColumns, d.setColumns, d.chunks());
        const orphans = writer.checksDeferred ? await writer.countOrphans(job.table, [d.fk]) : 0;
        if (orphans > 0)
          throw new SeedError(
            'IntegrityFailed',
            `${job.table.schema}.${job.table.name}: ${orphans} rows of deferred key ${d.fk.name} reference nothing`,
          );
      }
    }
  };
}
