import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProfileCommand } from '../../operator/commands/profile';
import { luhnValid } from '../../operator/seed/content-scan';
import { ProfileSchema } from '../../operator/seed/model';
import { createDatabase } from '../setup/postgres';
import { query, testServerUrl } from '../support/shop-db';

// A database the project has not seen, with personal data in columns whose
// names say nothing: the stored profile must hold no personal value, with or
// without rules, and still describe every column by its aggregates.

jest.setTimeout(120_000);

const N = 400;
const email = (i: number) => `person${i % 60}.x@mail${i % 7}.example.org`;
const phone = (i: number) => `+1 555 ${String(100 + (i % 80)).padStart(3, '0')} ${String(1000 + i).slice(-4)}`;
const ssn = (i: number) => `${String(100 + (i % 50))}-${String(10 + (i % 40))}-${String(1000 + (i % 90))}`;
function card(i: number): string {
  const body = `4${String(100_000_000_000_00 + ((i * 7919) % 50)).padStart(14, '0')}`;
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}
function iban(i: number): string {
  const bban = `37040044${String(532013000 + (i % 45)).padStart(10, '0')}`;
  let rest = 0;
  for (const ch of `${bban}131400`) rest = (rest * 10 + Number(ch)) % 97;
  return `DE${String(98 - rest).padStart(2, '0')}${bban}`;
}

const PERSONAL = Array.from({ length: N }, (_, i) => [email(i), phone(i), ssn(i), card(i), iban(i)]).flat();

describe('profiles hold aggregates only', () => {
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'understudy-profile-'));

  beforeAll(async () => {
    url = await createDatabase(await testServerUrl(), 'seed_profile_unseen');
    await query(
      url,
      `CREATE TABLE accounts (id int PRIMARY KEY, ref text, contact text, member text, num bigint, code text, extra jsonb, status text, amount numeric(8, 2), opened date)`,
    );
    for (let i = 0; i < N; i++) {
      await query(url, 'INSERT INTO accounts VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
        i,
        email(i),
        phone(i),
        ssn(i),
        card(i),
        iban(i),
        JSON.stringify({ owner: email(i), tier: i % 3 }),
        ['open', 'closed', 'frozen'][i % 3],
        (i * 3.7) % 500,
        `2020-01-${String(1 + (i % 28)).padStart(2, '0')}`,
      ]);
    }
  });

  async function profile(rulesYaml?: string): Promise<string> {
    const out = join(dir, `profile-${rulesYaml ? 'rules' : 'bare'}.json`);
    const rules = rulesYaml ? [join(dir, 'rules.yaml')] : undefined;
    if (rulesYaml) writeFileSync(rules![0]!, rulesYaml);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runProfileCommand({ database: url, out, rules })).toBe(0);
    } finally {
      stderr.mockRestore();
    }
    return readFileSync(out, 'utf8');
  }

  const leaked = (text: string) =>
    PERSONAL.filter(
      (v) => text.includes(v) || (text.includes(v.replace(/\D/g, '')) && v.replace(/\D/g, '').length >= 9),
    );

  it('without rules: no personal value, text keeps lengths, numbers and dates keep ranges', async () => {
    const text = await profile();
    expect(leaked(text)).toEqual([]);
    expect(text).not.toContain('@');
    const columns = ProfileSchema.parse(JSON.parse(text)).tables['public.accounts']!.columns;
    for (const c of ['ref', 'contact', 'member', 'code', 'status'])
      expect({ c, values: columns[c]!.mostCommon ?? columns[c]!.histogram }).toEqual({ c, values: undefined });
    expect(columns.ref!.lengths?.length).toBe(11);
    expect(columns.num!.refused).toBe('cardNumber');
    expect(columns.num!.histogram).toBeUndefined();
    expect(columns.amount!.histogram?.length).toBeGreaterThan(10);
    expect(columns.opened!.range).toEqual({ min: '2020-01-01', max: '2020-01-28' });
    expect(columns.extra!.jsonKeys).toBeUndefined();
  });

  it('with keep rules on every column: the content scan still refuses every personal value', async () => {
    const keepAll = ['ref', 'contact', 'member', 'num', 'code', 'extra', 'status', 'amount']
      .map((c) => `- {table: accounts, column: ${c}, transform: keep}`)
      .join('\n');
    const text = await profile(keepAll);
    expect(leaked(text)).toEqual([]);
    expect(text).not.toContain('@');
    const columns = ProfileSchema.parse(JSON.parse(text)).tables['public.accounts']!.columns;
    expect(
      Object.fromEntries(['ref', 'contact', 'member', 'num', 'code'].map((c) => [c, columns[c]!.refused])),
    ).toEqual({ ref: 'email', contact: 'phone', member: 'nationalId', num: 'cardNumber', code: 'iban' });
    expect(columns.status!.mostCommon?.values.sort()).toEqual(['closed', 'frozen', 'open']);
    expect(columns.extra!.jsonKeys?.map((k) => k.key).sort()).toEqual(['owner', 'tier']);
  });
});
