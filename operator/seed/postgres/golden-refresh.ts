import { Client } from 'pg';
import type { Socket } from 'node:net';
import { TenantNetworkRefusal } from '../../runtime/tenant-network';
import { quoteIdent } from '../../infrastructure/postgres/sql';
import { SeedError } from '../errors';
import {
  createNext,
  databaseOfUrl,
  databaseUrl,
  dropNext,
  dropOld,
  type GoldenNames,
  goldenNames,
  markNext,
  refreshMarker,
  retryWaitsMs,
  setTemplate,
  swapPlan,
} from '../golden';
import type { GoldenOutcome, RunOptions, SeedReport, SeedRequest } from '../report';

// spec.golden: the seed fills `<golden>_next`, a fresh copy of the target
// (schema) database, and only a seed that succeeded is swapped in (see
// ../golden.ts for the plan and docs/infrastructure.md for why clones never
// wait). The admin statements run on a connection to the schema database:
// nobody ever connects to the golden itself.

export interface GoldenRefreshTuning {
  /** Attempts at a statement that meets another session (55006). */
  inUseAttempts?: number;
  firstWaitMs?: number;
  maxWaitMs?: number;
  now?: () => Date;
}

/** Ten attempts, 0.1 s doubling to 2 s: about 10 s, as long as a clone waits for a busy golden. */
const DEFAULTS = { inUseAttempts: 10, firstWaitMs: 100, maxWaitMs: 2_000 };

type Fill = (request: SeedRequest, opts: RunOptions) => Promise<SeedReport>;

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Existing {
  datname: string;
  owner: string;
  istemplate: boolean;
  comment: string | null;
}

class Admin {
  constructor(
    private readonly client: Client,
    private readonly waits: number[],
    private readonly log: (message: string) => void,
  ) {}

  query(sql: string, params: unknown[] = []) {
    return this.client.query(sql, params);
  }

  /** Runs `sql`, again after a wait while another session holds the database (55006); throws the last error. */
  async inUseRetried(sql: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.query(sql);
        return;
      } catch (error) {
        const wait = this.waits[attempt];
        if (codeOf(error) !== '55006' || wait === undefined) throw error;
        this.log(`${sql}: the database is in use, again in ${wait} ms`);
        await sleep(wait);
      }
    }
  }

  async existing(names: GoldenNames): Promise<Map<string, Existing>> {
    const result = await this.client.query<Existing>(
      `SELECT datname, pg_get_userbyid(datdba) AS owner, datistemplate AS istemplate,
              shobj_description(oid, 'pg_database') AS comment
         FROM pg_database WHERE datname = ANY($1)`,
      [[names.live, names.next, names.old]],
    );
    return new Map(result.rows.map((r) => [r.datname, r]));
  }
}

async function connect(url: string, stream?: () => Socket): Promise<Client> {
  const client = new Client({
    connectionString: url,
    ...(stream ? { stream } : {}),
    application_name: 'understudy-golden',
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    if (err instanceof TenantNetworkRefusal) throw new SeedError('InvalidSpec', err.message);
    throw new SeedError('ConnectionFailed', `cannot connect to the target database: ${(err as Error).message}`);
  }
}

const NOTHING_WRITTEN = 'nothing was written';

/** Refuses, before anything is written, what would fail halfway: no CREATEDB, a golden owned by another role, an old server. */
async function preflight(
  admin: Admin,
  names: GoldenNames,
): Promise<{ schema: string; existing: Map<string, Existing> }> {
  const who = await admin.query(
    `SELECT current_user AS role, current_database() AS db, r.rolcreatedb AS createdb, r.rolsuper AS super,
            current_setting('server_version_num')::int AS version
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const me = who.rows[0] as { role: string; db: string; createdb: boolean; super: boolean; version: number };
  const field = 'spec.golden.database';
  if (me.version < 150000)
    throw new SeedError(
      'GoldenNotPermitted',
      `${field}: a golden refresh needs PostgreSQL 15 or newer (CREATE DATABASE ... STRATEGY FILE_COPY); the target's server is ${me.version}; ${NOTHING_WRITTEN}`,
    );
  if (!me.createdb && !me.super)
    throw new SeedError(
      'GoldenNotPermitted',
      `${field}: the target role ${quoteIdent(me.role)} lacks CREATEDB, which a golden refresh needs to create ${names.next} (ALTER ROLE ${quoteIdent(me.role)} CREATEDB); ${NOTHING_WRITTEN}`,
    );
  if ([names.live, names.next, names.old].includes(me.db))
    throw new SeedError(
      'GoldenNotPermitted',
      `${field}: the target connection's database is ${me.db}; it must be the schema database each refresh copies, not the golden or its copies; ${NOTHING_WRITTEN}`,
    );
  const existing = await admin.existing(names);
  for (const db of existing.values()) {
    // The golden itself may have been made by hand; a `_next` or `_old` is dropped, so it must be a refresh's own.
    if (db.datname !== names.live && db.comment !== refreshMarker(names))
      throw new SeedError(
        'GoldenNotPermitted',
        `${field}: database ${db.datname} exists and was not made by a refresh of ${names.live}; refusing to drop it (rename it, or drop it yourself); ${NOTHING_WRITTEN}`,
      );
    if (!me.super && db.owner !== me.role)
      throw new SeedError(
        'GoldenNotPermitted',
        `${field}: database ${db.datname} exists and is owned by ${quoteIdent(db.owner)}, not by the target role ${quoteIdent(me.role)}: only its owner can rename and drop it (ALTER DATABASE ${quoteIdent(db.datname)} OWNER TO ${quoteIdent(me.role)}); ${NOTHING_WRITTEN}`,
      );
  }
  return { schema: me.db, existing };
}

/** Leftovers of an interrupted refresh: `_next` always goes; `_old` must, or the swap's first rename would fail. */
async function clearLeftovers(admin: Admin, names: GoldenNames, existing: Map<string, Existing>): Promise<void> {
  // Sessions on a leftover `_next` are another refresh of the same golden still filling it (a second DataSeed
  // naming it): FORCE would end that seed. Left to it; this one waits for its own retry.
  const filling = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [names.next]);
  if ((filling.rows[0] as { n: number }).n > 0)
    throw new SeedError(
      'GoldenBusy',
      `spec.golden.database: another refresh of ${names.live} is filling ${names.next} (a second DataSeed naming the same golden?); the golden is as it was`,
    );
  if (existing.get(names.next)?.istemplate) await admin.query(setTemplate(names.next, false));
  await admin.query(dropNext(names));
  if (!existing.has(names.old)) return;
  try {
    if (existing.get(names.old)?.istemplate) await admin.inUseRetried(setTemplate(names.old, false));
    await admin.inUseRetried(dropOld(names));
  } catch (err) {
    throw new SeedError(
      'GoldenBusy',
      `spec.golden.database: ${names.old}, a previous golden, is still in use and cannot be dropped before the next swap (${(err as Error).message}); the golden is as it was`,
    );
  }
}

/** Puts `_next` in the golden's place; undoes the first rename when the second fails. */
async function swap(admin: Admin, names: GoldenNames, liveExists: boolean): Promise<string | undefined> {
  const done: string[] = [];
  let leftOver: string | undefined;
  for (const step of swapPlan(names, liveExists)) {
    if (step.phase === 'cleanup') {
      try {
        await admin.inUseRetried(step.sql);
      } catch {
        leftOver = names.old;
        break;
      }
      continue;
    }
    try {
      await admin.inUseRetried(step.sql);
      if (step.undo) done.push(step.undo);
    } catch (err) {
      let state = 'the golden is as it was';
      for (const undo of done.reverse())
        await admin.inUseRetried(undo).catch((undoErr: Error) => {
          state = `and putting it back failed (${undoErr.message}): the golden is ${names.old} now, rename it back by hand`;
        });
      throw new SeedError(
        'GoldenBusy',
        `spec.golden.database: could not swap ${names.next} in as ${names.live} (${(err as Error).message}); ${state}`,
      );
    }
  }
  return leftOver;
}

/**
 * Runs `fill` into a fresh `<golden>_next` and swaps it in when it succeeded.
 * A failed fill (a fidelity gate, a leak, an SQL error, a cancel) drops
 * `_next` and leaves the golden untouched.
 */
export async function refreshGolden(
  request: SeedRequest,
  opts: RunOptions,
  fill: Fill,
  tuning: GoldenRefreshTuning = {},
): Promise<SeedReport> {
  const golden = request.spec.golden!;
  const names = goldenNames(golden.database);
  const log = opts.log ?? (() => undefined);
  const t = { ...DEFAULTS, ...tuning };
  if (!databaseOfUrl(request.target))
    throw new SeedError('InvalidSpec', 'spec.target: with spec.golden, the target must name the schema database');
  const client = await connect(request.target, opts.targetStream);
  const admin = new Admin(client, retryWaitsMs(t.inUseAttempts, t.firstWaitMs, t.maxWaitMs), log);
  try {
    const { schema, existing } = await preflight(admin, names);
    await clearLeftovers(admin, names, existing);
    try {
      await admin.inUseRetried(createNext(names, schema));
    } catch (err) {
      if (codeOf(err) !== '55006') throw err;
      throw new SeedError(
        'GoldenBusy',
        `spec.target: the schema database ${schema} is in use by other sessions, so it cannot be copied into ${names.next} (${(err as Error).message}); keep it for migrations only`,
      );
    }
    log(`filling ${names.next}, a copy of ${schema}; ${names.live} stays as it is until the seed succeeded`);
    let report: SeedReport;
    try {
      await admin.query(markNext(names));
      report = await fill({ ...request, target: databaseUrl(request.target, names.next) }, opts);
      if (opts.signal?.aborted) throw new SeedError('Cancelled', 'the seed was cancelled before it finished');
    } catch (err) {
      await admin
        .query(dropNext(names))
        .catch((dropErr: Error) => log(`could not drop ${names.next}: ${dropErr.message}`));
      throw err;
    }
    const leftOver = await swap(admin, names, existing.has(names.live)).catch(async (err: unknown) => {
      await admin.query(setTemplate(names.next, false)).catch(() => undefined);
      await admin.query(dropNext(names)).catch(() => undefined);
      throw err;
    });
    const outcome: GoldenOutcome = {
      database: names.live,
      refreshedAt: (t.now?.() ?? new Date()).toISOString(),
      ...(leftOver ? { leftOver } : {}),
    };
    log(
      leftOver
        ? `${names.live} refreshed; the previous golden is still in use and stays as ${leftOver} until the next refresh`
        : `${names.live} refreshed`,
    );
    return { ...report, golden: outcome };
  } finally {
    await client.end().catch(() => undefined);
  }
}
