import type { ForeignKey, SchemaInfo, TableInfo } from '../model';
import { tableId, tablesNamed } from '../model';
import type { DeferredKey } from '../plan';
import { quoteIdent, quoteTable } from './introspect';

// A referentially complete subset as SQL: root rows (a condition and a keyed,
// deterministic fraction), then — as configured — everything descending from
// them, then everything the kept rows reference, self-references followed by
// recursive queries. Each table gets one self-contained predicate.

export interface SubsetRoot {
  table: string;
  where?: string;
  fraction?: number;
}

export interface SubsetOptions {
  roots: SubsetRoot[];
  followReferencing: 'None' | 'Roots';
  /** A bigint seed for hashtextextended, derived from the masking key. */
  seed: string;
  deferred: DeferredKey[];
}

const list = (cols: string[], alias?: string): string =>
  cols.map((c) => (alias ? `${alias}.${quoteIdent(c)}` : quoteIdent(c))).join(', ');
const tuple = (cols: string[], alias?: string): string => `(${list(cols, alias)})`;

export class SubsetPlanner {
  private readonly tables: Map<string, TableInfo>;
  private readonly ctes = new Map<string, { sql: string; deps: string[] }>();
  private readonly names = new Map<string, string>();
  private readonly down = new Set<string>();

  constructor(
    private readonly schema: SchemaInfo,
    private readonly order: string[],
    private readonly opts: SubsetOptions,
  ) {
    this.tables = new Map(schema.tables.map((t) => [tableId(t), t]));
    for (const root of opts.roots) {
      const t = this.resolve(root.table);
      if (t.primaryKey.length === 0) throw new Error(`subset root ${root.table} has no primary key`);
    }
    this.planDown();
  }

  private resolve(name: string): TableInfo {
    const found = tablesNamed(this.schema, name);
    if (found.length !== 1)
      throw new Error(`subset root ${name} ${found.length === 0 ? 'does not exist' : 'is ambiguous'}`);
    return found[0]!;
  }

  private isDeferred(table: string, fk: ForeignKey): boolean {
    return this.opts.deferred.some((d) => d.table === table && d.fk.name === fk.name);
  }

  /** Foreign keys between two different seeded tables, not deferred. */
  private edges(): Array<{ child: string; parent: string; fk: ForeignKey }> {
    return this.schema.tables.flatMap((t) =>
      t.foreignKeys
        .filter((fk) => fk.refTable !== tableId(t) && this.tables.has(fk.refTable) && !this.isDeferred(tableId(t), fk))
        .map((fk) => ({ child: tableId(t), parent: fk.refTable, fk })),
    );
  }

  private planDown(): void {
    for (const r of this.opts.roots) this.down.add(tableId(this.resolve(r.table)));
    if (this.opts.followReferencing === 'None') return;
    for (const id of this.order) {
      if (this.edges().some((e) => e.child === id && this.down.has(e.parent))) this.down.add(id);
    }
  }

  /** Columns a table's subset CTE carries: its key and every column a foreign key uses on either side. */
  private carried(id: string): string[] {
    const t = this.tables.get(id)!;
    const cols = new Set(t.primaryKey);
    for (const fk of t.foreignKeys) fk.columns.forEach((c) => cols.add(c));
    for (const other of this.schema.tables)
      for (const fk of other.foreignKeys) if (fk.refTable === id) fk.refColumns.forEach((c) => cols.add(c));
    return [...cols];
  }

  private name(kind: 'd' | 'k', id: string): string {
    const key = `${kind}:${id}`;
    if (!this.names.has(key)) this.names.set(key, `${kind}_${this.names.size}`);
    return this.names.get(key)!;
  }

  /** Closes a base set under a self-reference, downwards (children) or upwards (ancestors). */
  private closure(name: string, t: TableInfo, base: string, direction: 'down' | 'up'): string {
    const self = t.foreignKeys.find((fk) => fk.refTable === tableId(t));
    const cols = this.carried(tableId(t));
    if (!self) return `SELECT ${list(cols)} FROM ${quoteTable(t)} WHERE ${base}`;
    const on = self.columns
      .map((c, i) =>
        direction === 'down'
          ? `n.${quoteIdent(c)} = k.${quoteIdent(self.refColumns[i]!)}`
          : `n.${quoteIdent(self.refColumns[i]!)} = k.${quoteIdent(c)}`,
      )
      .join(' AND ');
    return `SELECT ${list(cols)} FROM ${quoteTable(t)} WHERE ${base} UNION SELECT ${list(cols, 'n')} FROM ${quoteTable(t)} n JOIN ${name} k ON ${on}`;
  }

  private rootCondition(id: string): string | undefined {
    const roots = this.opts.roots.filter((r) => tableId(this.resolve(r.table)) === id);
    if (roots.length === 0) return undefined;
    const t = this.tables.get(id)!;
    return roots
      .map((r) => {
        const parts = [r.where ? `(${r.where})` : 'TRUE'];
        if (r.fraction !== undefined && r.fraction < 1) {
          parts.push(
            `abs(hashtextextended(ROW(${list(t.primaryKey)})::text, ${this.opts.seed}) % 1000000) < ${Math.round(r.fraction * 1_000_000)}`,
          );
        }
        return `(${parts.join(' AND ')})`;
      })
      .join(' OR ');
  }

  private downCte(id: string): string {
    const name = this.name('d', id);
    if (this.ctes.has(name)) return name;
    const t = this.tables.get(id)!;
    const deps: string[] = [];
    const terms: string[] = [];
    const root = this.rootCondition(id);
    if (root) terms.push(root);
    if (this.opts.followReferencing !== 'None') {
      for (const e of this.edges().filter((e) => e.child === id && this.down.has(e.parent))) {
        const parent = this.downCte(e.parent);
        deps.push(parent);
        terms.push(`${tuple(e.fk.columns)} IN (SELECT ${list(e.fk.refColumns)} FROM ${parent})`);
      }
    }
    this.ctes.set(name, {
      sql: `${name} AS (${this.closure(name, t, `(${terms.join(' OR ') || 'FALSE'})`, 'down')})`,
      deps,
    });
    return name;
  }

  /** The kept rows of a table: its descendant rows, plus every row a kept row references. */
  private keptCte(id: string): string | undefined {
    const name = this.name('k', id);
    if (this.ctes.has(name)) return name;
    const t = this.tables.get(id)!;
    const deps: string[] = [];
    const terms: string[] = [];
    if (this.down.has(id)) {
      const d = this.downCte(id);
      deps.push(d);
      terms.push(`${tuple(t.primaryKey)} IN (SELECT ${list(t.primaryKey)} FROM ${d})`);
    }
    for (const e of this.edges().filter((e) => e.parent === id)) {
      const child = this.keptCte(e.child);
      if (!child) continue;
      deps.push(child);
      terms.push(`${tuple(e.fk.refColumns)} IN (SELECT ${list(e.fk.columns)} FROM ${child})`);
    }
    if (terms.length === 0) return undefined;
    this.ctes.set(name, { sql: `${name} AS (${this.closure(name, t, `(${terms.join(' OR ')})`, 'up')})`, deps });
    return name;
  }

  /** The WHERE condition selecting a table's kept rows, or undefined when none are kept. */
  predicate(id: string): string | undefined {
    const t = this.tables.get(id)!;
    const kept = this.keptCte(id);
    if (!kept) return undefined;
    if (t.primaryKey.length === 0) throw new Error(`table ${id} has no primary key, so it cannot be subset`);
    const ordered: string[] = [];
    const visit = (n: string): void => {
      if (ordered.includes(n)) return;
      for (const d of this.ctes.get(n)!.deps) visit(d);
      ordered.push(n);
    };
    visit(kept);
    return `${tuple(t.primaryKey)} IN (WITH RECURSIVE ${ordered.map((n) => this.ctes.get(n)!.sql).join(', ')} SELECT ${list(t.primaryKey)} FROM ${kept})`;
  }
}
