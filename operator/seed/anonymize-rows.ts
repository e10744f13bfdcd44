import type { RowCodec } from './driver';
import type { Keyed as KeyedHash } from './keyed';
import type { ColumnPlan } from './rules';
import { rowCheckApplies } from './leak-scan';
import { compileTransform, rowColumnsOf, type TransformSpec, type ValueTransform } from './transform/compile';
import { TRANSFORMERS } from '../api/transformers/registry';

const isIdentity = (spec: TransformSpec): boolean => TRANSFORMERS.get(spec.transform)?.identity === true;

/**
 * Turns a batch of source lines into one chunk for the target. Kept columns
 * pass through still encoded; only masked fields are decoded and re-encoded.
 */
/** Whether any column of the table is changed on the way: if not, rows can be copied as raw bytes. */
export function changesAnyColumn(plans: ColumnPlan[], nulled: Set<string>): boolean {
  return plans.some((p) => nulled.has(p.column.name) || (p.spec !== undefined && !isIdentity(p.spec)));
}

/**
 * `unchanged` counts, per column, masked values that came out equal to their
 * original where that cannot happen by chance (see leak-scan.ts): leaks.
 */
export function compileLineTransform(
  plans: ColumnPlan[],
  keyed: KeyedHash,
  codec: RowCodec,
  nulled: Set<string>,
  unchanged?: Map<string, number>,
): (lines: string[]) => string {
  const index = new Map(plans.map((p, i) => [p.column.name, i]));
  const steps: Array<{ at: number; transform: ValueTransform | 'null'; name: string; kind: string }> = [];
  let needsLookup = false;
  plans.forEach((plan, at) => {
    if (nulled.has(plan.column.name))
      return steps.push({ at, transform: 'null', name: plan.column.name, kind: 'null' });
    if (!plan.spec || isIdentity(plan.spec)) return;
    // Per-entity transforms read other columns of the same row (their original values).
    for (const other of rowColumnsOf(plan.spec)) {
      if (!index.has(other))
        throw new Error(
          `${plan.column.name}: ${plan.spec.transform} reads column ${other}, which is not a column of the table`,
        );
      needsLookup = true;
    }
    steps.push({
      at,
      transform: compileTransform(plan.spec, { keyed, column: plan.column, unique: plan.unique }),
      name: plan.column.name,
      kind: plan.spec.transform,
    });
  });
  if (steps.length === 0) return (lines) => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  // Per-entity transforms read the original value of another column of the row; one closure serves every row.
  let original: string[] = [];
  const lookup = (name: string): string | null => {
    const i = index.get(name);
    return i === undefined ? null : codec.decodeField(original[i]!);
  };
  return (lines) => {
    let out = '';
    for (const line of lines) {
      const fields = codec.splitLine(line);
      original = needsLookup ? fields.slice() : fields;
      for (const { at, transform, name, kind } of steps) {
        if (transform === 'null') {
          fields[at] = codec.encodeField(null);
          continue;
        }
        const value = codec.decodeField(fields[at]!);
        if (value === null) continue;
        const masked = transform(value, lookup);
        if (unchanged && masked === value && rowCheckApplies(kind, value))
          unchanged.set(name, (unchanged.get(name) ?? 0) + 1);
        fields[at] = codec.encodeField(masked);
      }
      out += `${codec.joinLine(fields)}\n`;
    }
    return out;
  };
}
