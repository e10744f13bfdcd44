import type { Socket } from 'node:net';
import { Client } from 'pg';
import type { LoadTestSpec } from '../../api/loadtest';
import { type SecretObject, Kinds } from '../../kinds';
import { KubeApiError } from '../../runtime/kube-errors';
import type { ReconcileContext } from '../../runtime/reconciler';
import { TenantUrlError, checkTenantPostgresUrl } from '../../runtime/tenant-postgres-url';
import { type TenantNetwork, TenantNetworkRefusal } from '../../runtime/tenant-network';
import type { PlanProblem } from './problem';

// spec.valuesFrom: ids that exist in the environment's seeded database, read
// once when the test starts, so `{{value userIds}}` hits real rows. The
// connection comes from a Secret of the LoadTest's own namespace; the query
// runs read-only with a statement timeout, and only the first column of at
// most 10 000 rows is kept.

export const MAX_VALUES = 10_000;
export const MAX_VALUE_LENGTH = 1024;
const TIMEOUT_MS = 5_000;

async function secretValue(
  ctx: Pick<ReconcileContext, 'client'>,
  namespace: string,
  name: string,
  key: string,
  field: string,
): Promise<{ ok: true; value: string } | { ok: false; problem: PlanProblem }> {
  let secret: SecretObject | undefined;
  try {
    secret = await ctx.client.get<SecretObject>({ ...Kinds.Secret, namespace, name });
  } catch (err) {
    if (err instanceof KubeApiError && err.statusCode === 403)
      return {
        ok: false,
        problem: {
          reason: 'SecretUnreadable',
          message: `${field}.name: the operator may not read Secrets in namespace ${namespace} (chart value rbac.secretNamespaces, docs/security.md)`,
        },
      };
    throw err;
  }
  if (!secret)
    return {
      ok: false,
      problem: { reason: 'ReferenceNotFound', message: `${field}.name: Secret ${namespace}/${name} does not exist` },
    };
  const encoded = secret.data?.[key];
  if (encoded === undefined)
    return {
      ok: false,
      problem: { reason: 'ReferenceNotFound', message: `${field}.key: Secret ${namespace}/${name} has no key ${key}` },
    };
  return { ok: true, value: Buffer.from(encoded, 'base64').toString('utf8').trim() };
}

/** Runs one query read-only; the first column as text. */
export async function queryValues(url: string, query: string, stream?: () => Socket): Promise<string[]> {
  const client = new Client({
    connectionString: url,
    ...(stream ? { stream } : {}),
    connectionTimeoutMillis: TIMEOUT_MS,
    statement_timeout: TIMEOUT_MS,
    application_name: 'understudy-loadtest',
  });
  await client.connect();
  try {
    await client.query('begin transaction read only');
    // The extended protocol takes one statement: `select 1; commit; delete ...` (the simple protocol runs all three,
    // the commit ending the read-only transaction) is refused. A cursor hands over MAX_VALUES rows and no more, where
    // reading the result and slicing it held every row of `select * from big_table` in the operator's memory.
    // (A named statement is what makes the driver use the extended protocol.)
    try {
      await client.query({
        name: 'understudy-values',
        text: `declare understudy_values no scroll cursor for ${query}`,
      });
    } catch (err) {
      throw new Error(
        `must be one SELECT (or VALUES) statement, read in a read-only transaction: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    const result = await client.query({ text: `fetch ${MAX_VALUES} from understudy_values`, rowMode: 'array' });
    await client.query('rollback');
    const values = result.rows.map((row: unknown[]) => String(row[0]));
    // As spec.values: ids and keys, not documents (the values travel in the Job's spec and in every request).
    const long = values.findIndex((v) => v.length > MAX_VALUE_LENGTH);
    if (long >= 0)
      throw new Error(`row ${long + 1} holds a value of ${values[long]!.length} characters, above ${MAX_VALUE_LENGTH}`);
    return values;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function valuesFrom(
  ctx: Pick<ReconcileContext, 'client'>,
  spec: Pick<LoadTestSpec, 'valuesFrom'>,
  namespace: string,
  tenantNetwork: TenantNetwork,
): Promise<{ ok: true; values: Record<string, string[]> } | { ok: false; problem: PlanProblem }> {
  const values: Record<string, string[]> = {};
  for (const [i, source] of (spec.valuesFrom ?? []).entries()) {
    const field = `spec.valuesFrom[${i}]`;
    const url = await secretValue(
      ctx,
      namespace,
      source.connectionSecretRef.name,
      source.connectionSecretRef.key,
      `${field}.connectionSecretRef`,
    );
    if (!url.ok) return url;
    try {
      // The operator connects with it: nothing in it may reach the operator's own files (sslkey=...) or sockets.
      checkTenantPostgresUrl(url.value, `${field}.connectionSecretRef`);
    } catch (err) {
      if (!(err instanceof TenantUrlError)) throw err;
      return { ok: false, problem: { reason: 'ValuesUnavailable', message: err.message } };
    }
    try {
      const list = await queryValues(url.value, source.query, tenantNetwork.pgStream(`${field}.connectionSecretRef`));
      if (list.length === 0)
        return {
          ok: false,
          problem: {
            reason: 'NoValues',
            message: `${field}.query: returned no rows; {{value ${source.name}}} would have nothing to draw from`,
          },
        };
      values[source.name] = list;
    } catch (err) {
      // The driver's message may quote the URL's host but never its password; the query's error is the user's own.
      if (err instanceof TenantNetworkRefusal)
        return { ok: false, problem: { reason: 'ValuesUnavailable', message: err.message } };
      return {
        ok: false,
        problem: {
          reason: 'ValuesUnavailable',
          message: `${field}.query: ${err instanceof Error ? err.message : String(err)}`,
        },
      };
    }
  }
  return { ok: true, values };
}
