import { GOLDEN_NAME_MAX, GOLDEN_NAME_PATTERN, GOLDEN_RESERVED } from '../api/dataseed';
import { MAX_IDENTIFIER_BYTES, quoteIdent, quoteLiteral, renameDatabase } from '../infrastructure/postgres/sql';
import { SeedError } from './errors';

// The golden database refresh, as data: which names it uses and which
// statements swap a filled copy in. No I/O here (postgres/golden-refresh.ts
// runs it), so the plan can be checked without a server.
//
// A golden is never written in place: clones copy it file by file
// (CREATE DATABASE ... TEMPLATE golden STRATEGY FILE_COPY), which fails while
// anyone is connected to it. So each refresh fills `<golden>_next`, and only
// when that seed succeeded: marks it a template, renames the live golden to
// `<golden>_old` and `_next` to the golden's name (two catalogue updates of a
// few milliseconds, each waiting at most for one clone in progress), then
// unmarks and drops `_old`.

export const NEXT_SUFFIX = '_next';
export const OLD_SUFFIX = '_old';

export interface GoldenNames {
  /** The golden clones are made from. */
  live: string;
  /** The copy a refresh fills; no clone ever uses it. */
  next: string;
  /** The previous golden between the swap and its drop. */
  old: string;
}

/** Why `database` cannot name a golden, or undefined when it can; the same rules as the API's, checked again at run time. */
export function goldenNameProblem(database: string): string | undefined {
  if (!GOLDEN_NAME_PATTERN.test(database))
    return `"${database}" must be lower-case letters, digits and underscores, not starting with a digit`;
  if (database.length > GOLDEN_NAME_MAX)
    return `"${database}" is longer than ${GOLDEN_NAME_MAX} characters (${MAX_IDENTIFIER_BYTES} minus "${NEXT_SUFFIX}")`;
  if ((GOLDEN_RESERVED as readonly string[]).includes(database))
    return `"${database}" is a database PostgreSQL itself needs`;
  return undefined;
}

/** The names of one golden's refresh; throws InvalidSpec naming the field for a name that cannot be one. */
export function goldenNames(database: string): GoldenNames {
  const problem = goldenNameProblem(database);
  if (problem) throw new SeedError('InvalidSpec', `spec.golden.database: ${problem}`);
  return { live: database, next: `${database}${NEXT_SUFFIX}`, old: `${database}${OLD_SUFFIX}` };
}

/** The URL of `database` on the server of `serverUrl`, with the same role, password and parameters. */
export function databaseUrl(serverUrl: string, database: string): string {
  // A URL path drops "." and ".." segments (encoded or not): such a name would silently connect elsewhere.
  if (database === '.' || database === '..') throw new Error(`database name ${database} cannot be put in a URL`);
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** The database a URL names (decoded); undefined when it names none. */
export function databaseOfUrl(url: string): string | undefined {
  const path = new URL(url).pathname.replace(/^\//, '');
  return path === '' ? undefined : decodeURIComponent(path);
}

/**
 * The comment a refresh puts on the copy it creates; renames keep it. Only a
 * `_next` or `_old` carrying it is dropped: a database that merely has such
 * a name is someone else's.
 */
export function refreshMarker(names: GoldenNames): string {
  return `understudy:golden:${names.live}`;
}

export function markNext(names: GoldenNames): string {
  return `COMMENT ON DATABASE ${quoteIdent(names.next)} IS ${quoteLiteral(refreshMarker(names))}`;
}

export function setTemplate(database: string, template: boolean): string {
  return `ALTER DATABASE ${quoteIdent(database)} IS_TEMPLATE ${template ? 'true' : 'false'}`;
}

/** The copy to fill: the schema database's files, copied (no WAL of the whole copy). */
export function createNext(names: GoldenNames, schemaDatabase: string): string {
  return `CREATE DATABASE ${quoteIdent(names.next)} TEMPLATE ${quoteIdent(schemaDatabase)} STRATEGY FILE_COPY`;
}

/** `_next` only: nobody but this refresh's own seed ever connects to it, so ending its sessions harms nobody. */
export function dropNext(names: GoldenNames): string {
  return `DROP DATABASE IF EXISTS ${quoteIdent(names.next)} WITH (FORCE)`;
}

/** The previous golden is dropped without FORCE: a session someone opened on it is theirs to end. */
export function dropOld(names: GoldenNames): string {
  return `DROP DATABASE IF EXISTS ${quoteIdent(names.old)}`;
}

/**
 * One statement of the swap. `swap` steps must all succeed (a failure after
 * the first rename is undone by `undo`); `cleanup` steps may fail, leaving
 * `_old` for the next refresh.
 */
export interface SwapStep {
  sql: string;
  phase: 'swap' | 'cleanup';
  /** Run when a later swap step failed, to put the live golden back. */
  undo?: string;
}

/** The statements that make a filled `_next` the golden; `liveExists` false on the first refresh. */
export function swapPlan(names: GoldenNames, liveExists: boolean): SwapStep[] {
  const mark: SwapStep = { sql: setTemplate(names.next, true), phase: 'swap' };
  if (!liveExists) return [mark, { sql: renameDatabase(names.next, names.live), phase: 'swap' }];
  return [
    mark,
    {
      sql: renameDatabase(names.live, names.old),
      phase: 'swap',
      undo: renameDatabase(names.old, names.live),
    },
    { sql: renameDatabase(names.next, names.live), phase: 'swap' },
    { sql: setTemplate(names.old, false), phase: 'cleanup' },
    { sql: dropOld(names), phase: 'cleanup' },
  ];
}

/** Waits between attempts at a statement that met a session (55006): doubling from `firstMs`, at most `maxMs`. */
export function retryWaitsMs(attempts: number, firstMs: number, maxMs: number): number[] {
  return Array.from({ length: Math.max(0, attempts - 1) }, (_, i) => Math.min(maxMs, firstMs * 2 ** i));
}
