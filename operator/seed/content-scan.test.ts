import fc from 'fast-check';
import { ibanValid, looksPersonal, luhnValid } from './content-scan';
import type { ColumnInfo, TableInfo } from './model';
import { personalClassifier } from './pii';
import { scanned } from './postgres/profile';
import { column } from './testing/schema';

/** A card number: random digits and the Luhn check digit. */
const cardNumber = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 18 }).map((ds) => {
  const body = ds.join('');
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
});

/** An IBAN: country, then check digits computed so the mod-97 rule holds. */
const iban = fc
  .tuple(
    fc.constantFrom('DE', 'FR', 'GB', 'NL', 'ES'),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 26 }),
  )
  .map(([cc, ds]) => {
    const bban = ds.join('');
    const numeric = (bban + cc + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
    let rest = 0;
    for (const ch of numeric) rest = (rest * 10 + Number(ch)) % 97;
    return `${cc}${String(98 - rest).padStart(2, '0')}${bban}`;
  });

describe('content scan', () => {
  it('finds card numbers by their Luhn digit and IBANs by mod 97, plain or grouped', () => {
    fc.assert(
      fc.property(cardNumber, (n) => {
        expect(looksPersonal(n)).toBe('cardNumber');
        expect(looksPersonal(n.replace(/(\d{4})(?=\d)/g, '$1 '))).toBe('cardNumber');
      }),
    );
    fc.assert(
      fc.property(iban, (i) => {
        expect(ibanValid(i)).toBe(true);
        expect(looksPersonal(i)).toBe('iban');
      }),
    );
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
  });

  it('finds e-mail addresses, phone numbers and national ids inside any text', () => {
    expect(looksPersonal('contact: jane.doe@corp.example')).toBe('email');
    expect(looksPersonal('+44 20 7946 0958')).toBe('phone');
    expect(looksPersonal('(555) 123-4567')).toBe('phone');
    expect(looksPersonal('078-05-1120')).toBe('nationalId');
    expect(looksPersonal('4111111111111111.00')).toBe('cardNumber');
    expect(looksPersonal('AB 12 34 56 C')).toBe('nationalId');
  });

  it('lets ordinary statistics through', () => {
    for (const v of [
      '42',
      '19.99',
      '2024-03-01',
      '2024-03-01 10:00:00+00',
      'shipped',
      'SKU-00042',
      'north',
      'true',
      '100000',
      '5.7293817239817',
      '-0.12345678901234',
      '57.29381723981723',
    ])
      expect(looksPersonal(v)).toBeUndefined();
  });

  it('drops every value of a column when one looks personal, keeping counts', () => {
    const p = scanned({
      nullFrac: 0.1,
      nDistinct: -1,
      avgWidth: 12,
      histogram: ['A-1', 'jane@corp.example', 'Z-9'],
      mostCommon: { values: ['A-1'], freqs: [0.2] },
      lengths: [3, 17],
    });
    expect(p).toEqual({ nullFrac: 0.1, nDistinct: -1, avgWidth: 12, lengths: [3, 17], refused: 'email' });
  });
});

describe('which columns a stored profile may keep values of', () => {
  const col = (name: string, baseType: ColumnInfo['baseType']): ColumnInfo => column(name, baseType);
  const table: TableInfo = {
    schema: 'public',
    name: 'members',
    columns: [
      col('ref', 'text'),
      col('status', 'text'),
      col('visits', 'int4'),
      col('email', 'text'),
      col('note', 'text'),
    ],
    primaryKey: [],
    uniques: [],
    foreignKeys: [],
    checks: [],
  };

  it('keeps values for keep rules and safe types only; text without a rule keeps aggregates', () => {
    const classify = personalClassifier([
      { table: 'members', column: 'status', transform: 'keep' },
      { table: 'members', column: 'note', transform: 'lorem' },
    ]);
    const allowed = table.columns.map((c) => [c.name, classify.valuesAllowed(table, c.name)]);
    expect(allowed).toEqual([
      ['ref', false],
      ['status', true],
      ['visits', true],
      ['email', false],
      ['note', false],
    ]);
    expect(personalClassifier().valuesAllowed(table, 'ref')).toBe(false);
  });
});
