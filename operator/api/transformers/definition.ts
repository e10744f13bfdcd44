import { z } from 'zod';

// What a transformer says about itself. The definitions are data (a name, a
// description, a zod schema of its parameters, and what the engine must know
// to check its output) and live under api/ so the CRD schema, the docs and the
// spec parser read them; their implementations live in seed/transform/, in a
// map typed to cover every definition.

/**
 * How the leak checks treat a transformer's output (seed/leak-scan.ts):
 * - `scan`: every production value of the column is looked up among the
 *   target's values; only for outputs that cannot equal a real value by chance
 *   (fake e-mails at reserved domains, hashes, card numbers over 10^14 values);
 * - `rowCheck`: a masked value equal to its own original is a leak — `always`,
 *   only for values of at least 7 letters or digits (`longValues`, for
 *   format-preserving outputs where a 3-digit code may come back unchanged by
 *   chance), or `never` (a fake city may be the real one).
 */
export interface LeakCheck {
  scan: boolean;
  rowCheck: 'always' | 'longValues' | 'never';
}

/** Whether distinct inputs give distinct outputs: always, never, or depending on the parameters. */
export type Injectivity<P> = boolean | { when: string; test: (params: P, column: { unique: boolean }) => boolean };

/** A transformer run inside another's parameters (json paths, template placeholders), checked like a rule. */
export interface NestedTransform {
  /** Where, under params, the nested transformer is named. */
  at: Array<string | number>;
  transform: string;
  params?: Record<string, unknown>;
}

export interface TransformerDefinition<N extends string = string, P extends z.ZodObject = z.ZodObject> {
  name: N;
  /** One or two sentences: what the output looks like and what survives from the input. */
  description: string;
  /** Strict: an unknown parameter is refused, a missing one takes its default. */
  params: P;
  injective: Injectivity<z.output<P>>;
  leak: LeakCheck;
  /** Other columns of the same row the transformer reads (per-entity transforms); none when absent. */
  rowColumns?: (params: z.output<P>) => string[];
  /** Transformers named inside the parameters, validated recursively by the registry. */
  nested?: (params: z.output<P>) => NestedTransform[];
  /** Kinds of personal column (seed/model.ts PII_KINDS) this transformer is suggested for, with its parameters there. */
  suggestedFor?: Array<{ kind: string; params?: z.input<P> }>;
  /** Passes values through untouched: tables with only such columns are copied byte for byte. */
  identity?: boolean;
  /** A parameter example for the reference, when the transformer takes parameters. */
  example?: z.input<P>;
}

/** Keeps the literal name and the parameter schema's type, so implementations are typed per transformer. */
export function defineTransformer<const N extends string, P extends z.ZodObject>(
  def: TransformerDefinition<N, P>,
): TransformerDefinition<N, P> {
  return def;
}

/** The parameters of a transformer that takes none: any key is refused. */
export const NO_PARAMS = z.strictObject({});
