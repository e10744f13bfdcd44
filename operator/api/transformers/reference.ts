import { stringify } from 'yaml';
import { z } from 'zod';
import type { TransformerDefinition } from './definition';
import { TRANSFORMERS } from './registry';

// docs/transformers.md, rendered from the registry: what a user reads is what
// the parser, the CRD schema and the engine use.

type JsonSchema = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

function typeText(s: JsonSchema): string {
  if (s['x-kubernetes-int-or-string'] === true || Array.isArray(s.anyOf)) return 'string or whole number';
  const bounds = (low: unknown, high: unknown, unit = ''): string => {
    const [lo, hi] = [num(low), num(high)];
    return lo !== undefined && hi !== undefined
      ? ` ${lo}–${hi}${unit}`
      : lo !== undefined
        ? ` ≥ ${lo}${unit}`
        : hi !== undefined
          ? ` ≤ ${hi}${unit}`
          : '';
  };
  switch (s.type) {
    case 'integer':
      return `integer${bounds(s.minimum, s.maximum)}`;
    case 'number':
      return `number${bounds(s.minimum, s.maximum)}`;
    case 'string':
      if (s.minLength === 1 && s.maxLength === 1) return 'one character';
      if (s.minLength === 1 && s.maxLength === undefined) return 'non-empty string';
      return `string${bounds(s.minLength, s.maxLength, ' chars')}`;
    case 'array': {
      const items = s.items as JsonSchema;
      const keys = Object.keys(items.properties ?? {});
      return `list${bounds(s.minItems, s.maxItems, ' items')} of {${keys.join(', ')}}`;
    }
    default:
      return str(s.type, 'any');
  }
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function paramsTable(def: TransformerDefinition): string[] {
  const rendered = z.toJSONSchema(def.params, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const props = Object.entries((rendered.properties ?? {}) as Record<string, JsonSchema>);
  if (props.length === 0) return ['No parameters.'];
  const required = new Set((rendered.required ?? []) as string[]);
  const rows = props.map(([name, s]) => {
    const dflt = s.default !== undefined ? `\`${JSON.stringify(s.default)}\`` : required.has(name) ? 'required' : '—';
    return `| \`${name}\` | ${cell(typeText(s))} | ${dflt} | ${cell(str(s.description))} |`;
  });
  return ['| Parameter | Type | Default | Description |', '|---|---|---|---|', ...rows];
}

function injectiveText(def: TransformerDefinition): string {
  if (def.injective === true)
    return 'yes: distinct inputs give distinct outputs, so it may mask unique and key columns';
  if (def.injective === false)
    return 'no: distinct inputs may give one output, so it is refused on unique and key columns';
  return `when ${def.injective.when}`;
}

function leakText(def: TransformerDefinition): string {
  const row = {
    always: 'a masked value equal to its original fails the seed',
    longValues: 'a masked value of 7 or more letters and digits equal to its original fails the seed',
    never: 'no row check',
  }[def.leak.rowCheck];
  return `${def.leak.scan ? 'every production value is looked up among the written values; ' : ''}${row}`;
}

function section(def: TransformerDefinition): string[] {
  const lines = [`## \`${def.name}\``, '', def.description, '', ...paramsTable(def), ''];
  lines.push(`- **Injective:** ${injectiveText(def)}.`);
  lines.push(`- **Leak checks:** ${leakText(def)}.`);
  if (def.rowColumns) lines.push('- **Reads other columns of the row:** yes (see its parameters).');
  if (def.suggestedFor?.length) {
    lines.push(
      `- **Suggested for:** ${def.suggestedFor.map((s) => `${s.kind}${s.params ? ` (${JSON.stringify(s.params)})` : ''}`).join(', ')}.`,
    );
  }
  const rule = { table: 'users', column: 'col', transform: def.name, ...(def.example ? { params: def.example } : {}) };
  lines.push('', '```yaml', stringify({ rules: [rule] }, { lineWidth: 0 }).trimEnd(), '```', '');
  return lines;
}

export function renderTransformerReference(defs: readonly TransformerDefinition[] = TRANSFORMERS.all()): string {
  const header = [
    '# Transformers',
    '',
    '<!-- Generated from operator/api/transformers by `tsx tools/transformer-reference.ts` — do not edit by hand. -->',
    '',
    'A rule (`spec.rules[]` of a DataSeed, or a `--rules` file) names a column and the transformer that masks it',
    '(anonymize) or generates it (synthesize). Every transform is keyed: the same input and masking key give the',
    'same output in every table, database and run. Parameters are typed: a wrong type, an unknown parameter or one',
    'that belongs to another transformer is refused by the API server (`kubectl apply`) and by `understudy seed`,',
    "naming the rule and the parameter. Outputs are cut to the column's length (`varchar(n)`).",
    '',
    '| Transformer | Parameters | Injective |',
    '|---|---|---|',
    ...defs.map((d) => {
      const params = Object.keys(d.params.shape);
      const inj = d.injective === true ? 'yes' : d.injective === false ? 'no' : 'conditional';
      return `| [\`${d.name}\`](#${d.name.toLowerCase()}) | ${params.length ? params.map((p) => `\`${p}\``).join(', ') : '—'} | ${inj} |`;
    }),
    '',
  ];
  return `${[...header, ...defs.flatMap(section)].join('\n').trimEnd()}\n`;
}
