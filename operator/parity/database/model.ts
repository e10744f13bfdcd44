// What the schema and data categories read from a database's catalogue.
// Plain data, so the comparers are tested without a database.

export interface ColumnSchema {
  type: string;
  nullable: boolean;
  default?: string;
  /** a = always, d = by default (identity columns); s = stored generated. */
  identity?: string;
  generated?: string;
}

export interface IndexSchema {
  name: string;
  /** pg_get_indexdef without the index name, so a renamed index is the same index. */
  definition: string;
}

export interface ConstraintSchema {
  name: string;
  /** p, u, f, c, x as in pg_constraint.contype. */
  type: string;
  definition: string;
}

export interface TableSchema {
  columns: Map<string, ColumnSchema>;
  indexes: IndexSchema[];
  constraints: ConstraintSchema[];
}

/** `schema.table` → table. */
export type DatabaseSchema = Map<string, TableSchema>;

export interface ColumnStatistics {
  nullFraction: number;
  /** pg_stats.n_distinct: positive is a count, negative a fraction of the rows. */
  distinct: number;
}

export interface TableStatistics {
  /** pg_class.reltuples; -1 when the table was never analysed or vacuumed. */
  rows: number;
  columns: Map<string, ColumnStatistics>;
}

export type DatabaseStatistics = Map<string, TableStatistics>;

/** Reads one side's catalogue; implemented over PostgreSQL in postgres.ts. */
export interface CatalogueSource {
  /** For messages: "staging database 127.0.0.1:5432/shop" (never credentials). */
  readonly description: string;
  schema(schemas: string[]): Promise<DatabaseSchema>;
  statistics(schemas: string[]): Promise<DatabaseStatistics>;
  /** Queries sent, for the benchmark. */
  readonly queries: number;
  close(): Promise<void>;
}
