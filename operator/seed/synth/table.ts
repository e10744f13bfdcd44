import type { Keyed } from '../keyed';
import type { ColumnInfo, ColumnProfile, FanOut, ForeignKey, TableInfo, TableProfile, TextRow } from '../model';
import { tableId } from '../model';
import type { ColumnPlan } from '../rules';
import { compileTransform } from '../transform/compile';
import type { IndexedValue } from './keys';
import { Rng, streamOf } from './rng';
import { Urn } from './urn';
import { quotaCounts } from '../fan-out';
import { type Sampler, statsSampler } from './samplers';
import { jointModel } from './joint';
import { expectedDistinct } from '../distinct';
import { jsonRulePaths, jsonSkeletonSampler } from './json-skeleton';

const TEMPORAL = new Set(['date', 'timestamp', 'timestamptz']);

// One table's synthetic rows, streamed in batches. Children are generated parent
// by parent with the profiled fan-out (the "driving" foreign key); other foreign
// keys pick parents weighted by their own fan-out.

export interface SynthWorld {
  seed: number;
  keyed: Keyed;
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

/**
 * Draws NULLs so that after n rows the count is within one of n·p, still at
 * random positions: each row is NULL with the probability of catching up.
 */
export function nullDraw(p: number): (i: number, rng: Rng) => boolean {
  if (p <= 0) return () => false;
  let nulls = 0;
  let rows = 0;
  return (_i, rng) => {
    rows += 1;
    const want = p * rows - nulls;
    const isNull = rng.next() < want;
    if (isNull) nulls += 1;
    return isNull;
  };
}

/**
 * Children per parent: production's fan-out distribution in proportion (each
 * bucket gets its share of the parents, rounded on the cumulative share so the
 * distribution is off by at most half a parent), counts stretched to sum
 * exactly to `total`, each at most `cap`, then shuffled over the parents.
 * Drawing parents independently instead left 3 of 20 childless where
 * production had 1 in 20, and gave the rest 558 children instead of 500.
 */
export function allocateChildren(
  parents: number,
  total: number,
  fanOut: FanOut | undefined,
  cap: number,
  rng: Rng,
): Int32Array {
  const counts = new Int32Array(parents);
  if (parents === 0) return counts;
  let at = 0;
  let drawn = 0;
  for (const [n, quota] of quotaCounts(fanOut, parents)) {
    for (let k = 0; k < quota; k++, at++) drawn += counts[at] = n;
  }
  if (drawn === 0) {
    const smallest = (fanOut?.buckets ?? []).reduce((min, [n, c]) => (n > 0 && c > 0 && n < min ? n : min), Infinity);
    if (Number.isFinite(smallest)) {
      // Too few parents for any of production's parents with children to get a quota (2 parents, 10% with children):
      // one parent takes the children, so the childless stay the majority they are in production.
      counts[0] = smallest;
      drawn = smallest;
    } else {
      // Production's parents have no children, yet children are asked for: spread them evenly.
      for (let i = 0; i < parents; i++) counts[i] = 1;
      drawn = parents;
    }
  }
  // Largest remainders: every count is its scaled value rounded down or up, never further off. Except: when children
  // per parent are not asked to shrink, a scale below 1 only undoes the quotas' rounding (a few parents of a large
  // count stand for many), and rounding a parent's one child down to none would add childless parents production
  // does not have. Then a parent with children keeps at least one, and settle takes the excess from larger counts.
  const base = Int32Array.from(counts);
  const scale = total / drawn;
  const withChildren = base.reduce((n, c) => (c > 0 ? n + 1 : n), 0);
  const keepsChildren = total >= withChildren && total >= parents * 0.999 * meanChildren(fanOut);
  const floorOf = (n: number): number =>
    n > 0 && keepsChildren ? Math.max(1, Math.floor(n * scale)) : Math.floor(n * scale);
  let assigned = 0;
  for (let i = 0; i < parents; i++) {
    counts[i] = Math.min(cap, floorOf(base[i]!));
    assigned += counts[i]!;
  }
  // How many parents of each production count get the extra child: largest remainder first. One pass, whatever the size.
  const remainder = (n: number): number => n * scale - floorOf(n);
  const perValue = new Map<number, number>();
  for (let i = 0; i < parents; i++) perValue.set(base[i]!, (perValue.get(base[i]!) ?? 0) + 1);
  const bump = new Map<number, number>();
  let extra = total - assigned;
  for (const [value, n] of [...perValue].sort((a, b) => remainder(b[0]) - remainder(a[0]))) {
    if (extra <= 0 || remainder(value) <= 0) break;
    bump.set(value, Math.min(n, extra));
    extra -= Math.min(n, extra);
  }
  for (let i = 0; i < parents && assigned < total; i++) {
    const left = bump.get(base[i]!) ?? 0;
    if (left > 0 && counts[i]! < cap) {
      counts[i]! += 1;
      assigned += 1;
      bump.set(base[i]!, left - 1);
    }
  }
  settle(counts, total - assigned, cap, rng);
  // Fisher–Yates: which parent gets which count is random, the counts are not.
  for (let i = parents - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = counts[i]!;
    counts[i] = counts[j]!;
    counts[j] = t;
  }
  return counts;
}

/** Production's children per parent (1 without a profile, as the quotas then assume). */
function meanChildren(fanOut: FanOut | undefined): number {
  const buckets = fanOut?.buckets.filter(([, c]) => c > 0) ?? [];
  if (buckets.length === 0) return 1;
  const parents = buckets.reduce((sum, [, c]) => sum + c, 0);
  return buckets.reduce((sum, [n, c]) => sum + n * c, 0) / parents;
}

/**
 * Moves the sum by `diff`, one child at a time on parents that already have
 * children (so the childless stay childless), then — only if the cap forces
 * it — on any parent.
 */
function settle(counts: Int32Array, diff: number, cap: number, rng: Rng): void {
  const n = counts.length;
  const step = diff > 0 ? 1 : -1;
  const fits = (i: number, anyParent: boolean): boolean =>
    step > 0 ? counts[i]! < cap && (anyParent || counts[i]! > 0) : counts[i]! > (anyParent ? 0 : 1);
  let left = Math.abs(diff);
  for (const anyParent of [false, true]) {
    for (let guard = 0; left > 0 && guard < 4 * n + 4 * left; guard++) {
      const i = rng.int(n);
      if (fits(i, anyParent)) {
        counts[i]! += step;
        left -= 1;
      }
    }
    // Whatever chance left over is settled in order, so the total is exact whenever the cap allows it.
    for (let i = 0; i < n && left > 0; i++) {
      while (left > 0 && fits(i, anyParent)) {
        counts[i]! += step;
        left -= 1;
      }
    }
  }
}

interface ForeignKeyPlan {
  fk: ForeignKey;
  parentRows: number;
  parentKeys: IndexedValue[];
  selfReference: boolean;
  deferred: boolean;
  nullFrac: number;
  nulls: (i: number, rng: Rng) => boolean;
  /** Parents of a non-driving key, one ball per child: the profiled fan-out, exactly. */
  urn?: Urn;
}

function fkPlans(input: SynthTableInput, world: SynthWorld, rng: Rng): ForeignKeyPlan[] {
  const id = tableId(input.table);
  return input.table.foreignKeys
    .map((fk) => {
      const parentRows = fk.refTable === id ? input.rows : world.rowsOf(fk.refTable);
      const nullable = fk.columns.every((c) => !input.table.columns.find((col) => col.name === c)?.notNull);
      const nullFrac = nullable ? (input.profile?.columns[fk.columns[0]!]?.nullFrac ?? 0) : 0;
      return {
        fk,
        parentRows,
        parentKeys: fk.refColumns.map((c) => world.keyOf(fk.refTable, c)),
        selfReference: fk.refTable === id,
        deferred: world.deferred.has(`${id}.${fk.name}`),
        nullFrac,
        nulls: nullDraw(nullFrac),
      };
    })
    .map((plan) => {
      if (plan.selfReference || plan.deferred || plan.parentRows === 0) return plan;
      const children = input.rows - Math.round(input.rows * plan.nullFrac);
      return {
        ...plan,
        urn: new Urn(
          allocateChildren(
            plan.parentRows,
            children,
            input.profile?.fanOut[plan.fk.name],
            Number.MAX_SAFE_INTEGER,
            rng,
          ),
        ),
      };
    });
}

/** The foreign key that drives generation: one in a composite unique first, else a NOT NULL one. */
function drawParent(plan: ForeignKeyPlan, rng: Rng): number {
  const p = plan.urn && plan.urn.left > 0 ? plan.urn.peek(rng.next()) : -1;
  return p >= 0 ? p : rng.int(plan.parentRows);
}

function chooseDriving(table: TableInfo, plans: ForeignKeyPlan[]): ForeignKeyPlan | undefined {
  const candidates = plans.filter((p) => !p.selfReference && !p.deferred && p.parentRows > 0);
  const inUnique = (p: ForeignKeyPlan): boolean =>
    [table.primaryKey, ...table.uniques].some((u) => u.length > 1 && p.fk.columns.every((c) => u.includes(c)));
  return candidates.find(inUnique) ?? candidates.find((p) => p.nullFrac === 0) ?? candidates[0];
}

/** Foreign keys that must differ among one driving parent's children (they share a unique constraint with it). */
function groupUnique(table: TableInfo, driving: ForeignKeyPlan | undefined, plans: ForeignKeyPlan[]): ForeignKeyPlan[] {
  if (!driving) return [];
  const uniques = [table.primaryKey, ...table.uniques].filter(
    (u) => driving.fk.columns.every((c) => u.includes(c)) && u.length > driving.fk.columns.length,
  );
  return plans.filter((p) => p !== driving && uniques.some((u) => p.fk.columns.every((c) => u.includes(c))));
}

function valueSampler(
  plan: ColumnPlan,
  input: SynthTableInput,
  world: SynthWorld,
  joint?: Sampler,
): (rng: Rng) => string | null {
  const column: ColumnInfo = plan.column;
  const profile = input.profile?.columns[column.name];
  const spec = plan.spec!;
  const draws = Math.round(input.rows * (1 - (profile?.nullFrac ?? 0)));
  if (spec.transform === 'keep' && !plan.personal) return statsSampler(column, profile, draws);
  const transform = compileTransform(spec, { keyed: world.keyed, column, unique: plan.unique });
  // What the transform is fed: a value of the right shape for format-preserving ones, a plausible
  // date of birth, a fresh synthetic token for fake text, or a production-like value to perturb.
  const shaped = SHAPES[spec.transform];
  const prefix = `${tableId(input.table)}.${column.name}#`;
  // As many fresh inputs as production has distinct values at this size (the first rows take each once, the rest repeat them),
  // so a transform that can tell them apart gives production's distinct count, not one per row.
  const distinct = profile ? expectedDistinct(profile, input.profile?.rows ?? 0, input.rows) : undefined;
  let counter = 0;
  const fresh = (rng: Rng): number => (distinct === undefined || counter < distinct ? counter++ : rng.int(distinct));
  const paths =
    spec.transform === 'json' && (column.baseType === 'json' || column.baseType === 'jsonb') && !column.isArray
      ? jsonRulePaths(spec.params)
      : undefined;
  const feed: Sampler = joint
    ? joint
    : paths
      ? jsonSkeletonSampler(paths, prefix, fresh, (t) => SHAPES[t])
      : shaped
        ? shaped
        : plan.personal === 'dateOfBirth'
          ? dobSampler(column, profile)
          : column.baseType === 'text' || plan.personal
            ? (rng) => `${prefix}${fresh(rng)}`
            : statsSampler(column, profile, draws);
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

/** Dates of birth: uniform over production's range when the profile has it (an aggregate), else ages 18 to 88. */
function dobSampler(column: ColumnInfo, profile: ColumnProfile | undefined): Sampler {
  const inRange = profile?.range
    ? statsSampler(column, { nullFrac: 0, nDistinct: -1, avgWidth: 8, range: profile.range })
    : undefined;
  if (inRange && TEMPORAL.has(column.baseType)) return inRange;
  return (rng) => {
    const days = Date.now() / 86_400_000 - (18 + rng.next() * 70) * 365.25;
    const text = new Date(days * 86_400_000).toISOString();
    return column.baseType === 'date'
      ? text.slice(0, 10)
      : `${text.slice(0, 10)} 00:00:00${column.baseType === 'timestamptz' ? '+00' : ''}`;
  };
}

/**
 * Parents of a tree (a foreign key into its own table) with production's
 * children-per-row distribution: counts allocated as for any foreign key, the
 * largest first, so each row's parent is an earlier row (the tree loads in one
 * pass) taken breadth first. Roots are the first `roots` rows.
 */
export function treeParents(
  rows: number,
  roots: number,
  fanOut: FanOut | undefined,
  rng: Rng,
): (i: number) => number | undefined {
  const counts = allocateChildren(rows, Math.max(0, rows - roots), fanOut, Number.MAX_SAFE_INTEGER, rng)
    .sort()
    .reverse();
  let parent = 0;
  let used = 0;
  return (i) => {
    while (parent < i && used >= counts[parent]!) {
      parent += 1;
      used = 0;
    }
    // Only when earlier rows have no room left (a shape no order can hold): a random earlier row.
    if (parent >= i) return undefined;
    used += 1;
    return parent;
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

  // Kept columns that move together in production are drawn together (joint.ts); keys and foreign keys never.
  const joint = jointModel(
    input.table,
    plans,
    input.profile,
    input.rows,
    new Set([...uniqueCols, ...fkOfColumn.keys()]),
  );
  type Cell = (i: number, rng: Rng, chosen: Map<ForeignKeyPlan, number | null>) => string | null;
  const cells: Cell[] = plans.map((plan) => {
    const name = plan.column.name;
    const fkRef = fkOfColumn.get(name);
    if (fkRef)
      return (_i, _rng, chosen) => {
        const p = chosen.get(fkRef.plan);
        return p === null || p === undefined ? null : fkRef.plan.parentKeys[fkRef.at]!(p);
      };
    const nulls = nullDraw(plan.column.notNull ? 0 : (input.profile?.columns[name]?.nullFrac ?? 0));
    if (uniqueCols.has(name)) {
      // NULLs never collide in a UNIQUE constraint, so a nullable key keeps production's share of them.
      const key = world.keyOf(id, name);
      return (i, r) => (nulls(i, r) ? null : key(i));
    }
    if (joint?.columns.has(name)) {
      if (plan.spec?.transform === 'keep' && !plan.personal)
        return (i, r) => (nulls(i, r) ? null : joint.value(name, r));
      // A value the copula drew, moved by the column's transform (a shifted date of birth).
      const moved = valueSampler(plan, input, world, (r) => joint.value(name, r));
      return (i, r) => (nulls(i, r) ? null : moved(r));
    }
    const sample = valueSampler(plan, input, world);
    return (i, r) => (nulls(i, r) ? null : sample(r));
  });

  const cap =
    distinctInGroup.length > 0 ? distinctInGroup.reduce((c, p) => c * p.parentRows, 1) : Number.MAX_SAFE_INTEGER;
  const drivingNulls = driving && driving.nullFrac > 0 ? Math.round(input.rows * driving.nullFrac) : 0;
  const counts = driving
    ? allocateChildren(driving.parentRows, input.rows - drivingNulls, input.profile?.fanOut[driving.fk.name], cap, rng)
    : undefined;

  const selfRef = fks.find((p) => p.selfReference);
  const selfRoots = selfRef ? Math.max(1, Math.round(input.rows * selfRef.nullFrac)) : 0;
  const treeParent =
    selfRef && selfRef.nullFrac > 0
      ? treeParents(input.rows, selfRoots, input.profile?.fanOut[selfRef.fk.name], rng)
      : undefined;
  let batch: TextRow[] = [];
  let i = 0;
  const chosen = new Map<ForeignKeyPlan, number | null>();
  const emit = (parent: number | null, used: Set<string> | undefined): TextRow | undefined => {
    chosen.clear();
    for (const plan of fks) {
      if (plan === driving) chosen.set(plan, parent);
      // A tree: its roots come first (as many as production's share of NULL parents), then each row picks an earlier one.
      else if (plan.selfReference)
        chosen.set(plan, i < selfRoots ? (plan.nullFrac === 0 ? i : null) : (treeParent?.(i) ?? rng.int(i)));
      else if (plan.deferred || plan.parentRows === 0 || plan.nulls(i, rng)) chosen.set(plan, null);
      else chosen.set(plan, drawParent(plan, rng));
    }
    if (used) {
      const key = distinctInGroup.map((p) => chosen.get(p)).join(',');
      for (let tries = 0; used.has(key) && tries < 50; tries++) {
        for (const p of distinctInGroup)
          chosen.set(p, tries < 25 && p.urn && p.urn.left > 0 ? p.urn.peek(rng.next()) : rng.int(p.parentRows));
        const retry = distinctInGroup.map((p) => chosen.get(p)).join(',');
        if (!used.has(retry)) {
          used.add(retry);
          return accept();
        }
      }
      if (used.has(key)) return undefined;
      used.add(key);
    }
    return accept();
  };
  // Only rows actually emitted take their parents out of the urns.
  const accept = (): TextRow => {
    for (const plan of fks) {
      const p = chosen.get(plan);
      if (plan.urn && p !== null && p !== undefined && p >= 0) plan.urn.take(p);
    }
    return row();
  };
  const row = (): TextRow => {
    joint?.advance(rng);
    return cells.map((cell) => cell(i, rng, chosen));
  };

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
