import type { ForeignKey, SchemaInfo, TableInfo } from './model';
import { tableId } from './model';

// The order tables are loaded in: parents before children. A cycle of foreign
// keys is broken by deferring one nullable foreign key: its column is written
// as NULL and filled in once both tables are loaded.

export interface DeferredKey {
  table: string;
  fk: ForeignKey;
}

export interface LoadPlan {
  order: string[];
  /** Tables each table waits for (parents, deferred keys and self-references excluded). */
  dependsOn: Map<string, Set<string>>;
  deferred: DeferredKey[];
}

function nullable(table: TableInfo, fk: ForeignKey): boolean {
  return fk.columns.every((c) => !table.columns.find((col) => col.name === c)?.notNull);
}

export function planLoadOrder(schema: SchemaInfo): LoadPlan {
  const tables = new Map(schema.tables.map((t) => [tableId(t), t]));
  const dependsOn = new Map<string, Set<string>>();
  for (const [id, t] of tables) {
    dependsOn.set(id, new Set(t.foreignKeys.map((fk) => fk.refTable).filter((ref) => ref !== id && tables.has(ref))));
  }
  const deferred: DeferredKey[] = [];
  const order: string[] = [];
  const remaining = new Set(tables.keys());
  while (remaining.size > 0) {
    const ready = [...remaining].filter((id) => [...dependsOn.get(id)!].every((dep) => !remaining.has(dep))).sort();
    if (ready.length > 0) {
      for (const id of ready) {
        order.push(id);
        remaining.delete(id);
      }
      continue;
    }
    // A cycle: defer one nullable key between remaining tables, the first by name for repeatable plans.
    const candidates = [...remaining].sort().flatMap((id) =>
      tables
        .get(id)!
        .foreignKeys.filter((fk) => fk.refTable !== id && remaining.has(fk.refTable) && nullable(tables.get(id)!, fk))
        .map((fk) => ({ table: id, fk })),
    );
    const pick = candidates[0];
    if (!pick)
      throw new Error(
        `foreign keys form a cycle with no nullable column to break it: ${[...remaining].sort().join(', ')}`,
      );
    deferred.push(pick);
    const stillNeeded = tables
      .get(pick.table)!
      .foreignKeys.some(
        (fk) => fk !== pick.fk && fk.refTable === pick.fk.refTable && !deferred.some((d) => d.fk === fk),
      );
    if (!stillNeeded) dependsOn.get(pick.table)!.delete(pick.fk.refTable);
  }
  return { order, dependsOn, deferred };
}
