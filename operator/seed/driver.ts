import type { ForeignKey, Profile, SchemaInfo, TableInfo, TextRow } from './model';
import type { DeferredKey } from './plan';
import type { ProfileOptions } from './postgres/profile';

// The seam between the engine and a database. The engine plans, generates and
// transforms; a driver reads catalogues, streams rows in its wire format and
// checks integrity. PostgreSQL is the first driver.

/** A database's row wire format: fields still escaped, so kept columns pass through untouched. */
export interface RowCodec {
  splitLine(line: string): string[];
  joinLine(fields: string[]): string;
  decodeField(raw: string): string | null;
  encodeField(value: string | null): string;
  encodeRows(rows: readonly TextRow[]): string;
}

export interface SubsetRequest {
  roots: Array<{ table: string; where?: string; fraction?: number }>;
  followReferencing: 'None' | 'Roots';
  /** Derived from the masking key, so the chosen fraction is the same in every run. */
  seed: string;
  order: string[];
  deferred: DeferredKey[];
}

/** One connection that writes; in a transaction between begin and commit. */
export interface TableWriter {
  /**
   * Starts a transaction. With `foreignKeys: 'AfterLoad'` the driver may load
   * without per-row foreign-key checks (when it has the right to), in which case
   * `checksDeferred` is true and the engine verifies keys set-wise before commit.
   */
  begin(opts?: { foreignKeys: 'PerRow' | 'AfterLoad' }): Promise<void>;
  readonly checksDeferred: boolean;
  /** Rows of the table whose foreign keys (those given) point at nothing, counted in one query per key. */
  countOrphans(table: TableInfo, foreignKeys: ForeignKey[]): Promise<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  truncate(tables: TableInfo[]): Promise<void>;
  /** Streams wire-format chunks (many rows each) into the table's columns. */
  copyIn(
    table: TableInfo,
    columns: string[],
    chunks: AsyncIterable<string | Buffer>,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Sets columns of existing rows, matched by key columns: rows are key values then new values. */
  updateFrom(
    table: TableInfo,
    keyColumns: string[],
    setColumns: string[],
    chunks: AsyncIterable<string>,
  ): Promise<number>;
  resetSequences(table: TableInfo): Promise<void>;
  /** Runs statements as they are (the sql source). */
  execute(sql: string): Promise<void>;
  /** Counts rows (columns in order) that violate a CHECK expression, evaluated without writing. */
  countCheckViolations(expression: string, columns: string[], types: string[], rows: TextRow[]): Promise<number>;
  /** The database as this writer's open transaction sees it (closing it leaves the writer open): checks before commit. */
  view?(): SeedDatabase;
  close(): Promise<void>;
}

export interface IntegrityReport {
  foreignKeyOrphans: number;
  uniqueViolations: number;
  details: string[];
}

export interface RunMarker {
  finish(status: 'Succeeded' | 'Failed', message: string): Promise<void>;
}

export interface SeedDatabase {
  readonly codec: RowCodec;
  introspect(schemas: string[]): Promise<SchemaInfo>;
  profile(schema: SchemaInfo, opts: ProfileOptions): Promise<Profile>;
  openWriter(): Promise<TableWriter>;
  /** Streams a table's rows (all, or those matching a predicate) as batches of wire-format lines. */
  readLines(
    table: TableInfo,
    columns: string[],
    predicate: string | undefined,
    linesPerBatch: number,
    signal?: AbortSignal,
  ): AsyncIterable<string[]>;
  /** Streams a table's rows as raw wire-format chunks, for tables copied without any transform. */
  readChunks(table: TableInfo, columns: string[], predicate: string | undefined): AsyncIterable<Buffer>;
  /** Distinct non-null values of a column, at most `limit`, streamed in batches (for the leak scan). */
  readDistinct(table: TableInfo, column: string, limit: number): AsyncIterable<string[]>;
  /** Row counts as the catalogue estimates them (no table scan), for progress and ETA. */
  estimateRows(schema: SchemaInfo): Promise<number>;
  subsetPredicates(schema: SchemaInfo, request: SubsetRequest): (tableId: string) => string | undefined;
  checkIntegrity(schema: SchemaInfo): Promise<IntegrityReport>;
  /** Records a seed in the target, so a failed multi-transaction seed is visibly marked. */
  markRun(description: string): Promise<RunMarker>;
  close(): Promise<void>;
}

export type DriverFactory = (url: string) => Promise<SeedDatabase>;
