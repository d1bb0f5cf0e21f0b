/**
 * Writes a result table (recommendations, similar items) into PostgreSQL so
 * that the site's readers never see it half-written: in one transaction, the
 * rows are streamed with `COPY … FROM STDIN` into a staging table, which then
 * replaces the target by a rename. Until the commit nobody else sees the
 * staging table, and a failed or killed job (its connection gone) rolls back
 * whole: the previous table stays as it was, and no staging table is left.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { ErrorCodes, MfrecError } from '../errors.js';
import { connect, databaseError, MAX_IDENTIFIER_BYTES, parsePostgresUrl, quoteIdent, tableName, type PostgresTarget, type TableName } from './connection.js';

export interface TableColumn {
  name: string;
  /** SQL type: text, integer, real... */
  type: 'text' | 'integer' | 'real' | 'double precision' | 'bigint';
}

/** Suffix of the staging table: predictable, so a rerun drops what a crashed server may have kept. */
export const STAGING_SUFFIX = '__mfrec_staging';
/** Rows are sent in pieces of about this many bytes. */
const FLUSH_BYTES = 1 << 16;

/** A CSV field as COPY … (FORMAT csv) reads it: quoted when it holds a comma, quote, line break or blanks at its ends, or is empty. */
function copyField(v: string | number): string {
  const s = String(v);
  return s === '' || /[",\r\n\\]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One table written atomically: `open()`, `row()` for every row, then
 * `commit()` (or `abort()`). With the CLI sinks' interface: row() resolves
 * when the connection can take more.
 */
export class PostgresTableWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  rows = 0;

  private constructor(
    private readonly target: PostgresTarget,
    private readonly table: TableName,
    private readonly client: pg.Client,
    private readonly copy: Writable,
    private readonly columns: readonly TableColumn[],
  ) {}

  /**
   * Connects, takes the table's writer lock (two jobs writing the same
   * table take turns), creates the staging table and starts the COPY.
   * `url` may carry the table as `?table=`; `table` overrides it.
   */
  static async open(url: string, columns: readonly TableColumn[], table?: string): Promise<PostgresTableWriter> {
    const target = parsePostgresUrl(url);
    const name = table ?? target.table;
    if (name === undefined) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Name the table to write in ${target.shown}: add ?table=NAME to the URL`);
    }
    const t = tableName(name, 'table');
    // The staging table's index is the longest name derived from the table's; PostgreSQL would cut it.
    const room = MAX_IDENTIFIER_BYTES - Buffer.byteLength(stagingIndexName(t)) + Buffer.byteLength(t.name);
    if (Buffer.byteLength(t.name) > room) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Table name '${name}' is too long: at most ${room} bytes`);
    }
    const client = await connect(target, 'write to');
    const { from: copyFrom } = await import('pg-copy-streams');
    try {
      const staging = stagingOf(t);
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mfrec:${t.schema ?? ''}.${t.name}`]);
      await client.query(`DROP TABLE IF EXISTS ${staging}`);
      await client.query(`CREATE TABLE ${staging} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
      const copy = client.query(copyFrom(`COPY ${staging} FROM STDIN WITH (FORMAT csv)`));
      const writer = new PostgresTableWriter(target, t, client, copy, columns);
      copy.on('error', (e) => (writer.failure ??= e));
      return writer;
    } catch (e) {
      await client.end().catch(() => undefined);
      throw databaseError(target, 'write to', e);
    }
  }

  private failure: unknown;

  /** Adds a row (fields in the columns' order). */
  row(fields: Array<string | number>): Promise<void> | void {
    if (this.failure !== undefined) throw databaseError(this.target, 'write to', this.failure);
    const line = fields.map(copyField).join(',') + '\n';
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.rows++;
    if (this.pendingBytes >= FLUSH_BYTES) return this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.copy.write(chunk)) {
      try {
        await once(this.copy, 'drain');
      } catch (e) {
        throw databaseError(this.target, 'write to', e);
      }
    }
  }

  /** Ends the COPY, indexes the first column, and swaps the staging table in: one commit. */
  async commit(): Promise<void> {
    const { client, table } = this;
    try {
      await this.flush();
      const done = once(this.copy, 'finish');
      this.copy.end();
      await done;
      if (this.failure !== undefined) throw this.failure;
      const staging = stagingOf(table);
      const first = this.columns[0]!.name;
      await client.query(`CREATE INDEX ${quoteIdent(stagingIndexName(table))} ON ${staging} (${quoteIdent(first)})`);
      // Readers keep the previous table until the commit; the swap holds its lock only for the renames.
      await client.query(`DROP TABLE IF EXISTS ${table.sql}`);
      await client.query(`ALTER TABLE ${staging} RENAME TO ${quoteIdent(table.name)}`);
      const index = `${table.name}_${first}_idx`.slice(0, MAX_IDENTIFIER_BYTES);
      await client.query(`ALTER INDEX ${schemaPrefix(table)}${quoteIdent(stagingIndexName(table))} RENAME TO ${quoteIdent(index)}`);
      await client.query('COMMIT');
    } catch (e) {
      await this.abort();
      throw databaseError(this.target, 'write to', e);
    }
    await client.end().catch(() => undefined);
  }

  /** Rolls back: the previous table stays, the staging table goes. */
  async abort(): Promise<void> {
    this.copy.destroy();
    // Closing the connection rolls the open transaction back on the server.
    await this.client.end().catch(() => undefined);
  }
}

function stagingName(t: TableName): string {
  return t.name + STAGING_SUFFIX;
}

function stagingIndexName(t: TableName): string {
  return stagingName(t) + '_i';
}

function schemaPrefix(t: TableName): string {
  return t.schema ? `${quoteIdent(t.schema)}.` : '';
}

function stagingOf(t: TableName): string {
  return schemaPrefix(t) + quoteIdent(stagingName(t));
}
