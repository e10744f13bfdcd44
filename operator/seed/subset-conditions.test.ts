import type { SchemaInfo } from './model';
import { planRules } from './rules';
import { checkedSubsetRoots } from './subset-conditions';
import { column, table } from './testing/schema';

// Which columns a subset condition may name follows from the rule plan: those
// the seed copies unchanged, whatever made them so (a `keep` rule, a key, a
// known-safe type); a masked one is refused with the rule that masks it.

const col = column;
const schema: SchemaInfo = {
  tables: [table('users', [col('id', 'int8'), col('email', 'text'), col('points', 'int4'), col('nickname', 'text')])],
};
const plan = planRules(
  schema,
  [
    { table: 'users', column: 'email', transform: 'email' },
    { table: 'users', column: 'nickname', transform: 'keep' },
  ],
  { mode: 'Strict', source: 'anonymize' },
);
const roots = (where: string, tableName = 'users') =>
  checkedSubsetRoots(schema, plan, { roots: [{ table: tableName, where }], followReferencing: 'Roots' });

it('allows columns copied unchanged: a key, a known-safe type, a keep rule', async () => {
  const [root] = await roots("id > 10 AND points = 7 AND nickname <> 'x'");
  expect(root).toEqual({ table: 'users', where: "id > 10 AND points = 7 AND nickname <> 'x'", fraction: undefined });
});

it('refuses a masked column, naming the rule and the field', async () => {
  await expect(roots("email = 'a@b.c'")).rejects.toMatchObject({
    reason: 'InvalidSpec',
    message: expect.stringContaining(
      'spec.source.anonymize.subset.roots[0].where: column email cannot be filtered on: its rule (email) changes its values',
    ),
  });
});

it('names the table field when the root table does not exist', async () => {
  await expect(roots('id = 1', 'nope')).rejects.toThrow(
    'spec.source.anonymize.subset.roots[0].table: nope does not exist',
  );
});
