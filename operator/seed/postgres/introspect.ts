import type { ClientBase } from 'pg';
import type { BaseType, ColumnInfo, SchemaInfo, TableInfo } from '../model';

// Reads the schema from the catalogue: tables, columns, types, keys, checks, sequences.

const BASE_TYPE_BY_NAME: Record<string, BaseType> = {
  int2: 'int2',
  int4: 'int4',
  int8: 'int8',
  float4: 'float',
  float8: 'float',
  numeric: 'numeric',
  money: 'numeric',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  name: 'text',
  citext: 'text',
  bool: 'bool',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  time: 'time',
  timetz: 'time',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'jsonb',
  bytea: 'bytea',
  inet: 'inet',
  cidr: 'inet',
};

interface ColumnRow {
  table_schema: string;
  table_name: string;
  name: string;
  type: string;
  elem_name: string;
  elem_typtype: string;
  is_array: boolean;
  typmod: number;
  not_null: boolean;
  has_default: boolean;
  identity: string;
  generated: string;
  enum_values: string[] | null;
  sequence: string | null;
}

const COLUMNS_SQL = `
SELECT n.nspname AS table_schema, c.relname AS table_name, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       coalesce(et.typname, t.typname) AS elem_name, coalesce(et.typtype, t.typtype)::text AS elem_typtype,
       (t.typcategory = 'A') AS is_array, a.atttypmod AS typmod, a.attnotnull AS not_null, a.atthasdef AS has_default,
       a.attidentity::text AS identity, a.attgenerated::text AS generated,
       (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = coalesce(et.oid, t.oid)) AS enum_values,
       pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) AS sequence
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, a.attnum`;

interface ConstraintRow {
  table_schema: string;
  table_name: string;
  name: string;
  kind: string;
  columns: string[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[] | null;
  definition: string;
}

const CONSTRAINTS_SQL = `
SELECT n.nspname AS table_schema, c.relname AS table_name, con.conname AS name, con.contype::text AS kind,
       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num) AS columns,
       rn.nspname AS ref_schema, rc.relname AS ref_table,
       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num) AS ref_columns,
       pg_get_constraintdef(con.oid) AS definition
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'f', 'c') AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, con.conname`;

/** Unique indexes that are not constraints (CREATE UNIQUE INDEX) also bind the generator. */
const UNIQUE_INDEXES_SQL = `
SELECT n.nspname AS table_schema, c.relname AS table_name,
       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num) AS columns
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE i.indisunique AND NOT i.indisprimary AND i.indpred IS NULL AND i.indexprs IS NULL AND n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)`;

function toColumn(row: ColumnRow): ColumnInfo {
  const baseType: BaseType = row.elem_typtype === 'e' ? 'enum' : (BASE_TYPE_BY_NAME[row.elem_name] ?? 'other');
  const column: ColumnInfo = {
    name: row.name,
    type: row.type,
    baseType,
    isArray: row.is_array,
    notNull: row.not_null,
    hasDefault: row.has_default,
    generated: row.generated === 's',
  };
  if ((row.elem_name === 'varchar' || row.elem_name === 'bpchar') && row.typmod > 4) column.maxLength = row.typmod - 4;
  if (row.elem_name === 'numeric' && row.typmod > 4) {
    column.numericPrecision = ((row.typmod - 4) >> 16) & 0xffff;
    column.numericScale = (row.typmod - 4) & 0xffff;
  }
  if (row.identity === 'a') column.identity = 'always';
  if (row.identity === 'd') column.identity = 'by default';
  if (row.enum_values) column.enumValues = row.enum_values;
  if (row.sequence) column.sequence = row.sequence;
  return column;
}

/** Columns a CHECK expression mentions, found by name in its definition. */
function checkColumns(definition: string, columns: ColumnInfo[]): string[] {
  return columns
    .filter((c) =>
      new RegExp(`(^|[^A-Za-z0-9_"])"?${c.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?([^A-Za-z0-9_"]|$)`).test(
        definition,
      ),
    )
    .map((c) => c.name);
}

export async function introspect(client: ClientBase, schemas: string[]): Promise<SchemaInfo> {
  const [columns, constraints, uniqueIndexes] = [
    await client.query<ColumnRow>(COLUMNS_SQL, [schemas]),
    await client.query<ConstraintRow>(CONSTRAINTS_SQL, [schemas]),
    await client.query<{ table_schema: string; table_name: string; columns: string[] }>(UNIQUE_INDEXES_SQL, [schemas]),
  ];
  const tables = new Map<string, TableInfo>();
  for (const row of columns.rows) {
    const id = `${row.table_schema}.${row.table_name}`;
    let table = tables.get(id);
    if (!table) {
      table = {
        schema: row.table_schema,
        name: row.table_name,
        columns: [],
        primaryKey: [],
        uniques: [],
        foreignKeys: [],
        checks: [],
      };
      tables.set(id, table);
    }
    table.columns.push(toColumn(row));
  }
  for (const row of constraints.rows) {
    const table = tables.get(`${row.table_schema}.${row.table_name}`);
    if (!table) continue;
    if (row.kind === 'p') table.primaryKey = row.columns;
    else if (row.kind === 'u') table.uniques.push(row.columns);
    else if (row.kind === 'f')
      table.foreignKeys.push({
        name: row.name,
        columns: row.columns,
        refTable: `${row.ref_schema}.${row.ref_table}`,
        refColumns: row.ref_columns ?? [],
      });
    else if (row.kind === 'c')
      table.checks.push({
        name: row.name,
        columns: row.columns ?? checkColumns(row.definition, table.columns),
        expression: row.definition.replace(/^CHECK /, ''),
      });
  }
  for (const row of uniqueIndexes.rows) tables.get(`${row.table_schema}.${row.table_name}`)?.uniques.push(row.columns);
  return { tables: [...tables.values()] };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."table"` from the engine's `schema.table` id or a table. */
export function quoteTable(t: { schema: string; name: string }): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
