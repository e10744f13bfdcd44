import { compileLineTransform } from './anonymize-rows';
import { KeyedHash } from './keyed';
import type { ColumnInfo } from './model';
import { postgresCodec } from './postgres/driver';
import type { ColumnPlan } from './rules';
import { column } from './testing/schema';

const col = (name: string, baseType: ColumnInfo['baseType'] = 'text'): ColumnInfo => column(name, baseType);
const plan = (
  name: string,
  transform: string,
  params?: Record<string, unknown>,
  baseType?: ColumnInfo['baseType'],
): ColumnPlan => ({
  column: col(name, baseType),
  spec: { transform, params } as ColumnPlan['spec'],
  coverage: 'rule',
  unique: false,
});
const keyed = new KeyedHash('rows-test-key-0123456789');

describe('line transform', () => {
  it('passes kept fields through byte for byte and masks the rest', () => {
    const t = compileLineTransform(
      [plan('note', 'keep'), plan('email', 'email'), plan('gone', 'null')],
      keyed,
      postgresCodec,
      new Set(),
    );
    const out = t(['tab\\there\\\\\tann@corp.com\tx', 'plain\t\\N\ty']).split('\n');
    expect(out[0]!.split('\t')[0]).toBe('tab\\there\\\\');
    expect(out[0]!.split('\t')[1]).toMatch(/@[a-z.]*example/);
    expect(out[0]!.split('\t')[2]).toBe('\\N');
    expect(out[1]).toBe('plain\t\\N\t\\N');
  });

  it('counts masked values that come out unchanged, where chance cannot explain it', () => {
    const unchanged = new Map<string, number>();
    // A JSON rule whose paths match nothing passes every document through: a leak.
    const t = compileLineTransform(
      [
        plan('payload', 'json', { paths: [{ path: '$.nope', transform: 'email' }] }, 'jsonb'),
        plan('phone', 'phone'),
        plan('zip', 'zip'),
      ],
      keyed,
      postgresCodec,
      new Set(),
      unchanged,
    );
    t(['{"email":"ann@corp.com"}\t+1-555-123-4567\t12345', '{"a":1}\t+1-555-765-4321\t54321']);
    expect(unchanged).toEqual(new Map([['payload', 2]]));
  });

  it('writes NULL into deferred key columns', () => {
    const t = compileLineTransform(
      [plan('id', 'keep', undefined, 'int4'), plan('captain_id', 'keep', undefined, 'int4')],
      keyed,
      postgresCodec,
      new Set(['captain_id']),
    );
    expect(t(['1\t7'])).toBe('1\t\\N\n');
  });
});
