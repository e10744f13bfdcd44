import type { Difference } from '../finding';
import { SCHEMA_SEVERITY } from '../severity';
import type { DomainSchema, SchemaTypes, SequenceSchema } from './model';

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

function sortedKeys<T>(staging: Map<string, T>, production: Map<string, T>): string[] {
  return [...new Set([...production.keys(), ...staging.keys()])].sort();
}

/** Presence first: a type production has and staging lacks is as bad as a missing table. */
function presence<T>(
  resource: string,
  noun: string,
  name: string,
  s: T | undefined,
  p: T | undefined,
): Difference | undefined {
  if (s === undefined && p !== undefined)
    return difference(
      resource,
      '',
      undefined,
      'present',
      SCHEMA_SEVERITY.missingType,
      `${noun} ${name} exists in production but not in staging`,
    );
  if (p === undefined && s !== undefined)
    return difference(
      resource,
      '',
      'present',
      undefined,
      SCHEMA_SEVERITY.onlyInStaging,
      `${noun} ${name} exists only in staging`,
    );
  return undefined;
}

/**
 * Labels production has and staging lacks fail inserts production makes;
 * labels only staging has let staging write values production would refuse,
 * so both are drift. A different order changes only sorting and comparisons.
 */
function compareEnum(name: string, s: string[], p: string[]): Difference[] {
  const resource = `Enum/${name}`;
  const out: Difference[] = [];
  const staging = new Set(s);
  const production = new Set(p);
  for (const label of p.filter((l) => !staging.has(l)))
    out.push(
      difference(
        resource,
        `labels[${label}]`,
        undefined,
        label,
        SCHEMA_SEVERITY.missingEnumLabel,
        `enum ${name} has label ${JSON.stringify(label)} in production but not in staging`,
      ),
    );
  for (const label of s.filter((l) => !production.has(l)))
    out.push(
      difference(
        resource,
        `labels[${label}]`,
        label,
        undefined,
        SCHEMA_SEVERITY.enumLabelOnlyInStaging,
        `enum ${name} has label ${JSON.stringify(label)} only in staging: staging accepts a value production refuses`,
      ),
    );
  const common = (labels: string[], other: Set<string>) => labels.filter((l) => other.has(l)).join(',');
  if (out.length === 0 && common(s, production) !== common(p, staging)) {
    out.push(
      difference(
        resource,
        'labels',
        s.join(','),
        p.join(','),
        SCHEMA_SEVERITY.enumOrder,
        `enum ${name} orders its labels differently (ORDER BY and comparisons differ)`,
      ),
    );
  }
  return out;
}

function compareDomain(name: string, s: DomainSchema, p: DomainSchema): Difference[] {
  const resource = `Domain/${name}`;
  const out: Difference[] = [];
  if (s.type !== p.type)
    out.push(
      difference(
        resource,
        'type',
        s.type,
        p.type,
        SCHEMA_SEVERITY.columnType,
        `domain ${name} is ${s.type} in staging, ${p.type} in production`,
      ),
    );
  if (s.nullable !== p.nullable) {
    const text = (n: boolean) => (n ? 'NULL' : 'NOT NULL');
    out.push(
      difference(
        resource,
        'nullable',
        text(s.nullable),
        text(p.nullable),
        SCHEMA_SEVERITY.nullability,
        `domain ${name} is ${text(s.nullable)} in staging, ${text(p.nullable)} in production`,
      ),
    );
  }
  if ((s.default ?? null) !== (p.default ?? null))
    out.push(
      difference(
        resource,
        'default',
        s.default ?? '(none)',
        p.default ?? '(none)',
        SCHEMA_SEVERITY.columnDefault,
        `domain ${name} has a different default`,
      ),
    );
  const sc = new Set(s.checks);
  const pc = new Set(p.checks);
  for (const check of p.checks.filter((c) => !sc.has(c)))
    out.push(
      difference(
        resource,
        `checks[${check}]`,
        undefined,
        check,
        SCHEMA_SEVERITY.missingConstraint,
        `domain ${name} has ${check} in production but not in staging`,
      ),
    );
  for (const check of s.checks.filter((c) => !pc.has(c)))
    out.push(
      difference(
        resource,
        `checks[${check}]`,
        check,
        undefined,
        SCHEMA_SEVERITY.constraintDefinition,
        `domain ${name} has ${check} only in staging`,
      ),
    );
  return out;
}

const SEQUENCE_FIELDS = ['type', 'start', 'increment', 'min', 'max', 'cycle'] as const satisfies ReadonlyArray<
  keyof SequenceSchema
>;

/** Definitions only: where a sequence stands is data, and a fresh seed's sequences rightly stand elsewhere. */
function compareSequence(name: string, s: SequenceSchema, p: SequenceSchema): Difference[] {
  return SEQUENCE_FIELDS.filter((field) => s[field] !== p[field]).map((field) =>
    difference(
      `Sequence/${name}`,
      field,
      s[field],
      p[field],
      SCHEMA_SEVERITY.sequenceDefinition,
      `sequence ${name} has ${field} ${String(s[field])} in staging, ${String(p[field])} in production`,
    ),
  );
}

/** Compares enum labels, domains and sequence definitions of the compared schemas. */
export function compareTypes(staging: SchemaTypes, production: SchemaTypes): Difference[] {
  const out: Difference[] = [];
  const each = <T>(
    noun: string,
    kind: string,
    s: Map<string, T>,
    p: Map<string, T>,
    compare: (name: string, s: T, p: T) => Difference[],
  ) => {
    for (const name of sortedKeys(s, p)) {
      const missing = presence(`${kind}/${name}`, noun, name, s.get(name), p.get(name));
      if (missing) out.push(missing);
      else out.push(...compare(name, s.get(name)!, p.get(name)!));
    }
  };
  each('enum', 'Enum', staging.enums, production.enums, compareEnum);
  each('domain', 'Domain', staging.domains, production.domains, compareDomain);
  each('sequence', 'Sequence', staging.sequences, production.sequences, compareSequence);
  return out;
}
