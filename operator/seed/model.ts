import { z } from 'zod';

// The database as the seed engine sees it, independent of the driver.
// Profiles are stored in ConfigMaps and read back, so they are zod schemas.

export const BASE_TYPES = [
  'int2',
  'int4',
  'int8',
  'float',
  'numeric',
  'text',
  'bool',
  'date',
  'timestamp',
  'timestamptz',
  'time',
  'uuid',
  'json',
  'jsonb',
  'enum',
  'bytea',
  'inet',
  'other',
] as const;
export type BaseType = (typeof BASE_TYPES)[number];

export const ColumnInfoSchema = z.object({
  name: z.string(),
  /** The type as the database prints it, e.g. `character varying(120)` or `text[]`. */
  type: z.string(),
  baseType: z.enum(BASE_TYPES),
  isArray: z.boolean(),
  maxLength: z.number().int().optional(),
  numericScale: z.number().int().optional(),
  numericPrecision: z.number().int().optional(),
  notNull: z.boolean(),
  hasDefault: z.boolean(),
  identity: z.enum(['always', 'by default']).optional(),
  /** Generated (computed) columns are never written. */
  generated: z.boolean(),
  enumValues: z.array(z.string()).optional(),
  /** The sequence feeding this column (serial or identity), reset after a load. */
  sequence: z.string().optional(),
});
export type ColumnInfo = z.infer<typeof ColumnInfoSchema>;

export const ForeignKeySchema = z.object({
  name: z.string(),
  columns: z.array(z.string()),
  refTable: z.string(),
  refColumns: z.array(z.string()),
});
export type ForeignKey = z.infer<typeof ForeignKeySchema>;

export const CheckSchema = z.object({ name: z.string(), columns: z.array(z.string()), expression: z.string() });
export type Check = z.infer<typeof CheckSchema>;

export const TableInfoSchema = z.object({
  schema: z.string(),
  name: z.string(),
  columns: z.array(ColumnInfoSchema),
  primaryKey: z.array(z.string()),
  uniques: z.array(z.array(z.string())),
  foreignKeys: z.array(ForeignKeySchema),
  checks: z.array(CheckSchema),
});
export type TableInfo = z.infer<typeof TableInfoSchema>;

export const SchemaInfoSchema = z.object({ tables: z.array(TableInfoSchema) });
export type SchemaInfo = z.infer<typeof SchemaInfoSchema>;

/** `schema.table`, the engine's identity of a table. */
export function tableId(t: Pick<TableInfo, 'schema' | 'name'>): string {
  return `${t.schema}.${t.name}`;
}

/** The tables a user's name means: `schema.table` exactly, or a bare name in any schema (more than one: ambiguous). */
export function tablesNamed(schema: Pick<SchemaInfo, 'tables'>, name: string): TableInfo[] {
  return schema.tables.filter((t) => tableId(t) === name || (!name.includes('.') && t.name === name));
}

export const PII_KINDS = [
  'email',
  'firstName',
  'lastName',
  'fullName',
  'username',
  'phone',
  'street',
  'city',
  'zip',
  'address',
  'nationalId',
  'ip',
  'cardNumber',
  'iban',
  'dateOfBirth',
  'secret',
  'company',
  'geo',
  'freeText',
] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export const ColumnProfileSchema = z.object({
  nullFrac: z.number(),
  /** As pg_stats: positive is a count, negative is minus the ratio of distinct values to rows. */
  nDistinct: z.number(),
  avgWidth: z.number(),
  /** Set when the column looks personal; such columns carry no values at all. */
  personal: z.enum(PII_KINDS).optional(),
  mostCommon: z.object({ values: z.array(z.string()), freqs: z.array(z.number()) }).optional(),
  /** Equi-depth bounds of the values that are not most common. */
  histogram: z.array(z.string()).optional(),
  /** For arrays: most common elements and the average number of distinct elements. */
  elements: z.object({ values: z.array(z.string()), freqs: z.array(z.number()), avgCount: z.number() }).optional(),
  /** For json and jsonb objects: top-level keys, how often each appears and the JSON type of its values. */
  jsonKeys: z.array(z.object({ key: z.string(), freq: z.number(), type: z.string() })).optional(),
  /** Numbers and dates: the smallest and largest value (kept for every column unless they look personal). */
  range: z.object({ min: z.string(), max: z.string() }).optional(),
  /** Text: character lengths of the non-null values at the 0th, 10th, ..., 100th percentile. */
  lengths: z.array(z.number()).optional(),
  /** Personal columns: exact number of distinct non-null values (`count(DISTINCT)`, an aggregate). */
  distinct: z.number().optional(),
  /** Values were left out because one looked personal (the content scan), whatever the column's name. */
  refused: z.enum(PII_KINDS).optional(),
});
export type ColumnProfile = z.infer<typeof ColumnProfileSchema>;

/** Children per parent along one foreign key, as `[children, parents]` buckets. */
export const FanOutSchema = z.object({
  parentRows: z.number(),
  buckets: z.array(z.tuple([z.number(), z.number()])),
});
export type FanOut = z.infer<typeof FanOutSchema>;

/**
 * How a table's columns move together, from aggregates only: correlations of
 * numbers and dates (`corr()`), and joint counts of low-cardinality columns
 * whose values the profile already holds (`GROUP BY a, b`).
 */
export const DependenceSchema = z.object({
  /** Numbers and dates: Pearson's ρ (corr of the values) and Spearman's (corr of their percent ranks). Non-key columns only. */
  correlations: z.array(
    z.object({ columns: z.tuple([z.string(), z.string()]), pearson: z.number(), spearman: z.number() }),
  ),
  /** Pairs of low-cardinality columns: rows per pair of non-null values, each value one of the column's most common values. */
  contingencies: z.array(
    z.object({
      columns: z.tuple([z.string(), z.string()]),
      cells: z.array(z.tuple([z.string(), z.string(), z.number()])),
    }),
  ),
  /**
   * A number or date given a category: per category value, its rows and the
   * column's quantiles at 0, 10%, ..., 100% (as numbers; dates in days since
   * 1970). Only for columns whose values the profile may hold.
   */
  conditionals: z
    .array(
      z.object({
        given: z.string(),
        column: z.string(),
        groups: z.array(z.object({ value: z.string(), rows: z.number(), quantiles: z.array(z.number()) })),
      }),
    )
    .optional(),
});
export type Dependence = z.infer<typeof DependenceSchema>;

export const TableProfileSchema = z.object({
  rows: z.number(),
  columns: z.record(z.string(), ColumnProfileSchema),
  fanOut: z.record(z.string(), FanOutSchema),
  /** Absent in profiles taken before dependence was profiled: columns are then synthesized independently. */
  dependence: DependenceSchema.optional(),
});
export type TableProfile = z.infer<typeof TableProfileSchema>;

export const ProfileSchema = z.object({
  kind: z.literal('understudy.dev/profile'),
  version: z.literal(1),
  capturedAt: z.string(),
  database: z.string(),
  schema: SchemaInfoSchema,
  tables: z.record(z.string(), TableProfileSchema),
});
export type Profile = z.infer<typeof ProfileSchema>;

/** A row in the database's text representation; null is SQL NULL. */
export type TextRow = (string | null)[];
