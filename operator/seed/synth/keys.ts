import { type Keyed, Uuid128Permutation } from '../keyed';
import type { ColumnInfo, ColumnProfile } from '../model';
import { compileTransform, type TransformSpec } from '../transform/compile';

// Values of key and unique columns are a pure, injective function of the row's
// index, so a child can compute its parent's key from the parent's index alone:
// no generated key is ever kept in memory.

export type IndexedValue = (index: number) => string;

/** A sample value such as `SKU-00042` turned into a pattern: prefix, zero-padded index, suffix. */
function patternOf(sample: string | undefined): { prefix: string; width: number; suffix: string } | undefined {
  const m = sample !== undefined ? /^(\D*?)(\d+)(\D*)$/.exec(sample) : null;
  return m ? { prefix: m[1]!, width: m[2]!.length, suffix: m[3]! } : undefined;
}

export function indexedValue(opts: {
  tableId: string;
  column: ColumnInfo;
  profile: ColumnProfile | undefined;
  /** Set for personal columns: the fake-value transform fed a unique synthetic input. */
  spec: TransformSpec | undefined;
  keyed: Keyed;
}): IndexedValue {
  const base = defaultIndexedValue(opts);
  const spec = opts.spec;
  if (!spec || spec.transform === 'keep') return base;
  const t = compileTransform(spec, { keyed: opts.keyed, column: opts.column, unique: true });
  // Key transforms (permute, uuid, hash) work on a key of the column's type; fake-value
  // transforms (email, names) on a unique synthetic token.
  if (['permute', 'uuid', 'hash', 'template'].includes(spec.transform)) return (i) => t(base(i), () => null) ?? base(i);
  const token = `${opts.tableId}.${opts.column.name}#`;
  return (i) => t(`${token}${i}`, () => null) ?? base(i);
}

function defaultIndexedValue(opts: {
  tableId: string;
  column: ColumnInfo;
  profile: ColumnProfile | undefined;
  keyed: Keyed;
}): IndexedValue {
  const { column, keyed } = opts;
  switch (column.baseType) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
    case 'float':
      return (i) => String(i + 1);
    case 'uuid': {
      const perm = new Uuid128Permutation(keyed.roundKeys(`synth-uuid/${opts.tableId}.${column.name}`, 16));
      return (i) => {
        const h = perm.apply(i.toString(16).padStart(32, '0'));
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      };
    }
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return (i) =>
        new Date(Date.UTC(2000, 0, 1) + i * (column.baseType === 'date' ? 86_400_000 : 1000))
          .toISOString()
          .replace('T', ' ')
          .replace('Z', column.baseType === 'timestamptz' ? '+00' : '')
          .slice(0, column.baseType === 'date' ? 10 : undefined);
    default: {
      const sample = opts.profile?.histogram?.[0] ?? opts.profile?.mostCommon?.values[0];
      const pattern = patternOf(sample);
      const max = column.maxLength;
      if (pattern) return (i) => `${pattern.prefix}${String(i + 1).padStart(pattern.width, '0')}${pattern.suffix}`;
      const prefix = `${column.name}-`.slice(0, Math.max(0, (max ?? 64) - 10));
      return (i) => `${prefix}${i + 1}`;
    }
  }
}
