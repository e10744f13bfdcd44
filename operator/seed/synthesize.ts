import type { DataSeedSpec } from '../api/dataseed';
import type { RowCodec } from './driver';
import { SeedError } from './errors';
import type { SeedJob } from './jobs';
import { SeededHash } from './keyed';
import { type Profile, type SchemaInfo, type TableInfo, tableId } from './model';
import type { LoadPlan } from './plan';
import type { ProgressMeter } from './progress';
import type { RulePlan } from './rules';
import { indexedValue, type IndexedValue } from './synth/keys';
import { Rng, streamOf } from './synth/rng';
import { nullDraw, synthesizeTable, type SynthWorld, writtenPlans } from './synth/table';

/** Rows per table: an exact count from scale.rows, else production's count times the ratio. */
export function expectedRows(schema: SchemaInfo, profile: Profile, spec: DataSeedSpec): Map<string, number> {
  const scale = spec.source.synthesize?.scale;
  const ratio = scale?.ratio !== undefined ? Number(scale.ratio) : 1;
  const out = new Map<string, number>();
  for (const t of schema.tables) {
    const id = tableId(t);
    const exact = scale?.rows?.[id] ?? scale?.rows?.[t.name];
    out.set(id, exact ?? Math.round((profile.tables[id]?.rows ?? 0) * ratio));
  }
  return out;
}

function world(
  schema: SchemaInfo,
  profile: Profile,
  plan: RulePlan,
  load: LoadPlan,
  rows: Map<string, number>,
  seed: number,
): SynthWorld {
  const keyed = new SeededHash(seed);
  const keys = new Map<string, IndexedValue>();
  return {
    seed,
    keyed,
    rowsOf: (id) => rows.get(id) ?? 0,
    deferred: new Set(load.deferred.map((d) => `${d.table}.${d.fk.name}`)),
    keyOf: (id, column) => {
      const memo = `${id}.${column}`;
      let key = keys.get(memo);
      if (!key) {
        const colPlan = plan.columns.get(id)?.find((c) => c.column.name === column);
        if (!colPlan) throw new SeedError('SchemaMismatch', `foreign key target ${memo} is not seeded`);
        const spec = colPlan.spec && colPlan.spec.transform !== 'keep' ? colPlan.spec : undefined;
        key = indexedValue({
          tableId: id,
          column: colPlan.column,
          profile: profile.tables[id]?.columns[column],
          spec,
          keyed,
        });
        keys.set(memo, key);
      }
      return key;
    },
  };
}

/** Key and foreign-key values of a deferred key, generated after both tables are loaded. */
// eslint-disable-next-line @typescript-eslint/require-await -- COPY takes an AsyncIterable; generating is synchronous
async function* deferredRows(
  table: TableInfo,
  fkName: string,
  w: SynthWorld,
  rows: number,
  codec: RowCodec,
  nullFrac: number,
  batchRows: number,
): AsyncGenerator<string> {
  const fk = table.foreignKeys.find((f) => f.name === fkName)!;
  const own = table.primaryKey.map((c) => w.keyOf(tableId(table), c));
  const parent = fk.refColumns.map((c) => w.keyOf(fk.refTable, c));
  const parentRows = w.rowsOf(fk.refTable);
  const rng = new Rng(w.seed, streamOf(`${tableId(table)}#${fkName}`));
  const nulls = nullDraw(nullFrac);
  let batch: Array<Array<string | null>> = [];
  for (let i = 0; i < rows; i++) {
    const p = parentRows === 0 || nulls(i, rng) ? -1 : rng.int(parentRows);
    batch.push([...own.map((k) => k(i)), ...parent.map((k) => (p < 0 ? null : k(p)))]);
    if (batch.length >= batchRows) {
      yield codec.encodeRows(batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield codec.encodeRows(batch);
}

export function synthesisJobs(
  schema: SchemaInfo,
  profile: Profile,
  plan: RulePlan,
  load: LoadPlan,
  rows: Map<string, number>,
  spec: DataSeedSpec,
  codec: RowCodec,
  meter: ProgressMeter,
): SeedJob[] {
  const w = world(schema, profile, plan, load, rows, spec.source.synthesize?.seed ?? 0);
  return schema.tables.map((table) => {
    const id = tableId(table);
    const plans = writtenPlans(plan.columns.get(id) ?? []);
    let written = 0;
    const deferred = load.deferred
      .filter((d) => d.table === id)
      .map((d) => {
        if (
          table.primaryKey.length === 0 ||
          table.primaryKey.some((c) => table.foreignKeys.some((f) => f.columns.includes(c)))
        ) {
          throw new SeedError(
            'InvalidSpec',
            `${id}: a deferred foreign key (${d.fk.name}) needs a primary key of its own`,
          );
        }
        const nullFrac = profile.tables[id]?.columns[d.fk.columns[0]!]?.nullFrac ?? 0;
        return {
          fk: d.fk,
          keyColumns: table.primaryKey,
          setColumns: d.fk.columns,
          chunks: () => deferredRows(table, d.fk.name, w, rows.get(id) ?? 0, codec, nullFrac, spec.batchRows),
        };
      });
    return {
      table,
      columns: plans.map((p) => p.column.name),
      rows: () => written,
      deferred,
      // eslint-disable-next-line @typescript-eslint/require-await -- COPY takes an AsyncIterable; generating is synchronous
      chunks: async function* () {
        const input = { table, rows: rows.get(id) ?? 0, plans, profile: profile.tables[id] };
        for (const batch of synthesizeTable(input, w, spec.batchRows)) {
          written += batch.length;
          meter.add(id, batch.length);
          yield codec.encodeRows(batch);
        }
      },
    };
  });
}
