import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { TableInfo } from '../model';
import { quoteIdent, quoteLiteral, quoteTable } from './introspect';

// Connections, COPY in and out, truncation and sequences: the I/O of the PostgreSQL driver.

/** A connection with settings that make text output stable: ISO dates, UTC, exact floats. */
export async function connect(
  url: string,
  applicationName = 'understudy-seed',
  stream?: () => Socket,
): Promise<Client> {
  const client = new Client({
    connectionString: url,
    application_name: applicationName,
    ...(stream ? { stream } : {}),
  });
  // A connection reset (pg_terminate_backend, a restarted server) is emitted as 'error'; with no
  // listener Node ends the process — the operator's, for an Inline seed. The pending or next query
  // rejects with the same error, which is where the seed fails.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  await client.query(
    "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET extra_float_digits = 1; SET IntervalStyle = 'postgres'",
  );
  return client;
}

/**
 * Streams COPY-text chunks into a table. Each chunk holds many rows, and the
 * pipeline waits for the socket to drain, so memory stays bounded.
 */
export async function copyIn(
  client: Client,
  table: TableInfo,
  columns: string[],
  chunks: AsyncIterable<string | Buffer>,
  signal?: AbortSignal,
): Promise<void> {
  const sql = `COPY ${quoteTable(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`;
  const sink = client.query(copyFrom(sql));
  await pipeline(Readable.from(chunks, { objectMode: false, highWaterMark: 1 << 20 }), sink, signal ? { signal } : {});
}

/** Streams the result of a query as COPY-text chunks, untouched (rows may span chunks). */
export async function* copyOutChunks(client: Client, query: string): AsyncGenerator<Buffer> {
  for await (const chunk of client.query(copyTo(`COPY (${query}) TO STDOUT`)) as AsyncIterable<Buffer>) yield chunk;
}

/** Streams the result of a query as batches of raw COPY-text lines (fields still escaped). */
export async function* copyOutLines(client: Client, query: string, linesPerBatch: number): AsyncGenerator<string[]> {
  const source = client.query(copyTo(`COPY (${query}) TO STDOUT`));
  let pending: Buffer | undefined;
  let batch: string[] = [];
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    const lastNewline = buf.lastIndexOf(10);
    if (lastNewline < 0) {
      pending = buf;
      continue;
    }
    // Rows end with a raw newline (newlines inside values are escaped), so cutting there never splits a character.
    const lines = buf.toString('utf8', 0, lastNewline).split('\n');
    pending = lastNewline + 1 < buf.length ? buf.subarray(lastNewline + 1) : undefined;
    for (const line of lines) batch.push(line);
    if (batch.length >= linesPerBatch) {
      yield batch;
      batch = [];
    }
  }
  if (pending && pending.length > 0) batch.push(pending.toString('utf8').replace(/\n$/, ''));
  if (batch.length > 0) yield batch;
}

/** Empties the tables in one statement; refuses (rather than cascades) when an unseeded table references them. */
export async function truncate(client: Client, tables: TableInfo[]): Promise<void> {
  if (tables.length === 0) return;
  await client.query(`TRUNCATE ${tables.map(quoteTable).join(', ')}`);
}

/** Moves every sequence feeding the tables past the largest value loaded, so the application's inserts succeed. */
export async function resetSequences(client: Client, table: TableInfo): Promise<void> {
  for (const column of table.columns) {
    if (!column.sequence) continue;
    await client.query(
      `SELECT setval($1::regclass, coalesce((SELECT max(${quoteIdent(column.name)}) FROM ${quoteTable(table)}), 0) + 1, false)`,
      [column.sequence],
    );
  }
}

/**
 * The record an emptied target carries (onFailure: Empty), run in the transaction that empties it,
 * so the tables are empty exactly when `understudy.seed_runs` says why. The table exists: the seed's
 * run marker created it; if it could not, this fails and the target stays as it was.
 */
export function emptiedRecordSql(description: string, message: string): string {
  return `INSERT INTO understudy.seed_runs (status, description, message, finished_at) VALUES ('Emptied', ${quoteLiteral(description)}, ${quoteLiteral(message)}, now())`;
}
