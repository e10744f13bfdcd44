import type { RowCodec } from './driver';
import type { Keyed as KeyedHash } from './keyed';
import type { ColumnPlan } from './rules';
import { compileTransform, type ValueTransform } from './transform/compile';

/**
 * Turns a batch of source lines into one chunk for the target. Kept columns
 * pass through still encoded; only masked fields are decoded and re-encoded.
 */
/** Whether any column of the table is changed on the way: if not, rows can be copied as raw bytes. */
export function changesAnyColumn(plans: ColumnPlan[], nulled: Set<string>): boolean {
  return plans.some((p) => nulled.has(p.column.name) || (p.spec !== undefined && p.spec.transform !== 'keep'));
}

export function compileLineTransform(plans: ColumnPlan[], keyed: KeyedHash, codec: RowCodec, nulled: Set<string>): (lines: string[]) => string {
  const index = new Map(plans.map((p, i) => [p.column.name, i]));
  const steps: Array<{ at: number; transform: ValueTransform | 'null' }> = [];
  let needsLookup = false;
  plans.forEach((plan, at) => {
    if (nulled.has(plan.column.name)) return steps.push({ at, transform: 'null' });
    if (!plan.spec || plan.spec.transform === 'keep') return;
    if (plan.spec.transform === 'dateShift' && plan.spec.params?.entityColumn !== undefined) {
      const entity = String(plan.spec.params.entityColumn);
      if (!index.has(entity)) throw new Error(`${plan.column.name}: dateShift entityColumn ${entity} is not a column of the table`);
      needsLookup = true;
    }
    steps.push({ at, transform: compileTransform(plan.spec, { keyed, column: plan.column, unique: plan.unique }) });
  });
  if (steps.length === 0) return (lines) => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return (lines) => {
    let out = '';
    for (const line of lines) {
      const fields = codec.splitLine(line);
      // Per-entity transforms read the original value of another column of the row.
      const original = needsLookup ? fields.slice() : fields;
      const lookup = (name: string): string | null => {
        const i = index.get(name);
        return i === undefined ? null : codec.decodeField(original[i]!);
      };
      for (const { at, transform } of steps) {
        if (transform === 'null') {
          fields[at] = codec.encodeField(null);
          continue;
        }
        const value = codec.decodeField(fields[at]!);
        if (value !== null) fields[at] = codec.encodeField(transform(value, lookup));
      }
      out += `${codec.joinLine(fields)}\n`;
    }
    return out;
  };
}
