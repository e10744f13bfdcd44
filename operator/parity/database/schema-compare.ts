import type { Difference } from '../finding';
import { matchesName } from '../pattern';
import { SCHEMA_SEVERITY } from '../severity';
import type { ColumnSchema, DatabaseSchema, SchemaTypes, TableSchema } from './model';

function difference(
  resource: string,
  path: string,
  staging: unknown,
  production: unknown,
  severity: Difference['severity'],
  message: string,
): Difference {
  const d: Difference = { category: 'schema', resource, path, expected: false, severity, message };
  if (staging !== undefined) d.staging = staging;
  if (production !== undefined) d.production = production;
  return d;
}

export function tableMatches(table: string, patterns: string[] | undefined): boolean {
  const bare = table.slice(table.indexOf('.') + 1);
  return (patterns ?? []).some((p) => matchesName(p, table) || matchesName(p, bare));
}

function compareColumn(resource: string, name: string, s: ColumnSchema, p: ColumnSchema): Difference[] {
  const path = `columns[${name}]`;
  const out: Difference[] = [];
  if (s.type !== p.type)
    out.push(
      difference(
        resource,
        `${path}.type`,
        s.type,
        p.type,
        SCHEMA_SEVERITY.columnType,
        `column ${name} is ${s.type} in staging, ${p.type} in production`,
      ),
    );
  if (s.nullable !== p.nullable) {
    const text = (n: boolean) => (n ? 'NULL' : 'NOT NULL');
    out.push(
      difference(
        resource,
        `${path}.nullable`,
        text(s.nullable),
        text(p.nullable),
        SCHEMA_SEVERITY.nullability,
        `column ${name} is ${text(s.nullable)} in staging, ${text(p.nullable)} in production`,
      ),
    );
  }
  if ((s.default ?? null) !== (p.default ?? null)) {
    out.push(
      difference(
        resource,
        `${path}.default`,
        s.default ?? '(none)',
        p.default ?? '(none)',
        SCHEMA_SEVERITY.columnDefault,
        `column ${name} has a different default`,
      ),
    );
  }
  if ((s.identity ?? '') !== (p.identity ?? '') || (s.generated ?? '') !== (p.generated ?? '')) {
    out.push(
      difference(
        resource,
        `${path}.generated`,
        `${s.identity ?? ''}${s.generated ?? ''}`,
        `${p.identity ?? ''}${p.generated ?? ''}`,
        SCHEMA_SEVERITY.columnDefault,
        `column ${name} is generated differently`,
      ),
    );
  }
  return out;
}

/** Pairs by definition, not name: an index or constraint renamed but otherwise equal is not drift. */
function compareByDefinition<T extends { name: string; definition: string }>(
  resource: string,
  field: 'indexes' | 'constraints',
  staging: T[],
  production: T[],
  key: (item: T) => string,
): Difference[] {
  const out: Difference[] = [];
  const stagingKeys = new Map(staging.map((i) => [key(i), i]));
  const productionKeys = new Map(production.map((i) => [key(i), i]));
  const stagingNames = new Map(staging.map((i) => [i.name, i]));
  const missing = field === 'indexes' ? SCHEMA_SEVERITY.missingIndex : SCHEMA_SEVERITY.missingConstraint;
  const changed = field === 'indexes' ? SCHEMA_SEVERITY.indexDefinition : SCHEMA_SEVERITY.constraintDefinition;
  const noun = field === 'indexes' ? 'index' : 'constraint';
  for (const [k, p] of [...productionKeys].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (stagingKeys.has(k)) continue;
    const sameName = stagingNames.get(p.name);
    const path = `${field}[${p.name}]`;
    if (sameName)
      out.push(
        difference(
          resource,
          path,
          sameName.definition,
          p.definition,
          changed,
          `${noun} ${p.name} is defined differently`,
        ),
      );
    else
      out.push(
        difference(
          resource,
          path,
          undefined,
          p.definition,
          missing,
          `${noun} ${p.name} exists in production but not in staging`,
        ),
      );
  }
  const productionNames = new Set(production.map((i) => i.name));
  for (const [k, s] of [...stagingKeys].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (productionKeys.has(k) || productionNames.has(s.name)) continue;
    out.push(
      difference(
        resource,
        `${field}[${s.name}]`,
        s.definition,
        undefined,
        SCHEMA_SEVERITY.onlyInStaging,
        `${noun} ${s.name} exists only in staging`,
      ),
    );
  }
  return out;
}

function compareTable(resource: string, s: TableSchema, p: TableSchema): Difference[] {
  const out: Difference[] = [];
  for (const [name, pc] of p.columns) {
    const sc = s.columns.get(name);
    if (!sc)
      out.push(
        difference(
          resource,
          `columns[${name}]`,
          undefined,
          pc.type,
          SCHEMA_SEVERITY.missingColumn,
          `column ${name} exists in production but not in staging`,
        ),
      );
    else out.push(...compareColumn(resource, name, sc, pc));
  }
  for (const [name, sc] of s.columns) {
    if (!p.columns.has(name))
      out.push(
        difference(
          resource,
          `columns[${name}]`,
          sc.type,
          undefined,
          SCHEMA_SEVERITY.onlyInStaging,
          `column ${name} exists only in staging`,
        ),
      );
  }
  out.push(...compareByDefinition(resource, 'indexes', s.indexes, p.indexes, (i) => i.definition));
  out.push(
    ...compareByDefinition(resource, 'constraints', s.constraints, p.constraints, (c) => `${c.type}:${c.definition}`),
  );
  return out;
}

export function compareSchemas(
  staging: DatabaseSchema,
  production: DatabaseSchema,
  excludeTables?: string[],
): Difference[] {
  const out: Difference[] = [];
  const tables = [...new Set([...production.keys(), ...staging.keys()])].sort();
  for (const table of tables) {
    if (tableMatches(table, excludeTables)) continue;
    const resource = `Table/${table}`;
    const s = staging.get(table);
    const p = production.get(table);
    if (s && p) out.push(...compareTable(resource, s, p));
    else if (p)
      out.push(
        difference(
          resource,
          '',
          undefined,
          'present',
          SCHEMA_SEVERITY.missingTable,
          `table ${table} exists in production but not in staging`,
        ),
      );
    else
      out.push(
        difference(
          resource,
          '',
          'present',
          undefined,
          SCHEMA_SEVERITY.onlyInStaging,
          `table ${table} exists only in staging`,
        ),
      );
  }
  return out;
}

/**
 * Throws, naming the field, for a compared schema production has nothing in:
 * a typo such as "pubic" would otherwise compare nothing with nothing and pass.
 */
export function requireSchemas(schemas: string[], production: DatabaseSchema, types: SchemaTypes): void {
  const names = [...production.keys(), ...types.enums.keys(), ...types.domains.keys(), ...types.sequences.keys()];
  schemas.forEach((schema, index) => {
    if (!names.some((n) => n.startsWith(`${schema}.`)))
      throw new Error(
        `spec.categories.schema.schemas[${index}]: no table, enum, domain or sequence in schema ${JSON.stringify(schema)} of the production database`,
      );
  });
}
