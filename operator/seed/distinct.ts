import type { ColumnProfile } from './model';

// How many distinct values a column should have at another number of rows.
// Synthesis aims at it (personal columns draw from that many fresh inputs)
// and the fidelity report judges personal columns against it, so both mean
// the same thing.

/**
 * Production's distinct count at `targetRows`: a column whose distinct count
 * grows with the table (pg_stats' n_distinct is a negative ratio, as for names
 * or emails) scales with the rows; one with a fixed vocabulary keeps its
 * count. Never more than the target's non-null rows.
 */
export function expectedDistinct(source: ColumnProfile, sourceRows: number, targetRows: number): number | undefined {
  const distinct = source.distinct ?? (source.nDistinct >= 0 ? source.nDistinct : -source.nDistinct * sourceRows);
  if (!(distinct > 0) || sourceRows <= 0) return undefined;
  const nonNull = Math.max(0, Math.round(targetRows * (1 - source.nullFrac)));
  const scaled = source.nDistinct < 0 ? (distinct * targetRows) / sourceRows : distinct;
  return Math.max(nonNull > 0 ? 1 : 0, Math.min(nonNull, Math.round(scaled)));
}
