/**
 * Reads interactions straight from PostgreSQL: the rows of a query (or of a
 * table's columns) are streamed as CSV with `COPY (…) TO STDOUT`, a chunk at
 * a time with back-pressure, into readInteractions' own parser: the same
 * validation, id mapping, aggregation and bad-row reporting as a file, and
 * memory that grows with the interactions kept, never with the result's size.
 */
import { Readable } from 'node:stream';
import { fromStream } from '../data/byte-source.js';
import type { ReadOptions, ReadResult } from '../data/read-delimited.js';
import { readByteSource } from '../data/read-source.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid, knownOptions } from '../validate.js';
import { connect, databaseError, parsePostgresUrl, quoteIdent, tableName, type PostgresTarget } from './connection.js';

/** The rows to read: a query, or a table (all its columns, or the ones named). */
export type PostgresSource = { query: string } | { table: string; userCol?: string; itemCol?: string; valueCol?: string; timeCol?: string };

/**
 * Reads interactions from PostgreSQL. `url` is a connection URL
 * (`postgres://user:password@host:port/database`; a `?table=` parameter may
 * name the table instead of `source`). The rows come as CSV with a header
 * line named after the result's columns, so the columns are found as in a
 * file (customer_id, sku, qty, ordered_at...) or by `userCol`/`itemCol`/...
 * in `options`; with `{ table, userCol, itemCol }` only those columns are
 * read (no value column: every row counts 1). A bad row is reported as in a
 * file, by its line in that CSV: row r of the result is line r + 1.
 * Timestamps and dates are read in UTC.
 *
 * @throws MfrecError `ERR_MFREC_IO` (no server, refused login, lost
 *   connection), `ERR_MFREC_INVALID_ARGUMENT` (bad SQL, a missing table or
 *   column, a bad URL), plus readInteractions' errors; every message names
 *   the URL without its password.
 */
export async function readInteractionsFromPostgres(url: string, source: PostgresSource | undefined, options?: ReadOptions): Promise<ReadResult> {
  const target = parsePostgresUrl(url);
  const { sql, label, columns } = copySql(target, source);
  const name = `${target.shown} (${label})`;
  // CSV with a header, whatever the caller guessed: that is what COPY writes.
  const readOptions: ReadOptions = { ...options, ...columns, delimiter: ',', header: true };
  let client: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    return await readByteSource(
      'readInteractionsFromPostgres',
      async () => {
        client = await connect(target, 'read from');
        const { to: copyTo } = await import('pg-copy-streams');
        return fromStream(name, Readable.from(copyChunks(target, client.query(copyTo(sql)))));
      },
      name,
      readOptions,
    );
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/** The COPY stream's chunks, its failures turned into one typed line. */
async function* copyChunks(target: PostgresTarget, stream: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (e) {
    throw databaseError(target, 'read from', e);
  } finally {
    stream.destroy();
  }
}

function copySql(target: PostgresTarget, source: PostgresSource | undefined): { sql: string; label: string; columns: Partial<ReadOptions> } {
  const given = source === undefined ? (target.table !== undefined ? { table: target.table } : undefined) : source;
  if (given === null || typeof given !== 'object') {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Give a query or a table to read from ${target.shown} ({ query } or { table }, or ?table= in the URL)`);
  }
  if ('query' in given) {
    knownOptions('readInteractionsFromPostgres source', given, ['query']);
    // A trailing semicolon is common in pasted SQL and not allowed inside COPY (…).
    const query = typeof given.query === 'string' ? given.query.trim().replace(/;+\s*$/, '') : '';
    if (query === '') throw invalid('a non-empty SQL query', 'query', given.query);
    return { sql: `COPY (${query}) TO STDOUT WITH (FORMAT csv, HEADER true)`, label: 'query', columns: {} };
  }
  const o = knownOptions('readInteractionsFromPostgres source', given, ['table', 'userCol', 'itemCol', 'valueCol', 'timeCol']) as Record<
    string,
    string | undefined
  >;
  const table = tableName(o.table, 'table');
  const named = (['userCol', 'itemCol', 'valueCol', 'timeCol'] as const).filter((k) => o[k] !== undefined);
  for (const k of named) if (typeof o[k] !== 'string' || o[k] === '') throw invalid('a column name', k, o[k]);
  if (named.length === 0) return { sql: `COPY ${table.sql} TO STDOUT WITH (FORMAT csv, HEADER true)`, label: `table ${o.table}`, columns: {} };
  if (o.userCol === undefined || o.itemCol === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'Reading columns of a table needs both userCol and itemCol');
  }
  const picked = [o.userCol, o.itemCol, o.valueCol, o.timeCol].filter((c): c is string => c !== undefined);
  return {
    sql: `COPY (SELECT ${picked.map(quoteIdent).join(', ')} FROM ${table.sql}) TO STDOUT WITH (FORMAT csv, HEADER true)`,
    label: `table ${o.table}`,
    columns: { userCol: o.userCol, itemCol: o.itemCol, valueCol: o.valueCol ?? null, timeCol: o.timeCol ?? null },
  };
}
