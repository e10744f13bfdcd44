import type { ColumnInfo, TableInfo } from '../model';

// Schema objects for tests, as introspection reports them: one place for the
// defaults, so a test states only what it is about.

/** A nullable column without a default, not generated, unless `over` says otherwise. */
export const column = (
  name: string,
  baseType: ColumnInfo['baseType'] = 'text',
  over: Partial<ColumnInfo> = {},
): ColumnInfo => ({
  name,
  type: baseType,
  baseType,
  isArray: false,
  notNull: false,
  hasDefault: false,
  generated: false,
  ...over,
});

/** A table in `public` keyed by `id`, with no unique, foreign key or check, unless `over` says otherwise. */
export const table = (name: string, columns: ColumnInfo[], over: Partial<TableInfo> = {}): TableInfo => ({
  schema: 'public',
  name,
  columns,
  primaryKey: ['id'],
  uniques: [],
  foreignKeys: [],
  checks: [],
  ...over,
});
