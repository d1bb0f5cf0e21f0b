/**
 * The last step of a recommend job written to PostgreSQL: the shards' tables
 * (each written whole by its worker) become the target table in one
 * transaction: copied into a staging table, checked against the row count
 * the workers reported, indexed, swapped in by a rename, and dropped (with
 * any an earlier job with another shard count left). Until
 * the commit readers keep the previous table; a failure or a killed
 * submitter rolls back and leaves it in place, with the shard tables kept
 * for a rerun to replace.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type pg from 'pg';
import { connect, databaseError, MAX_IDENTIFIER_BYTES, parsePostgresUrl, quoteIdent, tableName, type TableName } from '../db/connection.js';
import { STAGING_SUFFIX } from '../db/postgres-sink.js';

/**
 * Shard tables of `t` left by an earlier job that split the users otherwise
 * (it failed before its swap): no rerun would ever replace them. This job's
 * own were just dropped, so every one still there is such a leftover.
 */
async function dropOtherShardTables(client: pg.Client, t: TableName, schema: string): Promise<void> {
  const pattern = `^${t.name.replace(/\$/g, '\\$')}__part[0-9]+of[0-9]+$`;
  const { rows } = await client.query<{ name: string }>(
    'SELECT tablename AS name FROM pg_tables WHERE schemaname = coalesce($1, current_schema()) AND tablename ~ $2',
    [t.schema ?? null, pattern],
  );
  for (const { name } of rows) await client.query(`DROP TABLE ${schema}${quoteIdent(name)}`);
}

export async function assembleShardTables(url: string, table: string, shards: readonly string[], expectedRows: number): Promise<void> {
  const target = parsePostgresUrl(url);
  const t = tableName(table, 'table');
  const schema = t.schema ? `${quoteIdent(t.schema)}.` : '';
  const staging = `${schema}${quoteIdent(t.name + STAGING_SUFFIX)}`;
  const parts = shards.map((s) => tableName(s, 'shard table').sql);
  const first = 'user';
  const client = await connect(target, 'write to');
  try {
    await client.query('BEGIN');
    // The same lock as every writer of this table (postgres-sink.ts): two jobs take turns.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mfrec:${t.schema ?? ''}.${t.name}`]);
    await client.query(`DROP TABLE IF EXISTS ${staging}`);
    await client.query(`CREATE TABLE ${staging} (LIKE ${parts[0]!})`);
    for (const part of parts) await client.query(`INSERT INTO ${staging} SELECT * FROM ${part}`);
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${staging}`);
    const got = Number(rows[0]!.n);
    if (got !== expectedRows) {
      throw new MfrecError(ErrorCodes.IO, `The shard tables of ${t.name} hold ${got} rows, the workers wrote ${expectedRows}: not swapped in`);
    }
    const index = `${t.name}_${first}_idx`.slice(0, MAX_IDENTIFIER_BYTES);
    await client.query(`DROP TABLE IF EXISTS ${t.sql}`);
    await client.query(`ALTER TABLE ${staging} RENAME TO ${quoteIdent(t.name)}`);
    await client.query(`CREATE INDEX ${quoteIdent(index)} ON ${t.sql} (${quoteIdent(first)})`);
    for (const part of parts) await client.query(`DROP TABLE ${part}`);
    await dropOtherShardTables(client, t, schema);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw databaseError(target, 'write to', e);
  } finally {
    await client.end().catch(() => undefined);
  }
}
