import type { KeyedHash } from '../keyed';
import type { ColumnInfo, FanOut, ForeignKey, TableInfo, TableProfile, TextRow } from '../model';
import { tableId } from '../model';
import type { ColumnPlan } from '../rules';
import { compileTransform } from '../transform/compile';
import type { IndexedValue } from './keys';
import { pickCumulative, Rng, streamOf } from './rng';
import { type Sampler, statsSampler } from './samplers';

// One table's synthetic rows, streamed in batches. Children are generated parent
// by parent with the profiled fan-out (the "driving" foreign key); other foreign
// keys pick parents weighted by their own fan-out.

export interface SynthWorld {
  seed: number;
  keyed: KeyedHash;
  rowsOf(tableId: string): number;
  /** The value of a key or unique column at a row index. */
  keyOf(tableId: string, column: string): IndexedValue;
  /** Foreign keys (`table.fkName`) written as NULL now and filled after their parent is loaded. */
  deferred: Set<string>;
}

export interface SynthTableInput {
  table: TableInfo;
  rows: number;
  plans: ColumnPlan[];
  profile: TableProfile | undefined;
}

export function writtenPlans(plans: ColumnPlan[]): ColumnPlan[] {
  return plans.filter((p) => p.spec !== undefined && p.coverage !== 'computed');
}

/** Counts drawn from a fan-out distribution, rescaled to sum exactly to `total`, each at most `cap`. */
export function allocateChildren(parents: number, total: number, fanOut: FanOut | undefined, cap: number, rng: Rng): Int32Array {
  const counts = new Int32Array(parents);
  if (parents === 0) return counts;
  const buckets = fanOut?.buckets.length ? fanOut.buckets : [[1, 1] as [number, number]];
  const cumulative: number[] = [];
  let weight = 0;
  for (const [, p] of buckets) cumulative.push((weight += p));
  const drawn = new Float64Array(parents);
  let sum = 0;
  for (let i = 0; i < parents; i++) sum += drawn[i] = buckets[pickCumulative(cumulative, weight, rng.next())]![0];
  const scale = sum > 0 ? total / sum : 0;
  let assigned = 0;
  for (let i = 0; i < parents; i++) {
    const exact = sum > 0 ? drawn[i]! * scale : total / parents;
    const n = Math.min(cap, Math.floor(exact) + (rng.next() < exact - Math.floor(exact) ? 1 : 0));
    counts[i] = n;
    assigned += n;
  }
  for (let guard = 0; assigned !== total && guard < 20 * (Math.abs(total - assigned) + parents); guard++) {
    const i = rng.int(parents);
    if (assigned < total && counts[i]! < cap) {
      counts[i]! += 1;
      assigned += 1;
    } else if (assigned > total && counts[i]! > 0) {
      counts[i]! -= 1;
      assigned -= 1;
    }
  }
  return counts;
}

interface ForeignKeyPlan {
  fk: ForeignKey;
  parentRows: number;
  parentKeys: IndexedValue[];
  selfReference: boolean;
  deferred: boolean;
  nullFrac: number;
  /** Cumulative parent weights for non-driving keys (popularity follows the fan-out). */
  weights?: Float64Array;
  weightTotal?: number;
}

function fkPlans(input: SynthTableInput, world: SynthWorld, rng: Rng): ForeignKeyPlan[] {
  const id = tableId(input.table);
  return input.table.foreignKeys.map((fk) => {
    const parentRows = fk.refTable === id ? input.rows : world.rowsOf(fk.refTable);
    const nullable = fk.columns.every((c) => !input.table.columns.find((col) => col.name === c)?.notNull);
    return {
      fk,
      parentRows,
      parentKeys: fk.refColumns.map((c) => world.keyOf(fk.refTable, c)),
      selfReference: fk.refTable === id,
      deferred: world.deferred.has(`${id}.${fk.name}`),
      nullFrac: nullable ? (input.profile?.columns[fk.columns[0]!]?.nullFrac ?? 0) : 0,
    };
  }).map((plan) => {
    if (plan.selfReference || plan.deferred || plan.parentRows === 0) return plan;
    const fanOut = input.profile?.fanOut[plan.fk.name];
    const counts = allocateChildren(plan.parentRows, plan.parentRows, fanOut, Number.MAX_SAFE_INTEGER, rng);
    const weights = new Float64Array(plan.parentRows);
    let total = 0;
    for (let i = 0; i < counts.length; i++) weights[i] = total += counts[i]! + 1e-9;
    return { ...plan, weights, weightTotal: total };
  });
}

/** The foreign key that drives generation: one in a composite unique first, else a NOT NULL one. */
function chooseDriving(table: TableInfo, plans: ForeignKeyPlan[]): ForeignKeyPlan | undefined {
  const candidates = plans.filter((p) => !p.selfReference && !p.deferred && p.parentRows > 0);
  const inUnique = (p: ForeignKeyPlan): boolean => [table.primaryKey, ...table.uniques].some((u) => u.length > 1 && p.fk.columns.every((c) => u.includes(c)));
  return candidates.find(inUnique) ?? candidates.find((p) => p.nullFrac === 0) ?? candidates[0];
}

/** Foreign keys that must differ among one driving parent's children (they share a unique constraint with it). */
function groupUnique(table: TableInfo, driving: ForeignKeyPlan | undefined, plans: ForeignKeyPlan[]): ForeignKeyPlan[] {
  if (!driving) return [];
  const uniques = [table.primaryKey, ...table.uniques].filter((u) => driving.fk.columns.every((c) => u.includes(c)) && u.length > driving.fk.columns.length);
  return plans.filter((p) => p !== driving && uniques.some((u) => p.fk.columns.every((c) => u.includes(c))));
}

function valueSampler(plan: ColumnPlan, input: SynthTableInput, world: SynthWorld): (rng: Rng) => string | null {
  const column: ColumnInfo = plan.column;
  const profile = input.profile?.columns[column.name];
  const spec = plan.spec!;
  if (spec.transform === 'keep' && !plan.personal) return statsSampler(column, profile);
  const transform = compileTransform(spec, { keyed: world.keyed, column, unique: plan.unique });
  // What the transform is fed: a value of the right shape for format-preserving ones, a plausible
  // date of birth, a fresh synthetic token for fake text, or a production-like value to perturb.
  const shaped = SHAPES[spec.transform];
  const prefix = `${tableId(input.table)}.${column.name}#`;
  let counter = 0;
  const feed: Sampler = shaped
    ? shaped
    : plan.personal === 'dateOfBirth'
      ? dobSampler(column)
      : column.baseType === 'text' || plan.personal
        ? (rng) => `${prefix}${counter++}:${rng.int(1 << 30)}`
        : statsSampler(column, profile);
  return (rng) => transform(feed(rng), () => null);
}

function fillShape(shape: string): Sampler {
  return (rng) => shape.replace(/#/g, () => String(rng.int(10)));
}
const SHAPES: Partial<Record<string, Sampler>> = {
  phone: fillShape('+1-555-###-####'),
  zip: fillShape('#####'),
  digits: fillShape('###-##-####'),
  cardNumber: fillShape('################'),
};

function dobSampler(column: ColumnInfo): Sampler {
  return (rng) => {
    const days = Date.now() / 86_400_000 - (18 + rng.next() * 70) * 365.25;
    const text = new Date(days * 86_400_000).toISOString();
    return column.baseType === 'date' ? text.slice(0, 10) : `${text.slice(0, 10)} 00:00:00${column.baseType === 'timestamptz' ? '+00' : ''}`;
  };
}

export function* synthesizeTable(input: SynthTableInput, world: SynthWorld, batchRows: number): Generator<TextRow[]> {
  const id = tableId(input.table);
  const rng = new Rng(world.seed, streamOf(id));
  const plans = writtenPlans(input.plans);
  const fks = fkPlans(input, world, rng);
  const driving = chooseDriving(input.table, fks);
  const distinctInGroup = groupUnique(input.table, driving, fks);
  const fkOfColumn = new Map<string, { plan: ForeignKeyPlan; at: number }>();
  for (const plan of fks) plan.fk.columns.forEach((c, at) => fkOfColumn.has(c) || fkOfColumn.set(c, { plan, at }));
  const uniqueCols = new Set([...input.table.primaryKey, ...input.table.uniques.flat()]);

  type Cell = (i: number, rng: Rng, chosen: Map<ForeignKeyPlan, number | null>) => string | null;
  const cells: Cell[] = plans.map((plan) => {
    const name = plan.column.name;
    const fkRef = fkOfColumn.get(name);
    if (fkRef) return (_i, _rng, chosen) => { const p = chosen.get(fkRef.plan); return p === null || p === undefined ? null : fkRef.plan.parentKeys[fkRef.at]!(p); };
    if (uniqueCols.has(name)) { const key = world.keyOf(id, name); return (i) => key(i); }
    const nullFrac = input.profile?.columns[name]?.nullFrac ?? 0;
    const sample = valueSampler(plan, input, world);
    return (_i, r) => (nullFrac > 0 && r.chance(nullFrac) ? null : sample(r));
  });

  const cap = distinctInGroup.reduce((c, p) => c * p.parentRows, 1);
  const drivingNulls = driving && driving.nullFrac > 0 ? Math.round(input.rows * driving.nullFrac) : 0;
  const counts = driving ? allocateChildren(driving.parentRows, input.rows - drivingNulls, input.profile?.fanOut[driving.fk.name], cap, rng) : undefined;

  let batch: TextRow[] = [];
  let i = 0;
  const chosen = new Map<ForeignKeyPlan, number | null>();
  const emit = (parent: number | null, used: Set<string> | undefined): TextRow | undefined => {
    chosen.clear();
    for (const plan of fks) {
      if (plan === driving) chosen.set(plan, parent);
      else if (plan.deferred || plan.parentRows === 0 || (plan.nullFrac > 0 && rng.chance(plan.nullFrac))) chosen.set(plan, null);
      else if (plan.selfReference) chosen.set(plan, i === 0 ? (plan.nullFrac === 0 ? 0 : null) : rng.int(i));
      else chosen.set(plan, pickCumulative(plan.weights!, plan.weightTotal!, rng.next()));
    }
    if (used) {
      const key = distinctInGroup.map((p) => chosen.get(p)).join(',');
      for (let tries = 0; used.has(key) && tries < 50; tries++) {
        for (const p of distinctInGroup) chosen.set(p, rng.int(p.parentRows));
        const retry = distinctInGroup.map((p) => chosen.get(p)).join(',');
        if (!used.has(retry)) { used.add(retry); return row(); }
      }
      if (used.has(key)) return undefined;
      used.add(key);
    }
    return row();
  };
  const row = (): TextRow => cells.map((cell) => cell(i, rng, chosen));

  const push = function* (r: TextRow | undefined): Generator<TextRow[]> {
    if (!r) return;
    batch.push(r);
    i += 1;
    if (batch.length >= batchRows) {
      yield batch;
      batch = [];
    }
  };
  for (let n = 0; n < drivingNulls; n++) yield* push(emit(null, undefined));
  if (driving && counts) {
    for (let parent = 0; parent < counts.length; parent++) {
      const used = distinctInGroup.length > 0 ? new Set<string>() : undefined;
      for (let k = 0; k < counts[parent]!; k++) yield* push(emit(parent, used));
    }
  } else {
    while (i < input.rows) yield* push(emit(null, undefined));
  }
  if (batch.length > 0) yield batch;
}

