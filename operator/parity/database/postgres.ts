import { Client } from 'pg';
import type { Socket } from 'node:net';
import type {
  CatalogueSource,
  ColumnStatistics,
  ConstraintSchema,
  DatabaseSchema,
  DatabaseStatistics,
  DomainSchema,
  IndexSchema,
  SchemaTypes,
  SequenceSchema,
  TableSchema,
  TableStatistics,
} from './model';

export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
}

/** host:port/database of a connection URL: what messages may show (never the user or password). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparseable connection URL)';
  }
}

/**
 * host:port/database a connection URL reaches, as libpq reads it (host and
 * port may come from the query string, the database defaults to the user
 * name); undefined when the URL cannot be parsed, so it is never equal to
 * another unparseable one.
 */
export function databaseTarget(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const port = parsed.port || parsed.searchParams.get('port') || '5432';
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const database = decode(parsed.pathname.replace(/^\//, '')) || decode(parsed.username);
  return `${host.toLowerCase()}:${port}/${database}`;
}

const COLUMNS = `
  select n.nspname as schema, c.relname as table, a.attname as column,
         format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
         pg_get_expr(d.adbin, d.adrelid) as default, a.attidentity as identity, a.attgenerated as generated
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
  where c.relkind in ('r', 'p') and not c.relispartition and n.nspname = any($1)
  order by 1, 2, a.attnum`;

const INDEXES = `
  select n.nspname as schema, t.relname as table, i.relname as index, pg_get_indexdef(i.oid) as definition
  from pg_index x
  join pg_class i on i.oid = x.indexrelid
  join pg_class t on t.oid = x.indrelid
  join pg_namespace n on n.oid = t.relnamespace
  where t.relkind in ('r', 'p') and not t.relispartition and n.nspname = any($1)
  order by 1, 2, 3`;

const CONSTRAINTS = `
  select n.nspname as schema, t.relname as table, c.conname as name, c.contype as type, pg_get_constraintdef(c.oid) as definition
  from pg_constraint c
  join pg_class t on t.oid = c.conrelid
  join pg_namespace n on n.oid = t.relnamespace
  where t.relkind in ('r', 'p') and not t.relispartition and n.nspname = any($1) and c.contype <> 'n'
  order by 1, 2, 3`;

const ROWS = `
  select n.nspname as schema, c.relname as table, c.reltuples::float8 as rows,
         s.n_mod_since_analyze::float8 as modified, greatest(s.last_analyze, s.last_autoanalyze) as analyzed,
         has_table_privilege(c.oid, 'SELECT') as readable
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  left join pg_stat_all_tables s on s.relid = c.oid
  where c.relkind = 'r' and n.nspname = any($1)`;

/** Longest a count(*) may take per table, and over all tables of one side, before estimates are used instead. */
export const COUNT_TIMEOUT_MS = 2_000;
export const COUNT_BUDGET_MS = 30_000;

/** A quoted, schema-qualified name for a table the catalogue listed. */
function quoted(table: string): string {
  const at = table.indexOf('.');
  return [table.slice(0, at), table.slice(at + 1)].map((part) => `"${part.replace(/"/g, '""')}"`).join('.');
}

const STATS = `
  select schemaname as schema, tablename as table, attname as column, null_frac::float8 as null_fraction, n_distinct::float8 as distinct
  from pg_stats where schemaname = any($1) and not inherited`;

const ENUMS = `
  select n.nspname as schema, t.typname as name, array_agg(e.enumlabel::text order by e.enumsortorder) as labels
  from pg_type t
  join pg_namespace n on n.oid = t.typnamespace
  join pg_enum e on e.enumtypid = t.oid
  where n.nspname = any($1)
  group by 1, 2`;

const DOMAINS = `
  select n.nspname as schema, t.typname as name, format_type(t.typbasetype, t.typtypmod) as type, t.typnotnull as not_null, t.typdefault as default,
         coalesce((select array_agg(pg_get_constraintdef(c.oid) order by pg_get_constraintdef(c.oid)) from pg_constraint c where c.contypid = t.oid and c.contype = 'c'), '{}') as checks
  from pg_type t join pg_namespace n on n.oid = t.typnamespace
  where t.typtype = 'd' and n.nspname = any($1)`;

const SEQUENCES = `
  select schemaname as schema, sequencename as name, data_type::text as type, start_value::text as start, increment_by::text as increment,
         min_value::text as min, max_value::text as max, cycle
  from pg_sequences where schemaname = any($1)`;

/** `CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)` → `UNIQUE ON public.orders USING btree (id)`. */
export function indexDefinitionWithoutName(definition: string): string {
  return definition.replace(/^CREATE (UNIQUE )?INDEX \S+ /, (_m, unique: string | undefined) =>
    unique ? 'UNIQUE ' : '',
  );
}

function tableOf(schema: DatabaseSchema, key: string): TableSchema {
  let table = schema.get(key);
  if (!table) schema.set(key, (table = { columns: new Map(), indexes: [], constraints: [] }));
  return table;
}

/**
 * Reads the PostgreSQL catalogue over one short-lived connection: six
 * queries for the schema (tables, indexes, constraints, enums, domains, sequences) and two for statistics, whatever the number of tables.
 */
export class PostgresCatalogue implements CatalogueSource {
  readonly description: string;
  readonly target: string | undefined;
  queries = 0;
  private connecting: Promise<Client> | undefined;
  private readonly timeoutMs: number;
  /** How connections are made: the operator's guard when the database is a tenant's. */
  private readonly stream: (() => Socket) | undefined;

  constructor(
    private readonly url: string,
    side: string,
    options: { timeoutMs?: number; stream?: (() => Socket) | undefined } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.stream = options.stream;
    this.description = `${side} database ${describeUrl(url)}`;
    this.target = databaseTarget(url);
  }

  /** One connection per catalogue even when the schema and data categories ask at the same time: a second one would never be closed. */
  private connect(): Promise<Client> {
    this.connecting ??= this.open();
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const client = new Client({
      connectionString: this.url,
      connectionTimeoutMillis: this.timeoutMs,
      statement_timeout: this.timeoutMs,
      application_name: 'understudy-parity',
      ...(this.stream ? { stream: this.stream } : {}),
    });
    client.on('error', () => undefined); // a dropped connection surfaces on the next query instead of crashing the process
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw new DatabaseUnreachableError(
        `cannot connect to the ${this.description}: ${(err as Error).message || String(err)}`,
      );
    }
    return client;
  }

  private async query<Row>(sql: string, schemas: string[]): Promise<Row[]> {
    const client = await this.connect();
    this.queries++;
    try {
      return (await client.query(sql, [schemas])).rows as Row[];
    } catch (err) {
      throw new DatabaseUnreachableError(`query on the ${this.description} failed: ${(err as Error).message}`);
    }
  }

  async schema(schemas: string[]): Promise<DatabaseSchema> {
    const result: DatabaseSchema = new Map();
    type Column = {
      schema: string;
      table: string;
      column: string;
      type: string;
      not_null: boolean;
      default: string | null;
      identity: string;
      generated: string;
    };
    for (const row of await this.query<Column>(COLUMNS, schemas)) {
      const column: TableSchema['columns'] extends Map<string, infer C> ? C : never = {
        type: row.type,
        nullable: !row.not_null,
      };
      if (row.default !== null) column.default = row.default;
      if (row.identity) column.identity = row.identity;
      if (row.generated) column.generated = row.generated;
      tableOf(result, `${row.schema}.${row.table}`).columns.set(row.column, column);
    }
    for (const row of await this.query<{ schema: string; table: string; index: string; definition: string }>(
      INDEXES,
      schemas,
    )) {
      const index: IndexSchema = { name: row.index, definition: indexDefinitionWithoutName(row.definition) };
      tableOf(result, `${row.schema}.${row.table}`).indexes.push(index);
    }
    for (const row of await this.query<{
      schema: string;
      table: string;
      name: string;
      type: string;
      definition: string;
    }>(CONSTRAINTS, schemas)) {
      const constraint: ConstraintSchema = { name: row.name, type: row.type, definition: row.definition };
      tableOf(result, `${row.schema}.${row.table}`).constraints.push(constraint);
    }
    return result;
  }

  async types(schemas: string[]): Promise<SchemaTypes> {
    const result: SchemaTypes = { enums: new Map(), domains: new Map(), sequences: new Map() };
    for (const row of await this.query<{ schema: string; name: string; labels: string[] }>(ENUMS, schemas))
      result.enums.set(`${row.schema}.${row.name}`, row.labels);
    type Domain = {
      schema: string;
      name: string;
      type: string;
      not_null: boolean;
      default: string | null;
      checks: string[];
    };
    for (const row of await this.query<Domain>(DOMAINS, schemas)) {
      const domain: DomainSchema = { type: row.type, nullable: !row.not_null, checks: row.checks };
      if (row.default !== null) domain.default = row.default;
      result.domains.set(`${row.schema}.${row.name}`, domain);
    }
    for (const row of await this.query<SequenceSchema & { schema: string; name: string }>(SEQUENCES, schemas)) {
      const { schema, name, ...sequence } = row;
      result.sequences.set(`${schema}.${name}`, sequence);
    }
    return result;
  }

  async statistics(
    schemas: string[],
    options: { count?: (table: string) => boolean } = {},
  ): Promise<DatabaseStatistics> {
    const result: DatabaseStatistics = new Map();
    type Row = {
      schema: string;
      table: string;
      rows: number;
      modified: number | null;
      analyzed: Date | null;
      readable: boolean;
    };
    for (const row of await this.query<Row>(ROWS, schemas)) {
      const table: TableStatistics = {
        rows: Number(row.rows),
        columns: new Map(),
        lastAnalyzed: row.analyzed ? new Date(row.analyzed).toISOString() : null,
      };
      if (!row.readable) table.readable = false;
      if (row.modified !== null) table.modifiedSinceAnalyze = Number(row.modified);
      result.set(`${row.schema}.${row.table}`, table);
    }
    for (const row of await this.query<{
      schema: string;
      table: string;
      column: string;
      null_fraction: number;
      distinct: number;
    }>(STATS, schemas)) {
      const stats: ColumnStatistics = { nullFraction: Number(row.null_fraction), distinct: Number(row.distinct) };
      result.get(`${row.schema}.${row.table}`)?.columns.set(row.column, stats);
    }
    await this.countRows(result, options.count ?? (() => true));
    return result;
  }

  /**
   * Exact row counts, smallest tables first, each under its own statement
   * timeout and all under one budget: reltuples can be far off (a table
   * halved without ANALYZE keeps its old estimate), but a count must not
   * hold production's database for long. What is not counted keeps its
   * estimate and says why.
   */
  private async countRows(statistics: DatabaseStatistics, wanted: (table: string) => boolean): Promise<void> {
    const tables = [...statistics].filter(([name]) => wanted(name)).sort(([, a], [, b]) => a.rows - b.rows);
    if (tables.length === 0) return;
    const client = await this.connect();
    const started = Date.now();
    try {
      for (const [name, table] of tables) {
        const left = COUNT_BUDGET_MS - (Date.now() - started);
        if (left < 100) {
          table.countSkipped = `the ${COUNT_BUDGET_MS / 1000} s budget for counting rows was spent`;
          continue;
        }
        const timeout = Math.min(COUNT_TIMEOUT_MS, left);
        this.queries += 2;
        try {
          await client.query(`set statement_timeout = ${Math.floor(timeout)}`);
          const { rows } = await client.query<{ count: string }>(`select count(*) as count from ${quoted(name)}`);
          table.exactRows = Number(rows[0]!.count);
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === '42501') {
            table.countSkipped = 'the credentials may not SELECT from it (catalogue access only)';
            continue;
          }
          if (code !== '57014')
            throw new DatabaseUnreachableError(
              `counting rows of ${name} on the ${this.description} failed: ${(err as Error).message}`,
            );
          table.countSkipped = `count(*) took longer than ${timeout / 1000} s`;
        }
      }
    } finally {
      this.queries++;
      await client.query(`set statement_timeout = ${this.timeoutMs}`).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    const client = await connecting?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }
}
