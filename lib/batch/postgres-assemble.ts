/**
 * The last step of a recommend job written to PostgreSQL: the shards' tables
 * (each written whole by its worker) become the target table in one
 * transaction: copied into a staging table, checked against the row count
 * the workers reported, indexed, swapped in by a rename, and dropped. Until
 * the commit readers keep the previous table; a failure or a killed
 * submitter rolls back and leaves it in place, with the shard tables kept
 * for a rerun to replace.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { connect, databaseError, MAX_IDENTIFIER_BYTES, parsePostgresUrl, quoteIdent, tableName } from '../db/connection.js';
import { STAGING_SUFFIX } from '../db/postgres-sink.js';

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
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw databaseError(target, 'write to', e);
  } finally {
    await client.end().catch(() => undefined);
  }
}
