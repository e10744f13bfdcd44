import type { ColumnInfo, ForeignKey, SchemaInfo, TableInfo } from './model';
import { planLoadOrder } from './plan';

const col = (name: string, notNull = false): ColumnInfo => ({
  name,
  type: 'int4',
  baseType: 'int4',
  isArray: false,
  notNull,
  hasDefault: false,
  generated: false,
});
const fk = (name: string, column: string, ref: string): ForeignKey => ({
  name,
  columns: [column],
  refTable: `public.${ref}`,
  refColumns: ['id'],
});
const table = (name: string, columns: ColumnInfo[], foreignKeys: ForeignKey[] = []): TableInfo => ({
  schema: 'public',
  name,
  columns: [col('id', true), ...columns],
  primaryKey: ['id'],
  uniques: [],
  foreignKeys,
  checks: [],
});

describe('load order', () => {
  it('puts parents before children and ignores self-references', () => {
    const schema: SchemaInfo = {
      tables: [
        table('order_items', [col('order_id', true)], [fk('i_o', 'order_id', 'orders')]),
        table('orders', [col('user_id', true)], [fk('o_u', 'user_id', 'users')]),
        table('users', []),
        table('categories', [col('parent_id')], [fk('c_c', 'parent_id', 'categories')]),
      ],
    };
    const plan = planLoadOrder(schema);
    expect(plan.order).toEqual(['public.categories', 'public.users', 'public.orders', 'public.order_items']);
    expect(plan.deferred).toEqual([]);
  });

  it('breaks a cycle by deferring a nullable key', () => {
    const schema: SchemaInfo = {
      tables: [
        table('a', [col('b_id', true)], [fk('a_b', 'b_id', 'b')]),
        table('b', [col('a_id')], [fk('b_a', 'a_id', 'a')]),
      ],
    };
    const plan = planLoadOrder(schema);
    expect(plan.deferred.map((d) => d.fk.name)).toEqual(['b_a']);
    expect(plan.order).toEqual(['public.b', 'public.a']);
  });

  it('refuses a cycle of NOT NULL keys, naming the tables', () => {
    const schema: SchemaInfo = {
      tables: [
        table('a', [col('b_id', true)], [fk('a_b', 'b_id', 'b')]),
        table('b', [col('a_id', true)], [fk('b_a', 'a_id', 'a')]),
      ],
    };
    expect(() => planLoadOrder(schema)).toThrow('public.a, public.b');
  });
});
