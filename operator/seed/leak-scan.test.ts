import { rowCheckApplies, scannedColumns } from './leak-scan';
import type { ColumnPlan } from './rules';

const plan = (name: string, transform: string): ColumnPlan =>
  ({
    column: {
      name,
      type: 'text',
      baseType: 'text',
      isArray: false,
      notNull: false,
      hasDefault: false,
      generated: false,
    },
    spec: { transform },
    coverage: 'rule',
    unique: false,
  }) as ColumnPlan;

describe('leak checks read the transformer definitions', () => {
  it('row-check outputs that cannot come back unchanged by chance', () => {
    expect(rowCheckApplies('email', 'a@b.c')).toBe(true);
    expect(rowCheckApplies('uuid', 'x')).toBe(true);
    expect(rowCheckApplies('city', 'Paris')).toBe(false);
    expect(rowCheckApplies('keep', 'anything')).toBe(false);
    // Format-preserving: 7 letters or digits or more.
    expect(rowCheckApplies('phone', '555-12')).toBe(false);
    expect(rowCheckApplies('phone', '+1 555 123 4567')).toBe(true);
    expect(rowCheckApplies('no-such-transform', 'x')).toBe(false);
  });

  it('scan only columns whose outputs cannot be real values', () => {
    const plans = new Map([
      ['public.users', [plan('email', 'email'), plan('city', 'city'), plan('card', 'cardNumber'), plan('bio', 'mask')]],
    ]);
    expect(scannedColumns(plans).map((c) => c.plan.column.name)).toEqual(['email', 'card', 'bio']);
  });
});
