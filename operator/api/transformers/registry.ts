import type { z } from 'zod';
import { cardNumber } from './card-number';
import { city } from './city';
import { company } from './company';
import { constant } from './constant';
import { country } from './country';
import { dateShift } from './date-shift';
import type { TransformerDefinition } from './definition';
import { digits } from './digits';
import { email } from './email';
import { firstName } from './first-name';
import { fullName } from './full-name';
import { hash } from './hash';
import { iban } from './iban';
import { ipv4 } from './ipv4';
import { ipv6 } from './ipv6';
import { json } from './json';
import { keep } from './keep';
import { lastName } from './last-name';
import { lorem } from './lorem';
import { mask } from './mask';
import { noise } from './noise';
import { nullTransformer } from './null';
import { permute } from './permute';
import { phone } from './phone';
import { street } from './street';
import { template } from './template';
import { username } from './username';
import { uuid } from './uuid';
import { zip } from './zip';

// Every transformer, registered once. The CRD schema, the reference in docs/,
// the spec parser, the compile step, the leak checks and the PII suggestions
// all read this list; seed/transform/implementations.ts must implement each.

const DEFINITIONS = [
  keep,
  nullTransformer,
  constant,
  template,
  hash,
  mask,
  permute,
  uuid,
  email,
  firstName,
  lastName,
  fullName,
  company,
  phone,
  street,
  city,
  zip,
  country,
  username,
  digits,
  lorem,
  ipv4,
  ipv6,
  iban,
  cardNumber,
  dateShift,
  noise,
  json,
] as const;

export type AnyTransformer = (typeof DEFINITIONS)[number];
export type TransformName = AnyTransformer['name'];
export type TransformerOf<N extends TransformName> = Extract<AnyTransformer, { name: N }>;
/** A transformer's parameters after parsing: defaults filled in. */
export type ParamsOf<N extends TransformName> = z.output<TransformerOf<N>['params']>;

/** Name → definition; registering a name twice throws, so two files cannot claim one transformer. */
export class TransformerRegistry {
  private readonly byName = new Map<string, TransformerDefinition>();

  register(def: TransformerDefinition): void {
    if (this.byName.has(def.name)) throw new Error(`transformer ${JSON.stringify(def.name)} is registered twice`);
    this.byName.set(def.name, def);
  }

  get(name: string): TransformerDefinition | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  all(): TransformerDefinition[] {
    return [...this.byName.values()];
  }
}

export function createRegistry(definitions: readonly TransformerDefinition[]): TransformerRegistry {
  const registry = new TransformerRegistry();
  for (const def of definitions) registry.register(def);
  return registry;
}

export const TRANSFORMERS = createRegistry(DEFINITIONS);

/** The names, in registration order (the order error messages and the reference list them in). */
export const TRANSFORMS = DEFINITIONS.map((d) => d.name) as unknown as readonly [TransformName, ...TransformName[]];

export function isTransformName(name: string): name is TransformName {
  return TRANSFORMERS.get(name) !== undefined;
}

/** The definition of a known transformer, typed by its name. */
export function transformerOf<N extends TransformName>(name: N): TransformerOf<N> {
  return TRANSFORMERS.get(name) as TransformerOf<N>;
}

/** A problem with a rule's parameters; `path` starts at the rule (`params`, …). */
export interface ParamIssue {
  path: Array<string | number>;
  message: string;
}

export type ParamsResult<P> = { ok: true; params: P } | { ok: false; issues: ParamIssue[] };

export function unknownTransformMessage(name: unknown): string {
  return `unknown transform ${JSON.stringify(name)}; valid: ${TRANSFORMS.join(', ')}`;
}

/**
 * Parses a rule's parameters with its transformer's schema (defaults filled in),
 * and the transformers named inside them (json paths, template placeholders) the
 * same way, recursively. Messages name the parameter and the wrong value.
 */
export function parseParams<N extends TransformName>(name: N, raw: unknown): ParamsResult<ParamsOf<N>> {
  const def = TRANSFORMERS.get(name);
  if (!def) return { ok: false, issues: [{ path: ['transform'], message: unknownTransformMessage(name) }] };
  const input = raw ?? {};
  const parsed = def.params.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({
        path: ['params', ...(i.path as Array<string | number>)],
        message: describeIssue(def, i, input),
      })),
    };
  const issues: ParamIssue[] = [];
  for (const inner of def.nested?.(parsed.data) ?? []) {
    const at = ['params', ...inner.at];
    if (!isTransformName(inner.transform)) {
      issues.push({
        path: inner.at[0] === 'template' ? at : [...at, 'transform'],
        message: unknownTransformMessage(inner.transform),
      });
      continue;
    }
    const result = parseParams(inner.transform, inner.params);
    if (result.ok) continue;
    if (inner.params === undefined)
      issues.push({ path: at, message: `${inner.transform} needs parameters, so it cannot be used here` });
    else issues.push(...result.issues.map((i) => ({ path: [...at, ...i.path], message: i.message })));
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, params: parsed.data as ParamsOf<N> };
}

/** `params.paths[0].params.days`, the way a user finds it in YAML. */
export function pathText(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = root;
  for (const key of path)
    node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

function describeIssue(def: TransformerDefinition, issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const takes = Object.keys(def.params.shape);
    return `unknown parameter ${issue.keys.join(', ')}; ${def.name} takes ${takes.length === 0 ? 'no parameters' : takes.join(', ')}`;
  }
  if (issue.code === 'invalid_type') {
    const value = valueAt(input, issue.path);
    return value === undefined
      ? `is required (${issue.expected})`
      : `must be a ${issue.expected}, got ${JSON.stringify(value)}`;
  }
  return issue.message;
}

/** Whether distinct inputs give distinct outputs, for parsed parameters. */
export function isInjectiveWith(
  def: TransformerDefinition,
  params: Record<string, unknown>,
  column: { unique: boolean },
): boolean {
  return typeof def.injective === 'boolean' ? def.injective : def.injective.test(params, column);
}
