import type { SchemaInfo } from './model';
import { detectPersonal } from './pii';
import { planRules } from './rules';
import { column, table } from './testing/schema';

const col = column;

const schema: SchemaInfo = {
  tables: [
    table(
      'users',
      [
        col('id', 'uuid', { notNull: true }),
        col('email', 'text', { notNull: true }),
        col('ssn', 'text'),
        col('age', 'int4'),
        col('bio', 'text'),
      ],
      { uniques: [['email']] },
    ),
    table('orders', [col('id', 'int8'), col('user_id', 'uuid'), col('total', 'numeric'), col('note', 'text')], {
      foreignKeys: [
        { name: 'orders_user_id_fkey', columns: ['user_id'], refTable: 'public.users', refColumns: ['id'] },
      ],
    }),
  ],
};

describe('strict coverage', () => {
  it('fails listing every column without a rule, keys and safe types excepted', () => {
    const plan = planRules(schema, [{ table: 'users', column: 'email', transform: 'email' }], {
      mode: 'Strict',
      source: 'anonymize',
    });
    expect(plan.uncovered.map((u) => u.split(' ')[0])).toEqual([
      'public.users.ssn',
      'public.users.bio',
      'public.orders.note',
    ]);
    expect(plan.errors[0]).toContain('public.users.ssn (looks like nationalId');
    expect(plan.coverage).toEqual({ covered: 6, total: 9, personal: 4 });
  });

  it('lets permissive mode keep uncovered columns but still list them', () => {
    const plan = planRules(schema, [{ table: 'users', column: 'email', transform: 'email' }], {
      mode: 'Permissive',
      source: 'anonymize',
    });
    expect(plan.errors).toEqual([]);
    expect(plan.uncovered).toHaveLength(3);
  });

  it('propagates a key rule along foreign keys and refuses a different one', () => {
    const rules = [
      { table: 'users', column: 'id', transform: 'uuid' as const },
      { table: 'users', column: 'email', transform: 'email' as const },
      { table: 'orders', column: 'user_id', transform: 'hash' as const },
    ];
    const plan = planRules(schema, rules, { mode: 'Permissive', source: 'anonymize' });
    expect(plan.errors.join('\n')).toContain('public.orders.user_id: its rule differs');
    const inherited = planRules(schema, rules.slice(0, 2), { mode: 'Permissive', source: 'anonymize' });
    expect(inherited.columns.get('public.orders')!.find((c) => c.column.name === 'user_id')).toMatchObject({
      coverage: 'foreignKey',
      spec: { transform: 'uuid' },
    });
  });

  it('checks rules against unique and NOT NULL constraints', () => {
    const plan = planRules(
      schema,
      [
        { table: 'users', column: 'email', transform: 'firstName' },
        { table: 'users', column: 'id', transform: 'null' },
      ],
      { mode: 'Permissive', source: 'anonymize' },
    );
    expect(
      plan.errors.some((e) => e.startsWith('public.users.email: transform firstName can map distinct values')),
    ).toBe(true);
    expect(plan.errors).toContain('public.users.id: transform null on a NOT NULL column');
  });

  it('names unknown tables and columns by rule index', () => {
    const plan = planRules(
      schema,
      [
        { table: 'nope', column: 'x', transform: 'keep' },
        { table: 'users', column: 'nope', transform: 'keep' },
      ],
      { mode: 'Permissive', source: 'anonymize' },
    );
    expect(plan.errors).toEqual([
      'rules[0]: table nope does not exist',
      'rules[1]: column public.users.nope does not exist',
    ]);
  });

  it('is strict when synthesizing too, and in permissive mode makes up personal values', () => {
    const rules = [
      { table: 'users', column: 'bio', transform: 'lorem' as const },
      { table: 'orders', column: 'note', transform: 'keep' as const },
    ];
    expect(
      planRules(schema, rules, { mode: 'Strict', source: 'synthesize' }).uncovered.map((u) => u.split(' ')[0]),
    ).toEqual(['public.users.email', 'public.users.ssn']);
    const plan = planRules(schema, rules, { mode: 'Permissive', source: 'synthesize' });
    expect(plan.errors).toEqual([]);
    expect(plan.columns.get('public.users')!.find((c) => c.column.name === 'ssn')).toMatchObject({
      coverage: 'generatedFake',
      spec: { transform: 'digits' },
    });
  });
});

describe('personal data detection', () => {
  it.each([
    ['email', 'email'],
    ['contact_email', 'email'],
    ['first_name', 'firstName'],
    ['phone_number', 'phone'],
    ['ssn', 'nationalId'],
    ['postal_code', 'zip'],
    ['last_login_ip', 'ip'],
    ['card_number', 'cardNumber'],
    ['iban', 'iban'],
    ['date_of_birth', 'dateOfBirth'],
    ['password_hash', 'secret'],
  ])('%s is %s', (name, kind) => expect(detectPersonal({ name, baseType: 'text' })).toBe(kind));
  it.each(['id', 'price', 'status', 'created_at', 'quantity', 'sku'])('%s is not personal', (name) =>
    expect(detectPersonal({ name, baseType: 'text' })).toBeUndefined(),
  );
});
