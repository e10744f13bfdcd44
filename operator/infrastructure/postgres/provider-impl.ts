import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import * as sql from './sql';

// The work of the postgres-database dynamic provider, loaded by path inside
// the provider process (the serialized provider only forwards here), so the
// code that touches a server is ordinary, type-checked, unit-testable code.
//
// Every step is idempotent, because a runner may be killed at any point: a
// role carrying this stack's marker, or a database owned by that role, is
// adopted rather than created again, and anything else of the same name is
// refused rather than taken over.

export interface DatabaseInputs {
  /** The admin's connection URL (a secret): a role with CREATEDB and CREATEROLE. */
  serverUrl: string;
  stack: string;
  database: string;
  role: string;
  template?: string;
}

export interface DatabaseOutputs extends DatabaseInputs {
  password: string;
  url: string;
  host: string;
  port: string;
  username: string;
}

/** A clone whose template is busy or being swapped is retried this many times: the golden refresh holds it for a moment only. */
const TEMPLATE_BUSY_RETRIES = 20;
const TEMPLATE_BUSY_WAIT_MS = 500;
/** A missing template is retried briefly only: the two renames of a swap take milliseconds, and a wrong name should fail fast. */
const TEMPLATE_SWAP_RETRIES = 3;

async function withClient<T>(
  url: string,
  database: string | undefined,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const target = new URL(url);
  if (database) target.pathname = `/${encodeURIComponent(database)}`;
  const client = new Client({ connectionString: target.toString(), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function planOf(inputs: DatabaseInputs): sql.DatabasePlan {
  return {
    database: inputs.database,
    role: inputs.role,
    marker: sql.ownerMarker(inputs.stack),
    ...(inputs.template ? { template: inputs.template } : {}),
  };
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

async function ensureRole(client: Client, plan: sql.DatabasePlan, password: string): Promise<void> {
  const existing = await client.query<{ comment: string | null }>(sql.SELECT_ROLE, [plan.role]);
  if (existing.rows[0]) {
    if (existing.rows[0].comment !== plan.marker)
      throw new Error(
        `role ${plan.role} exists and was not created by Understudy for stack ${plan.marker.slice(sql.OWNER_MARKER_PREFIX.length)}; refusing to take it over`,
      );
    await client.query(sql.alterRolePassword(plan, password));
    return;
  }
  // One transaction: a role never exists without its marker.
  await client.query('BEGIN');
  try {
    await client.query(sql.createRole(plan, password));
    await client.query(sql.commentOnRole(plan));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function databaseOwner(client: Client, database: string): Promise<string | undefined> {
  const result = await client.query<{ owner: string }>(
    'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
    [database],
  );
  return result.rows[0]?.owner;
}

async function ensureDatabase(client: Client, plan: sql.DatabasePlan): Promise<boolean> {
  const owner = await databaseOwner(client, plan.database);
  if (owner !== undefined) {
    // CREATE DATABASE ... OWNER sets the owner atomically: owned by our marked role means ours.
    if (owner !== plan.role)
      throw new Error(
        `database ${plan.database} exists and is owned by ${owner}, not by this stack's role; refusing to take it over`,
      );
    return false;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await client.query(sql.createDatabase(plan));
      await client.query(sql.commentOnDatabase(plan));
      return true;
    } catch (error) {
      // 55006: the template is in use (a golden refresh renaming it); 3D000: it does not exist for the instant of the swap.
      const limit =
        codeOf(error) === '55006'
          ? TEMPLATE_BUSY_RETRIES
          : plan.template !== undefined && codeOf(error) === '3D000'
            ? TEMPLATE_SWAP_RETRIES
            : 0;
      if (attempt >= limit) throw error;
      await new Promise((resolve) => setTimeout(resolve, TEMPLATE_BUSY_WAIT_MS));
    }
  }
}

/** A clone's tables belong to the template's owner: hand them (and non-system schemas) to the preview's role. */
async function takeOwnership(url: string, plan: sql.DatabasePlan): Promise<void> {
  const role = sql.quoteIdent(plan.role);
  await withClient(url, plan.database, async (client) => {
    const objects = await client.query<{ statement: string }>(
      `SELECT format('ALTER SCHEMA %I OWNER TO ', n.nspname) AS statement FROM pg_namespace n
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
       UNION ALL
       SELECT format('ALTER TABLE %s OWNER TO ', c.oid::regclass) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
    );
    await client.query('BEGIN');
    for (const row of objects.rows) await client.query(row.statement + role);
    await client.query('COMMIT');
  });
}

/**
 * Fault injection for the crash tests only: a pause inside create (between
 * the role and the database) and inside delete (before the drop), so a test
 * can kill the runner mid-operation. Unset everywhere else.
 */
async function testPause(): Promise<void> {
  const ms = Number(process.env.UNDERSTUDY_TEST_PROVIDER_PAUSE_MS ?? 0);
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}

export async function create(inputs: DatabaseInputs): Promise<{ id: string; outs: DatabaseOutputs }> {
  const plan = planOf(inputs);
  const password = randomBytes(24).toString('base64url');
  const created = await withClient(inputs.serverUrl, undefined, async (client) => {
    await ensureRole(client, plan, password);
    await testPause();
    try {
      return await ensureDatabase(client, plan);
    } catch (error) {
      // A failed create is not recorded in the state, so destroy would never see the role: drop it now.
      if ((await databaseOwner(client, plan.database)) === undefined)
        await client.query(sql.dropRole(plan.role)).catch(() => undefined);
      throw error;
    }
  });
  if (plan.template && created) await takeOwnership(inputs.serverUrl, plan);
  return { id: inputs.database, outs: outputsOf(inputs, password) };
}

export function outputsOf(inputs: DatabaseInputs, password: string): DatabaseOutputs {
  const server = new URL(inputs.serverUrl);
  return {
    ...inputs,
    password,
    url: sql.previewUrl(inputs.serverUrl, planOf(inputs), password),
    host: server.hostname,
    port: server.port || '5432',
    username: inputs.role,
  };
}

export async function remove(props: DatabaseInputs): Promise<void> {
  await testPause();
  await withClient(props.serverUrl, undefined, async (client) => {
    await client.query(sql.dropDatabase(props.database));
    const role = await client.query<{ comment: string | null }>(sql.SELECT_ROLE, [props.role]);
    // Only our own role: a name someone else took since is left alone.
    if (role.rows[0] && role.rows[0].comment === sql.ownerMarker(props.stack))
      await client.query(sql.dropRole(props.role));
  });
}

/** For refresh: what still exists. A missing database or role reads as gone, which a refresh preview reports as drift. */
export async function read(id: string, props: DatabaseOutputs): Promise<{ id?: string; props?: DatabaseOutputs }> {
  return withClient(props.serverUrl, undefined, async (client) => {
    const owner = await databaseOwner(client, props.database);
    const role = await client.query(sql.SELECT_ROLE, [props.role]);
    if (owner === undefined || role.rows.length === 0) return {};
    return { id, props };
  });
}

const REPLACING = ['serverUrl', 'stack', 'database', 'role', 'template'] as const;

export function diff(
  olds: Partial<DatabaseInputs>,
  news: DatabaseInputs,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces = REPLACING.filter((key) => (olds[key] ?? '') !== (news[key] ?? ''));
  // The names are the same before and after: the old database must go first.
  return { changes: replaces.length > 0, replaces: [...replaces], deleteBeforeReplace: true };
}
