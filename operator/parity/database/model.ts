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

export interface DomainSchema {
  /** format_type of the base type, for example `numeric(10,2)`. */
  type: string;
  nullable: boolean;
  default?: string;
  /** CHECK constraint definitions, sorted: a domain's constraints are compared by definition, not name. */
  checks: string[];
}

export interface SequenceSchema {
  type: string;
  /** bigint values as text, exactly as PostgreSQL gives them. */
  start: string;
  increment: string;
  min: string;
  max: string;
  cycle: boolean;
}

/** The types and sequences of the compared schemas, each keyed `schema.name`. */
export interface SchemaTypes {
  /** Labels in sort order. */
  enums: Map<string, string[]>;
  domains: Map<string, DomainSchema>;
  sequences: Map<string, SequenceSchema>;
}

export interface ColumnStatistics {
  nullFraction: number;
  /** pg_stats.n_distinct: positive is a count, negative a fraction of the rows. */
  distinct: number;
}

export interface TableStatistics {
  /** pg_class.reltuples; -1 when the table was never analysed or vacuumed. */
  rows: number;
  /** count(*), when it finished within its time budget. */
  exactRows?: number;
  /** Why there is no exact count (the time budget), for the finding's message. */
  countSkipped?: string;
  /** pg_stat_user_tables.n_mod_since_analyze: rows changed since the statistics were taken. */
  modifiedSinceAnalyze?: number;
  /** The later of last_analyze and last_autoanalyze (RFC 3339); null when never analysed. */
  lastAnalyzed?: string | null;
  columns: Map<string, ColumnStatistics>;
  /** False when the credentials may not SELECT from the table: pg_stats then hides its columns, so none can be compared. */
  readable?: boolean;
}

export type DatabaseStatistics = Map<string, TableStatistics>;

/** Reads one side's catalogue; implemented over PostgreSQL in postgres.ts. */
export interface CatalogueSource {
  /** For messages: "staging database 127.0.0.1:5432/shop" (never credentials). */
  readonly description: string;
  /**
   * Which database this is (host:port/database, no credentials), when it can
   * be told: two sources with the same target are one database, and comparing
   * it with itself would always agree.
   */
  readonly target?: string;
  schema(schemas: string[]): Promise<DatabaseSchema>;
  /** Enum types, domains and sequences: a value added to an enum changes no table, yet breaks what production reads. */
  types(schemas: string[]): Promise<SchemaTypes>;
  /** Catalogue statistics, and exact row counts of the tables `count` accepts (all when absent), within a time budget. */
  statistics(schemas: string[], options?: { count?: (table: string) => boolean }): Promise<DatabaseStatistics>;
  /** Queries sent, for the benchmark. */
  readonly queries: number;
  close(): Promise<void>;
}
