import { DataSeedSpecSchema, type DataSeedSpecInput } from '../../operator/api/dataseed';
import { PostgresDatabase } from '../../operator/seed/postgres/driver';
import { planLoadOrder } from '../../operator/seed/plan';
import { runSeed } from '../../operator/seed/run';
import { orphanCount, query } from '../support/shop-db';
import { createDatabase } from '../setup/postgres';
import { testServerUrl } from '../support/shop-db';

jest.setTimeout(120_000);

// A schema with what the shop lacks: a foreign-key cycle between two tables,
// a composite foreign key, and the rarer types (bool[], json, bytea, time).
const SCHEMA = `
CREATE TABLE teams (id serial PRIMARY KEY, name text NOT NULL, captain_id integer);
CREATE TABLE members (id serial PRIMARY KEY, team_id integer NOT NULL REFERENCES teams (id), email text NOT NULL UNIQUE,
  mentor_id integer REFERENCES members (id), joined date NOT NULL);
ALTER TABLE teams ADD CONSTRAINT teams_captain_fkey FOREIGN KEY (captain_id) REFERENCES members (id);
CREATE TABLE shipments (order_no integer, line_no integer, weight numeric(8, 2) NOT NULL CHECK (weight > 0), kind text, PRIMARY KEY (order_no, line_no));
CREATE TABLE parcels (id bigserial PRIMARY KEY, order_no integer NOT NULL, line_no integer NOT NULL, tracking uuid NOT NULL,
  flags boolean[], meta json, blob bytea, window_start time,
  FOREIGN KEY (order_no, line_no) REFERENCES shipments (order_no, line_no));`;

const PRODUCTION = `
INSERT INTO teams (name) SELECT 'team ' || i FROM generate_series(1, 50) i;
INSERT INTO members (team_id, email, mentor_id, joined)
  SELECT 1 + (i * 7) % 50, 'person' || i || '@corp.test', CASE WHEN i > 20 AND i % 3 = 0 THEN 1 + (i * 13) % 20 END, date '2020-01-01' + (i * 37) % 1500
  FROM generate_series(1, 2000) i;
UPDATE teams SET captain_id = id * 10 WHERE id % 5 <> 0;
INSERT INTO shipments SELECT o, l, round((1 + random() * 40)::numeric, 2), CASE WHEN l = 1 THEN 'express' ELSE 'standard' END FROM generate_series(1, 800) o, generate_series(1, 3) l;
INSERT INTO parcels (order_no, line_no, tracking, flags, meta, blob, window_start)
  SELECT 1 + i % 800, 1 + i % 3, gen_random_uuid(), ARRAY[i % 2 = 0, i % 3 = 0], json_build_object('fragile', i % 4 = 0), decode(md5(i::text), 'hex'), time '08:00' + (i % 10) * interval '1 hour'
  FROM generate_series(1, 3000) i;
ANALYZE;`;

const RULES = [
  { table: 'teams', column: 'name', transform: 'keep' },
  { table: 'members', column: 'id', transform: 'permute', params: { bits: 24 } },
  { table: 'members', column: 'email', transform: 'email' },
  { table: 'shipments', column: 'kind', transform: 'keep' },
  { table: 'parcels', column: 'flags', transform: 'keep' },
  { table: 'parcels', column: 'meta', transform: 'keep' },
  { table: 'parcels', column: 'blob', transform: 'hash' },
  { table: 'parcels', column: 'tracking', transform: 'uuid' },
] as const;
const ref = { name: 'unused', key: 'unused' };
const spec = (source: DataSeedSpecInput['source'], parallelism: number) =>
  DataSeedSpecSchema.parse({
    baselineRef: { name: 'production' },
    source,
    target: { urlSecretRef: ref },
    rules: RULES,
    parallelism,
  });

describe('foreign-key cycles, composite keys and rare types', () => {
  let production: string;
  const fresh = async (name: string) => {
    const url = await createDatabase(await testServerUrl(), name);
    await query(url, SCHEMA);
    return url;
  };

  beforeAll(async () => {
    production = await fresh('seed_graph_prod');
    await query(production, PRODUCTION);
  });

  it('introspects the cycle and breaks it at the nullable key', async () => {
    const db = await PostgresDatabase.open(production);
    const schema = await db.introspect(['public']);
    await db.close();
    const parcels = schema.tables.find((t) => t.name === 'parcels')!;
    expect(parcels.foreignKeys[0]).toMatchObject({
      columns: ['order_no', 'line_no'],
      refTable: 'public.shipments',
      refColumns: ['order_no', 'line_no'],
    });
    expect(parcels.columns.find((c) => c.name === 'flags')).toMatchObject({ baseType: 'bool', isArray: true });
    expect(schema.tables.find((t) => t.name === 'shipments')!.checks[0]).toMatchObject({ columns: ['weight'] });
    expect(schema.tables.find((t) => t.name === 'teams')!.columns.find((c) => c.name === 'id')!.sequence).toBe(
      'public.teams_id_seq',
    );
    const plan = planLoadOrder(schema);
    expect(plan.deferred.map((d) => d.fk.name)).toEqual(['teams_captain_fkey']);
  });

  it.each([1, 2])(
    'synthesizes through the cycle (parallelism %i): deferred captains filled, no orphans',
    async (parallelism) => {
      const target = await fresh(`seed_graph_synth_${parallelism}`);
      await runSeed({
        spec: spec({ synthesize: { profile: { fromBaseline: { database: 'production' } } } }, parallelism),
        target,
        source: production,
      });
      expect(await orphanCount(target)).toBe(0);
      const [captains] = await query<{ n: string }>(target, 'SELECT count(captain_id) AS n FROM teams');
      expect(Number(captains!.n)).toBe(40);
      const [parcels] = await query<{ n: string; flags: string }>(
        target,
        'SELECT count(*) AS n, count(flags) AS flags FROM parcels',
      );
      expect(Number(parcels!.n)).toBe(3000);
    },
  );

  it('anonymizes through the cycle: permuted member ids are inherited by every key pointing at them', async () => {
    const target = await fresh('seed_graph_anon');
    await runSeed({
      spec: spec({ anonymize: { from: { database: 'production' }, key: { secretKeyRef: ref } } }, 2),
      target,
      source: production,
      key: Buffer.from('graph-key-0123456789abcdef'),
    });
    expect(await orphanCount(target)).toBe(0);
    const [source] = await query<{ captains: string; mentors: string; ids: string }>(
      production,
      'SELECT (SELECT count(captain_id) FROM teams) AS captains, (SELECT count(mentor_id) FROM members) AS mentors, (SELECT sum(id) FROM members) AS ids',
    );
    const [masked] = await query<{ captains: string; mentors: string; ids: string }>(
      target,
      'SELECT (SELECT count(captain_id) FROM teams) AS captains, (SELECT count(mentor_id) FROM members) AS mentors, (SELECT sum(id) FROM members) AS ids',
    );
    expect(masked!.captains).toBe(source!.captains);
    expect(masked!.mentors).toBe(source!.mentors);
    expect(masked!.ids).not.toBe(source!.ids);
    // Each team's captain is still one of its own members after masking, as in production.
    const [mismatch] = await query<{ n: string }>(
      target,
      'SELECT count(*) AS n FROM teams t JOIN members m ON m.id = t.captain_id WHERE m.team_id <> t.id',
    );
    const [prodMismatch] = await query<{ n: string }>(
      production,
      'SELECT count(*) AS n FROM teams t JOIN members m ON m.id = t.captain_id WHERE m.team_id <> t.id',
    );
    expect(mismatch!.n).toBe(prodMismatch!.n);
    const [seq] = await query<{ next: string; max: string }>(
      target,
      "SELECT nextval('members_id_seq') AS next, (SELECT max(id) FROM members) AS max",
    );
    expect(Number(seq!.next)).toBe(Number(seq!.max) + 1);
  });
});
