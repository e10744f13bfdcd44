import { createHash } from 'node:crypto';

// Everything the postgres-database program sends to a server is built here,
// from names the operator derives: no statement contains text a user wrote.
// Identifiers are always quoted, literals always escaped, so even a derived
// name that looked like SQL would stay a name.

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;
/** Marks databases and roles this program made, so it adopts its own after a crash and never someone else's. */
export const OWNER_MARKER_PREFIX = 'understudy:';

export function quoteIdent(name: string): string {
  if (name.length === 0) throw new Error('an identifier must not be empty');
  if (name.includes('\0')) throw new Error('an identifier must not contain NUL');
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES)
    throw new Error(`identifier "${name}" is longer than ${MAX_IDENTIFIER_BYTES} bytes`);
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a literal must not contain NUL');
  // standard_conforming_strings is on since 9.1: only quotes need doubling; E'' handles a backslash either way.
  const hasBackslash = value.includes('\\');
  const body = value.replace(/'/g, "''").replace(/\\/g, '\\\\');
  return `${hasBackslash ? 'E' : ''}'${body}'`;
}

/**
 * The database and role name of a stack: readable (the environment's
 * namespace and name, folded to [a-z0-9_]) and unique (a hash of the full
 * stack name, so two environments whose names fold alike still differ),
 * at most 63 bytes.
 */
export function derivedName(stack: string): string {
  const hash = createHash('sha256').update(stack).digest('hex').slice(0, 10);
  const folded = stack
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const room = MAX_IDENTIFIER_BYTES - 'pv__'.length - hash.length;
  return `pv_${folded.slice(0, room).replace(/_+$/, '')}_${hash}`;
}

export function ownerMarker(stack: string): string {
  return `${OWNER_MARKER_PREFIX}${stack}`;
}

export interface DatabasePlan {
  database: string;
  role: string;
  /** Set: the database is cloned from this one, with FILE_COPY (no WAL of the whole copy, seconds whatever its size). */
  template?: string;
  marker: string;
}

export function createRole(plan: Pick<DatabasePlan, 'role'>, password: string): string {
  return `CREATE ROLE ${quoteIdent(plan.role)} LOGIN PASSWORD ${quoteLiteral(password)}`;
}

export function alterRolePassword(plan: Pick<DatabasePlan, 'role'>, password: string): string {
  return `ALTER ROLE ${quoteIdent(plan.role)} LOGIN PASSWORD ${quoteLiteral(password)}`;
}

export function commentOnRole(plan: Pick<DatabasePlan, 'role' | 'marker'>): string {
  return `COMMENT ON ROLE ${quoteIdent(plan.role)} IS ${quoteLiteral(plan.marker)}`;
}

/** CREATE DATABASE cannot run in a transaction block: one statement per call. */
export function createDatabase(plan: DatabasePlan): string {
  const template = plan.template ? ` TEMPLATE ${quoteIdent(plan.template)} STRATEGY FILE_COPY` : '';
  return `CREATE DATABASE ${quoteIdent(plan.database)} OWNER ${quoteIdent(plan.role)}${template}`;
}

export function commentOnDatabase(plan: Pick<DatabasePlan, 'database' | 'marker'>): string {
  return `COMMENT ON DATABASE ${quoteIdent(plan.database)} IS ${quoteLiteral(plan.marker)}`;
}

/** A clone keeps the template's table owners: the new role gets them, so the preview's user owns its data. */
export function reassignOwned(from: string, to: string): string {
  return `REASSIGN OWNED BY ${quoteIdent(from)} TO ${quoteIdent(to)}`;
}

/** WITH (FORCE) ends the preview's own sessions: its workloads may still be connected while it is destroyed. */
export function dropDatabase(database: string): string {
  return `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`;
}

export function dropRole(role: string): string {
  return `DROP ROLE IF EXISTS ${quoteIdent(role)}`;
}

/** Renames for the golden refresh: the new copy takes the golden's name once filled (see docs/infrastructure.md). */
export function renameDatabase(from: string, to: string): string {
  return `ALTER DATABASE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`;
}

export const SELECT_DATABASE = `SELECT d.datname, shobj_description(d.oid, 'pg_database') AS comment FROM pg_database d WHERE d.datname = $1`;
export const SELECT_ROLE = `SELECT r.rolname, shobj_description(r.oid, 'pg_authid') AS comment FROM pg_roles r WHERE r.rolname = $1`;

/** A connection URL for the preview: the admin's server, the preview's database, role and password. */
export function previewUrl(serverUrl: string, plan: Pick<DatabasePlan, 'database' | 'role'>, password: string): string {
  const url = new URL(serverUrl);
  url.username = encodeURIComponent(plan.role);
  url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(plan.database)}`;
  return url.toString();
}
