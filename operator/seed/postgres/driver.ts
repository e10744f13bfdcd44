import type { Client } from 'pg';
import type { Socket } from 'node:net';
import type { IntegrityReport, RowCodec, RunMarker, SeedDatabase, SubsetRequest, TableWriter } from '../driver';
import type { ForeignKey, SchemaInfo, TableInfo, TextRow } from '../model';
import { tableId } from '../model';
import { decodeField, encodeField, encodeRows } from './copy-text';
import { introspect, quoteIdent, quoteLiteral, quoteTable } from './introspect';
import { profileDatabase, type ProfileOptions } from './profile';
import { connect, copyIn, copyOutChunks, copyOutLines, resetSequences, truncate } from './session';
import { SubsetPlanner } from './subset';

export const postgresCodec: RowCodec = {
  splitLine: (line) => line.split('\t'),
  joinLine: (fields) => fields.join('\t'),
  decodeField,
  encodeField,
  encodeRows,
};

/** Orphans of one foreign key, as one anti-join. */
function orphanQuery(table: TableInfo, fk: ForeignKey): string {
  const [refSchema, ...rest] = fk.refTable.split('.');
  const parent = { schema: refSchema!, name: rest.join('.') };
  const notNull = fk.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
  const match = fk.columns.map((c, i) => `p.${quoteIdent(fk.refColumns[i]!)} = c.${quoteIdent(c)}`).join(' AND ');
  return `SELECT count(*) AS n FROM ${quoteTable(table)} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteTable(parent)} p WHERE ${match})`;
}

class PostgresWriter implements TableWriter {
  checksDeferred = false;
  constructor(
    private readonly client: Client,
    private readonly url: string,
  ) {}

  async begin(opts?: { foreignKeys: 'PerRow' | 'AfterLoad' }): Promise<void> {
    await this.client.query('BEGIN');
    this.checksDeferred = false;
    if (opts?.foreignKeys !== 'AfterLoad') return;
    // Replica mode skips the per-row foreign-key triggers (as pg_restore --disable-triggers does);
    // only a superuser may set it, so others load with per-row checks.
    const su = await this.client.query<{ su: string }>("SELECT current_setting('is_superuser') AS su");
    if (su.rows[0]?.su === 'on') {
      await this.client.query('SET LOCAL session_replication_role = replica');
      this.checksDeferred = true;
    }
  }

  async countOrphans(table: TableInfo, foreignKeys: ForeignKey[]): Promise<number> {
    let n = 0;
    for (const fk of foreignKeys)
      n += Number((await this.client.query<{ n: string }>(orphanQuery(table, fk))).rows[0]?.n ?? 0);
    return n;
  }

  async commit(): Promise<void> {
    await this.client.query('COMMIT');
  }
  async rollback(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => undefined);
  }
  truncate(tables: TableInfo[]): Promise<void> {
    return truncate(this.client, tables);
  }
  copyIn(
    table: TableInfo,
    columns: string[],
    chunks: AsyncIterable<string | Buffer>,
    signal?: AbortSignal,
  ): Promise<void> {
    return copyIn(this.client, table, columns, chunks, signal);
  }
  resetSequences(table: TableInfo): Promise<void> {
    return resetSequences(this.client, table);
  }
  async execute(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  async updateFrom(
    table: TableInfo,
    keyColumns: string[],
    setColumns: string[],
    chunks: AsyncIterable<string>,
  ): Promise<number> {
    const types = (cols: string[]): string[] => cols.map((c) => table.columns.find((x) => x.name === c)!.type);
    const all = [...keyColumns, ...setColumns];
    const allTypes = [...types(keyColumns), ...types(setColumns)];
    await this.client.query(
      `CREATE TEMP TABLE understudy_update (${all.map((c, i) => `${quoteIdent(c)} ${allTypes[i]}`).join(', ')}) ON COMMIT DROP`,
    );
    await copyIn(this.client, { schema: 'pg_temp', name: 'understudy_update' } as TableInfo, all, chunks);
    const set = setColumns.map((c) => `${quoteIdent(c)} = u.${quoteIdent(c)}`).join(', ');
    const on = keyColumns.map((c) => `t.${quoteIdent(c)} = u.${quoteIdent(c)}`).join(' AND ');
    const res = await this.client.query(
      `UPDATE ${quoteTable(table)} t SET ${set} FROM pg_temp.understudy_update u WHERE ${on}`,
    );
    await this.client.query('DROP TABLE pg_temp.understudy_update');
    return res.rowCount ?? 0;
  }

  async countCheckViolations(expression: string, columns: string[], types: string[], rows: TextRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const params: Array<string | null> = [];
    const values = rows
      .map(
        (row) =>
          `(${row
            .map((v, i) => {
              params.push(v);
              return `$${params.length}::${types[i]}`;
            })
            .join(', ')})`,
      )
      .join(', ');
    const sql = `SELECT count(*) AS n FROM (VALUES ${values}) AS v(${columns.map(quoteIdent).join(', ')}) WHERE NOT (${expression})`;
    const res = await this.client.query<{ n: string }>(sql, params);
    return Number(res.rows[0]?.n ?? 0);
  }

  /** Reads through this writer's open transaction, so checks see the rows before anyone else can. */
  view(): SeedDatabase {
    return PostgresDatabase.over(this.url, this.client);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** Advisory-lock namespace of run markers: a marker's row id is the second key, held by the seed's session. */
const MARKER_LOCK = 0x5eed;

export class PostgresDatabase implements SeedDatabase {
  readonly codec = postgresCodec;
  private constructor(
    private readonly url: string,
    private readonly client: Client,
    private readonly owned = true,
    private readonly stream?: () => Socket,
  ) {}

  /** `stream`: how every connection to it is made (the operator's guard for a tenant's database). */
  static async open(url: string, stream?: () => Socket): Promise<PostgresDatabase> {
    return new PostgresDatabase(url, await connect(url, 'understudy-seed', stream), true, stream);
  }

  /** A database over a connection someone else owns (a writer's, mid-transaction); closing it leaves the connection open. */
  static over(url: string, client: Client): PostgresDatabase {
    return new PostgresDatabase(url, client, false);
  }

  introspect(schemas: string[]): Promise<SchemaInfo> {
    return introspect(this.client, schemas);
  }
  profile(schema: SchemaInfo, opts: ProfileOptions) {
    return profileDatabase(this.client, schema, opts);
  }
  async openWriter(): Promise<TableWriter> {
    return new PostgresWriter(await connect(this.url, 'understudy-seed-writer', this.stream), this.url);
  }

  async *readLines(
    table: TableInfo,
    columns: string[],
    predicate: string | undefined,
    linesPerBatch: number,
  ): AsyncIterable<string[]> {
    const client = await connect(this.url, 'understudy-seed-reader', this.stream);
    try {
      // One snapshot per table read, read-only: the source is never written.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const sql = `SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteTable(table)}${predicate ? ` WHERE ${predicate}` : ''}`;
      yield* copyOutLines(client, sql, linesPerBatch);
      await client.query('COMMIT');
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async *readChunks(table: TableInfo, columns: string[], predicate: string | undefined): AsyncIterable<Buffer> {
    const client = await connect(this.url, 'understudy-seed-reader', this.stream);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      yield* copyOutChunks(
        client,
        `SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteTable(table)}${predicate ? ` WHERE ${predicate}` : ''}`,
      );
      await client.query('COMMIT');
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async *readDistinct(table: TableInfo, column: string, limit: number): AsyncIterable<string[]> {
    const sql = `SELECT DISTINCT ${quoteIdent(column)}::text FROM ${quoteTable(table)} WHERE ${quoteIdent(column)} IS NOT NULL LIMIT ${Math.floor(limit)}`;
    for await (const lines of copyOutLines(this.client, sql, 10_000)) yield lines.map((l) => decodeField(l) ?? '');
  }

  async estimateRows(schema: SchemaInfo): Promise<number> {
    const names = schema.tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`);
    const res = await this.client.query<{ n: string }>(
      'SELECT coalesce(sum(greatest(reltuples, 0)), 0)::bigint AS n FROM pg_class WHERE oid = ANY ($1::regclass[])',
      [names],
    );
    return Number(res.rows[0]?.n ?? 0);
  }

  subsetPredicates(schema: SchemaInfo, request: SubsetRequest): (tableId: string) => string | undefined {
    const planner = new SubsetPlanner(schema, request.order, request);
    return (id) => planner.predicate(id);
  }

  async checkIntegrity(schema: SchemaInfo): Promise<IntegrityReport> {
    const report: IntegrityReport = { foreignKeyOrphans: 0, uniqueViolations: 0, details: [] };
    const ids = new Set(schema.tables.map(tableId));
    for (const table of schema.tables) {
      for (const fk of table.foreignKeys) {
        if (!ids.has(fk.refTable)) continue;
        const res = await this.client.query<{ n: string }>(orphanQuery(table, fk));
        const n = Number(res.rows[0]?.n ?? 0);
        report.foreignKeyOrphans += n;
        if (n > 0) report.details.push(`${tableId(table)}: ${n} rows whose ${fk.name} points at nothing`);
      }
      // Unique violations are not counted here: every unique key introspected is a constraint or
      // unique index of the target itself, so the database has already refused any duplicate.
    }
    return report;
  }

  /**
   * Records a seed as Running; the session holds an advisory lock on the row until it ends. Rows
   * still Running whose lock nobody holds belong to a seed that died (SIGKILL, lost connection):
   * they are closed as Interrupted here, by the next seed of the target.
   */
  async markRun(description: string): Promise<RunMarker> {
    try {
      await this.client.query('CREATE SCHEMA IF NOT EXISTS understudy');
      await this.client
        .query(`CREATE TABLE IF NOT EXISTS understudy.seed_runs (id bigserial PRIMARY KEY, started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz, status text NOT NULL, description text NOT NULL, message text)`);
      await closeStaleRuns(this.client);
      const res = await this.client.query<{ id: string }>(
        `INSERT INTO understudy.seed_runs (status, description) VALUES ('Running', $1) RETURNING id`,
        [description],
      );
      const id = res.rows[0]!.id;
      await this.client.query('SELECT pg_advisory_lock($1, $2::bigint::int)', [MARKER_LOCK, id]);
      return {
        finish: async (status, message) => {
          await this.client.query(
            'UPDATE understudy.seed_runs SET status = $1, message = $2, finished_at = now() WHERE id = $3',
            [status, message, id],
          );
          await this.client.query('SELECT pg_advisory_unlock($1, $2::bigint::int)', [MARKER_LOCK, id]);
        },
      };
    } catch {
      // Without the right to create the marker, a seed still runs; its failures are reported in status only.
      return { finish: () => Promise.resolve() };
    }
  }

  async close(): Promise<void> {
    if (this.owned) await this.client.end().catch(() => undefined);
  }
}

/** Closes Running markers whose seed's session is gone (no session holds the row's advisory lock). */
export async function closeStaleRuns(client: Client): Promise<number> {
  const res = await client.query(
    `UPDATE understudy.seed_runs r SET status = 'Interrupted', finished_at = now(),
      message = 'the seed''s connection ended before its outcome was recorded (killed, terminated); a seed commits all of its data or none of it. Closed by a later seed'
    WHERE r.status = 'Running' AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = r.id::int::oid AND l.objsubid = 2
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))`,
    [MARKER_LOCK],
  );
  return res.rowCount ?? 0;
}

export { quoteLiteral };
