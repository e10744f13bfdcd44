import fc from 'fast-check';
import type { SchemaTypes } from './model';
import { compareTypes } from './type-compare';

function types(change?: (t: SchemaTypes) => void): SchemaTypes {
  const t: SchemaTypes = {
    enums: new Map([['public.order_status', ['new', 'paid', 'shipped']]]),
    domains: new Map([
      ['public.price', { type: 'numeric(10,2)', nullable: true, checks: ['CHECK ((VALUE >= (0)::numeric))'] }],
    ]),
    sequences: new Map([
      [
        'public.invoice_no',
        { type: 'bigint', start: '1000', increment: '1', min: '1', max: '9223372036854775807', cycle: false },
      ],
    ]),
  };
  change?.(t);
  return t;
}

const found = (staging: SchemaTypes, production = types()) =>
  compareTypes(staging, production).map((d) => [d.resource, d.path, d.severity]);

describe('enum, domain and sequence comparison', () => {
  it('finds nothing between equal catalogues', () => {
    expect(compareTypes(types(), types())).toEqual([]);
  });

  it('finds a label added to an enum in staging, and one staging lacks', () => {
    expect(found(types((t) => t.enums.set('public.order_status', ['new', 'paid', 'shipped', 'refunded'])))).toEqual([
      ['Enum/public.order_status', 'labels[refunded]', 'warning'],
    ]);
    expect(found(types((t) => t.enums.set('public.order_status', ['new', 'paid'])))).toEqual([
      ['Enum/public.order_status', 'labels[shipped]', 'critical'],
    ]);
  });

  it('finds labels in another order', () => {
    expect(found(types((t) => t.enums.set('public.order_status', ['paid', 'new', 'shipped'])))).toEqual([
      ['Enum/public.order_status', 'labels', 'warning'],
    ]);
  });

  it('finds missing and extra types', () => {
    expect(found(types((t) => t.enums.clear()))).toEqual([['Enum/public.order_status', '', 'critical']]);
    expect(found(types((t) => t.domains.set('public.email', { type: 'text', nullable: true, checks: [] })))).toEqual([
      ['Domain/public.email', '', 'info'],
    ]);
  });

  it('finds domain and sequence definitions that differ', () => {
    const staging = types((t) => {
      t.domains.set('public.price', { type: 'numeric(12,2)', nullable: false, checks: [] });
      t.sequences.set('public.invoice_no', { ...t.sequences.get('public.invoice_no')!, increment: '10', cycle: true });
    });
    expect(found(staging)).toEqual([
      ['Domain/public.price', 'type', 'critical'],
      ['Domain/public.price', 'nullable', 'warning'],
      ['Domain/public.price', 'checks[CHECK ((VALUE >= (0)::numeric))]', 'warning'],
      ['Sequence/public.invoice_no', 'increment', 'warning'],
      ['Sequence/public.invoice_no', 'cycle', 'warning'],
    ]);
  });

  it('property: any label set differing from production is found', () => {
    const label = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    fc.assert(
      fc.property(fc.uniqueArray(label, { maxLength: 5 }), fc.uniqueArray(label, { maxLength: 5 }), (s, p) => {
        const differs = s.join() !== p.join();
        const result = compareTypes(
          types((t) => t.enums.set('public.e', s)),
          types((t) => t.enums.set('public.e', p)),
        );
        return differs === result.length > 0;
      }),
    );
  });
});
