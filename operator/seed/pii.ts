import type { TransformerDefinition } from '../api/transformers/definition';
import { TRANSFORMERS, type TransformName } from '../api/transformers/registry';
import { type ColumnInfo, PII_KINDS, type PiiKind } from './model';

// Personal-data detection by column name and type. Deliberately eager: a
// false positive costs one `keep` rule, a false negative leaks production.

const NAME_PATTERNS: Array<[RegExp, PiiKind]> = [
  [/e_?mail/, 'email'],
  [/^(first_?name|given_?name|forename|fname)$/, 'firstName'],
  [/^(last_?name|family_?name|surname|lname)$/, 'lastName'],
  [
    /^(full_?name|display_?name|contact_?name|customer_?name|recipient|name_on_card|cardholder|holder_?name)$/,
    'fullName',
  ],
  [/^(user_?name|login|handle|nickname)$/, 'username'],
  [/(phone|mobile|fax|msisdn|^tel$|telephone)/, 'phone'],
  [/(street|address_?line|^line_?[12]$|^address[12]?$|house_?number)/, 'street'],
  [/^(city|town|locality)$/, 'city'],
  [/(zip|postal_?code|post_?code|postcode)/, 'zip'],
  [/(ssn|social_?security|national_?id|tax_?id|passport|driver_?licen[cs]e|^nino$|^sin$|id_?number)/, 'nationalId'],
  [/(^ip$|ip_?addr|_ip$|^ip_|remote_?addr|client_?ip)/, 'ip'],
  [/(card_?number|credit_?card|^pan$|cc_?num)/, 'cardNumber'],
  [/(iban|account_?number|bank_?account|routing_?number|bic|swift)/, 'iban'],
  [/(birth|^dob$|birthday)/, 'dateOfBirth'],
  [/(password|passwd|secret|token|api_?key|salt|^hash$|private_?key|otp|cvv|cvc|pin$)/, 'secret'],
  [/(latitude|longitude|^lat$|^lng$|^lon$|geo_?location)/, 'geo'],
  [/(^notes?$|comment|^bio$|^message$|^body$|free_?text|instructions)/, 'freeText'],
];

export function detectPersonal(column: Pick<ColumnInfo, 'name' | 'baseType'>): PiiKind | undefined {
  const name = column.name.toLowerCase();
  for (const [pattern, kind] of NAME_PATTERNS) if (pattern.test(name)) return kind;
  if (column.baseType === 'inet') return 'ip';
  return undefined;
}

/**
 * The transformer suggested for (and, when synthesizing, applied to) each kind of personal
 * column, from the definitions' `suggestedFor`: every kind needs exactly one.
 */
export function suggestionsByKind(defs: readonly TransformerDefinition[]): Record<PiiKind, Suggestion> {
  const out = new Map<string, Suggestion>();
  for (const def of defs) {
    for (const hint of def.suggestedFor ?? []) {
      if (!(PII_KINDS as readonly string[]).includes(hint.kind))
        throw new Error(
          `transformer ${def.name} is suggested for ${hint.kind}, which is not a kind of personal column`,
        );
      const taken = out.get(hint.kind);
      if (taken)
        throw new Error(
          `personal kind ${hint.kind} has two suggested transformers: ${taken.transform} and ${def.name}`,
        );
      out.set(hint.kind, { transform: def.name as TransformName, ...(hint.params ? { params: hint.params } : {}) });
    }
  }
  const missing = PII_KINDS.filter((k) => !out.has(k));
  if (missing.length > 0) throw new Error(`no transformer is suggested for ${missing.join(', ')}`);
  return Object.fromEntries(out) as Record<PiiKind, Suggestion>;
}

type Suggestion = { transform: TransformName; params?: Record<string, unknown> };

export const DEFAULT_TRANSFORM: Record<PiiKind, Suggestion> = suggestionsByKind(TRANSFORMERS.all());

/**
 * Types that cannot carry personal data by themselves. Text, JSON, arrays,
 * bytes and network addresses can, so they always need a rule in strict mode.
 */
export function isKnownSafeType(column: Pick<ColumnInfo, 'baseType' | 'isArray'>): boolean {
  if (column.isArray) return false;
  return [
    'int2',
    'int4',
    'int8',
    'float',
    'numeric',
    'bool',
    'date',
    'timestamp',
    'timestamptz',
    'time',
    'enum',
  ].includes(column.baseType);
}

type ProfileTable = {
  schema: string;
  name: string;
  columns: ReadonlyArray<Pick<ColumnInfo, 'name' | 'baseType' | 'isArray'>>;
};

/**
 * Which columns a profile must keep without values: those that look personal,
 * and those a rule masks (a rule other than keep says the values are sensitive).
 * Its valuesAllowed says which of the rest may keep values: a column whose rule
 * is keep — given, or the default rule of numbers, dates, times, booleans and
 * enums (types that cannot spell a name) — and no other. The content scan
 * still refuses any value that looks personal.
 */
export function personalClassifier(rules: ReadonlyArray<{ table: string; column: string; transform: string }> = []) {
  const ruleOf = (table: ProfileTable, column: string) =>
    rules.find((r) => (r.table === table.name || r.table === `${table.schema}.${table.name}`) && r.column === column);
  const classify = (table: ProfileTable, column: string): PiiKind | undefined => {
    const info = table.columns.find((c) => c.name === column);
    const detected = detectPersonal({ name: column, baseType: info?.baseType ?? 'text' });
    if (detected) return detected;
    const rule = ruleOf(table, column);
    return rule && rule.transform !== 'keep' ? 'freeText' : undefined;
  };
  const valuesAllowed = (table: ProfileTable, column: string): boolean => {
    if (classify(table, column)) return false;
    const rule = ruleOf(table, column);
    if (rule) return rule.transform === 'keep';
    const info = table.columns.find((c) => c.name === column);
    return info !== undefined && isKnownSafeType(info);
  };
  return Object.assign(classify, { valuesAllowed });
}
