/**
 * Reading interactions from and writing result tables to a real PostgreSQL
 * server that the test starts itself (test/helpers/postgres-server.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, MfrecError, readInteractions, readInteractionsFromPostgres, type ReadOptions, type ReadResult } from '../../lib/index.js';
import { cliIn } from '../helpers/cli.js';
import { postgresInstalled, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { skipWithout } from '../helpers/system-servers.js';

/** Without PostgreSQL's server (apt-get install postgresql), these tests are skipped, except in CI. */
const withoutPostgres = skipWithout(postgresInstalled());

let server: PostgresServer;
let dir: string;
let cli: ReturnType<typeof cliIn>;
const bin = path.resolve(__dirname, '..', '..', 'bin', 'mfrec.js');

async function sql(text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** Loads CSV text (with a header) into a new table by COPY. */
async function loadTable(table: string, columns: string, csv: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${columns})`);
    const copy = client.query(copyFrom(`COPY ${table} FROM STDIN WITH (FORMAT csv, HEADER true)`));
    await new Promise<void>((resolve, reject) => {
      copy.on('error', reject);
      copy.on('finish', resolve);
      copy.end(csv);
    });
  } finally {
    await client.end();
  }
}

/** Seeded integers in [0, n) (mulberry32). */
function randomInts(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n) | 0;
  };
}

/** Shop orders: customers, SKUs, quantities and times, with repeated (customer, sku) pairs. */
function orderLines(rows: number, seed: number): string {
  const rand = randomInts(seed);
  const lines = ['customer_id,sku,qty,ordered_at'];
  for (let r = 0; r < rows; r++) {
    const minute = rand(60 * 24 * 30);
    const at = new Date(Date.UTC(2010, 11, 1) + minute * 60_000).toISOString().replace('T', ' ').replace('.000Z', '+00');
    lines.push(`C${rand(300)},SKU-${rand(150)},${1 + rand(12)},${at}`);
  }
  return lines.join('\n') + '\n';
}

/** Everything a read gives, in plain arrays, to compare two reads. */
function contents(r: ReadResult) {
  const d = r.interactions;
  return {
    users: d.users.toArray(),
    items: d.items.toArray(),
    indptr: [...d.byUser.indptr],
    indices: [...d.byUser.indices],
    values: [...d.byUser.values],
    lines: r.lines,
    skipped: r.skipped,
    badLines: r.badLines,
    aggregate: r.aggregate,
    columns: r.format.columns,
  };
}

const ORDERS = orderLines(5000, 7);
const ORDER_COLUMNS = 'customer_id text, sku text, qty numeric, ordered_at timestamptz';

beforeAll(async () => {
  if (withoutPostgres) return;
  server = await startPostgres();
  dir = mkdtempSync(path.join(tmpdir(), 'mfrec-pg-test-'));
  cli = cliIn(dir);
  writeFileSync(path.join(dir, 'orders.csv'), ORDERS);
  await loadTable('order_lines', ORDER_COLUMNS, ORDERS);
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(withoutPostgres)('readInteractionsFromPostgres', () => {
  it('reads a query as readInteractions reads the same rows from a CSV file', async () => {
    const file = await readInteractions(path.join(dir, 'orders.csv'));
    const db = await readInteractionsFromPostgres(server.url, { query: 'select customer_id, sku, qty, ordered_at from order_lines;' });
    expect(contents(db)).toEqual(contents(file));
    expect(db.interactions.nnz).toBeGreaterThan(1000);
    expect(db.aggregate).toBe('sum'); // qty is a count
    expect(db.format.columns.time).not.toBeNull(); // timestamptz read as dates
  });

  it('reads a table, whole or by named columns, as the CSV file', async () => {
    const file = contents(await readInteractions(path.join(dir, 'orders.csv')));
    expect(contents(await readInteractionsFromPostgres(server.url, { table: 'order_lines' }))).toEqual(file);
    expect(contents(await readInteractionsFromPostgres(`${server.url}?table=order_lines`, undefined))).toEqual(file);
    const named = await readInteractionsFromPostgres(server.url, {
      table: 'order_lines',
      userCol: 'customer_id',
      itemCol: 'sku',
      valueCol: 'qty',
      timeCol: 'ordered_at',
    });
    const fromFile = await readInteractions(path.join(dir, 'orders.csv'), { userCol: 'customer_id', itemCol: 'sku', valueCol: 'qty', timeCol: 'ordered_at' });
    expect(contents(named)).toEqual(contents(fromFile));
    // Without a value column every row counts 1, as a file read with valueCol: null.
    const implicit = await readInteractionsFromPostgres(server.url, { table: 'order_lines', userCol: 'customer_id', itemCol: 'sku' });
    const implicitFile = await readInteractions(path.join(dir, 'orders.csv'), { valueCol: null, timeCol: null });
    expect([...implicit.interactions.byUser.values]).toEqual([...implicitFile.interactions.byUser.values]);
  });

  it('reports a bad row as the file reader does: its line number and its values', async () => {
    const lines = ORDERS.split('\n');
    lines[57] = 'C5,SKU-9,a dozen,2010-12-03 10:00:00+00';
    const bad = lines.join('\n');
    writeFileSync(path.join(dir, 'bad.csv'), bad);
    await loadTable('bad_lines', 'customer_id text, sku text, qty text, ordered_at timestamptz', bad);
    const fileError = await readInteractions(path.join(dir, 'bad.csv')).catch((e: unknown) => e as MfrecError);
    const dbError = await readInteractionsFromPostgres(server.url, { table: 'bad_lines' }).catch((e: unknown) => e as MfrecError);
    expect(dbError).toBeInstanceOf(MfrecError);
    expect(dbError.code).toBe(ErrorCodes.PARSE);
    expect(dbError.code).toBe(fileError.code);
    expect(dbError.message).toContain(':58:');
    expect(dbError.message).toContain('a dozen');
    const source = `${server.url} (table bad_lines)`;
    expect(dbError.message.replace(source, 'SRC')).toBe(fileError.message.replace(path.join(dir, 'bad.csv'), 'SRC'));
    const skip: ReadOptions = { onBadLine: 'skip' };
    const skipped = await readInteractionsFromPostgres(server.url, { query: 'select * from bad_lines' }, skip);
    const skippedFile = await readInteractions(path.join(dir, 'bad.csv'), skip);
    expect(skipped.skipped).toBe(1);
    expect(contents(skipped)).toEqual(contents(skippedFile));
  });

  it('turns bad SQL, a missing table and no server into one-line typed errors without the password', async () => {
    const withPassword = server.url.replace('postgres@', 'postgres:s3cret-pw@');
    const cases: Array<[string, Parameters<typeof readInteractionsFromPostgres>[1], string]> = [
      [withPassword, { query: 'selec customer_id from order_lines' }, ErrorCodes.INVALID_ARGUMENT],
      [withPassword, { query: 'select customer_id, nope from order_lines' }, ErrorCodes.INVALID_ARGUMENT],
      [withPassword, { table: 'no_such_table' }, ErrorCodes.INVALID_ARGUMENT],
      [withPassword.replace(`:${server.port}/`, ':1/'), { table: 'order_lines' }, ErrorCodes.IO],
      [withPassword.replace('/postgres', '/no_such_db'), { table: 'order_lines' }, ErrorCodes.IO],
      [withPassword, { table: 'drop table x; --' }, ErrorCodes.INVALID_ARGUMENT],
    ];
    for (const [url, source, code] of cases) {
      const e = await readInteractionsFromPostgres(url, source).catch((err: unknown) => err as MfrecError);
      expect(e, JSON.stringify(source)).toBeInstanceOf(MfrecError);
      expect(e.code, e.message).toBe(code);
      expect(e.message).not.toContain('s3cret');
      expect(e.message).not.toContain('\n');
    }
    const e = await readInteractionsFromPostgres(withPassword, { table: 'no_such_table' }).catch((err: unknown) => err as MfrecError);
    expect(e.message).toContain(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
    expect(e.message).toContain('no_such_table');
  });
});

/** Rows of a result table, sorted, as `user,item,rank` lines. */
async function tableRows(table: string, columns = 'user, item, rank'): Promise<string[]> {
  const quoted = columns
    .split(', ')
    .map((c) => `"${c}"`)
    .join(', ');
  const r = await sql(`SELECT ${quoted} FROM ${table}`);
  return r.rows.map((row: Record<string, unknown>) => Object.values(row).join(',')).sort();
}

describe.skipIf(withoutPostgres)('the CLI with PostgreSQL', () => {
  it('trains from a query and writes recommend --all and similar into tables: one complete list per user', async () => {
    const train = await cli(
      'train',
      server.url,
      '--query',
      'select customer_id, sku, qty, ordered_at from order_lines',
      '--model',
      'als',
      '--out',
      'orders.mfrec',
      '--quiet',
      '--iterations',
      '3',
    );
    expect(train.code).toBe(0);
    const fromFile = await cli('train', 'orders.csv', '--model', 'als', '--out', 'orders-file.mfrec', '--quiet', '--iterations', '3');
    expect(fromFile.code).toBe(0);
    // The same notes (here: repeated pairs summed), naming the query instead of the file.
    expect(train.stderr).toContain('line(s) repeat an earlier (user, item) pair');
    expect(train.stderr.replace(`${server.url} (query)`, 'SRC')).toBe(fromFile.stderr.replace('orders.csv', 'SRC'));

    const rec = await cli('recommend', '--model-file', 'orders.mfrec', '--all', '--k', '4', '--out', `${server.url}?table=recs`);
    expect(rec.stderr).toBe('');
    expect(rec.code).toBe(0);
    // The model trained from the file recommends the same lists.
    const csv = await cli('recommend', '--model-file', 'orders-file.mfrec', '--all', '--k', '4', '--out', 'recs.csv');
    expect(csv.code).toBe(0);
    const fileRows = readFileSync(path.join(dir, 'recs.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 3).join(','))
      .sort();
    expect(await tableRows('recs')).toEqual(fileRows);
    const perUser = await sql('SELECT "user", count(*)::int AS n, min(rank) AS lo, max(rank) AS hi FROM recs GROUP BY "user"');
    const customers = await sql('SELECT count(DISTINCT customer_id)::int AS n FROM order_lines');
    expect(customers.rows[0].n).toBeGreaterThan(290);
    expect(perUser.rows.length).toBe(customers.rows[0].n);
    for (const row of perUser.rows) expect([row.n, row.lo, row.hi]).toEqual([4, 1, 4]);
    const types = await sql("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'recs' ORDER BY ordinal_position");
    expect(types.rows.map((r: Record<string, string>) => `${r.column_name}:${r.data_type}`)).toEqual([
      'user:text',
      'item:text',
      'rank:integer',
      'score:real',
      'source:text',
    ]);

    const similar = await cli(
      'similar',
      '--model-file',
      'orders.mfrec',
      '--item',
      'SKU-1',
      'SKU-2',
      '--k',
      '3',
      '--out',
      `${server.url}?table=public.similar_items`,
    );
    expect(similar.stderr).toBe('');
    const similarCsv = await cli('similar', '--model-file', 'orders.mfrec', '--item', 'SKU-1', 'SKU-2', '--k', '3');
    const expected = similarCsv.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 3).join(','))
      .sort();
    expect(await tableRows('similar_items', 'item, similar, rank')).toEqual(expected);
    // A rerun replaces the table (no duplicates, no leftover staging table).
    await cli('similar', '--model-file', 'orders.mfrec', '--item', 'SKU-1', '--k', '3', '--out', `${server.url}?table=similar_items`);
    expect((await tableRows('similar_items', 'item, similar, rank')).length).toBe(3);
    const tables = await sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    expect(tables.rows.map((r: Record<string, string>) => r.tablename)).toEqual(['bad_lines', 'order_lines', 'recs', 'similar_items']);
  });

  it('prints one-line typed errors naming the URL without its password', async () => {
    const withPassword = server.url.replace('postgres@', 'postgres:s3cret-pw@');
    const badSql = await cli('train', withPassword, '--query', 'select nope from order_lines', '--model', 'als', '--out', 'x.mfrec');
    expect(badSql.code).toBe(1);
    expect(badSql.stderr).toMatch(
      /^mfrec: Cannot read from postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres: column "nope" does not exist .*\[ERR_MFREC_INVALID_ARGUMENT\]\n$/,
    );
    const noServer = await cli('recommend', '--model-file', 'orders.mfrec', '--all', '--out', `${withPassword.replace(`:${server.port}/`, ':1/')}?table=recs`);
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/^mfrec: Cannot write to postgres:\/\/postgres@127\.0\.0\.1:1\/postgres\?table=recs: .*\[ERR_MFREC_IO\]\n$/);
    const noTable = await cli('recommend', '--model-file', 'orders.mfrec', '--all', '--out', withPassword);
    expect(noTable.stderr).toMatch(/add \?table=NAME.*\[ERR_MFREC_INVALID_ARGUMENT\]\n$/);
    const missing = await cli('train', withPassword, '--table', 'no_such_table', '--model', 'als', '--out', 'x.mfrec');
    expect(missing.stderr).toMatch(/relation "no_such_table" does not exist.*\[ERR_MFREC_INVALID_ARGUMENT\]\n$/);
    const notUrl = await cli('train', 'orders.csv', '--query', 'select 1', '--model', 'als', '--out', 'x.mfrec');
    expect(notUrl.stderr).toMatch(/--query applies to a postgres:\/\/ input only/);
    // Commands that read or write files only never print a URL's password either.
    const predict = await cli('recommend', '--model-file', 'orders.mfrec', '--history', withPassword);
    expect(predict.code).toBe(1);
    expect(predict.stderr).toContain(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
    const modelOut = await cli('train', 'orders.csv', '--model', 'als', '--out', `${withPassword}/m.mfrec`);
    expect(modelOut.code).toBe(1);
    for (const r of [badSql, noServer, noTable, missing, notUrl, predict, modelOut]) {
      expect(r.stderr).not.toContain('s3cret');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe.skipIf(withoutPostgres)('the swap into place', () => {
  const USERS = 6000;
  /** Rows `recommend --all --k K` gives on this model (a user may get fewer than K). */
  const rowsFor = async (k: number) => {
    const r = await cli('recommend', '--model-file', 'big.mfrec', '--all', '--k', String(k), '--out', `big-${k}.csv`);
    expect(r.code).toBe(0);
    return (
      readFileSync(path.join(dir, `big-${k}.csv`), 'utf8')
        .trim()
        .split('\n').length - 1
    );
  };
  beforeAll(async () => {
    // Enough users for a COPY that lasts long enough to be watched and killed.
    const lines = ['user,item'];
    const rand = randomInts(3);
    for (let u = 0; u < USERS; u++) for (let j = 0; j < 8; j++) lines.push(`u${u},i${rand(800)}`);
    writeFileSync(path.join(dir, 'big.csv'), lines.join('\n') + '\n');
    const train = await cli('train', 'big.csv', '--model', 'als', '--out', 'big.mfrec', '--quiet', '--iterations', '2');
    expect(train.code).toBe(0);
    const first = await cli('recommend', '--model-file', 'big.mfrec', '--all', '--k', '5', '--out', `${server.url}?table=big_recs`);
    expect(first.stderr).toBe('');
  });

  it('a reader polling the table during a write sees the old table or the new one, never a part', async () => {
    const seen = new Set<number>();
    const reader = new pg.Client({ connectionString: server.url });
    await reader.connect();
    const job = cli('recommend', '--model-file', 'big.mfrec', '--all', '--k', '60', '--out', `${server.url}?table=big_recs`);
    let done = false;
    void job.then(() => (done = true));
    let polls = 0;
    while (!done) {
      const r = await reader.query('SELECT count(*)::int AS n FROM big_recs');
      seen.add(r.rows[0].n);
      polls++;
    }
    seen.add((await reader.query('SELECT count(*)::int AS n FROM big_recs')).rows[0].n);
    await reader.end();
    const result = await job;
    expect(result.stderr).toBe('');
    expect(polls).toBeGreaterThan(3);
    expect([...seen].sort((a, b) => a - b)).toEqual([await rowsFor(5), await rowsFor(60)]);
  });

  it('a job killed mid-COPY leaves the previous table whole and no staging table; a rerun works', async () => {
    const before = await tableRows('big_recs');
    const child = spawn(process.execPath, [bin, 'recommend', '--model-file', 'big.mfrec', '--all', '--k', '200', '--out', `${server.url}?table=big_recs`], {
      cwd: dir,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Kill it once the server has taken some of its rows.
    let copied = 0;
    for (let i = 0; i < 2000 && copied === 0; i++) {
      const r = await sql("SELECT coalesce(max(tuples_processed), 0)::int AS n FROM pg_stat_progress_copy WHERE command = 'COPY FROM'");
      copied = r.rows[0].n;
      if (copied === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(copied).toBeGreaterThan(0);
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    // The server rolls the job's transaction back once it notices the connection is gone.
    for (let i = 0; i < 500; i++) {
      const r = await sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'mfrec'");
      if (r.rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await tableRows('big_recs')).toEqual(before);
    const staging = await sql("SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE '%mfrec_staging%'");
    expect(staging.rows[0].n).toBe(0);
    const rerun = await cli('recommend', '--model-file', 'big.mfrec', '--all', '--k', '7', '--out', `${server.url}?table=big_recs`);
    expect(rerun.stderr).toBe('');
    expect((await sql('SELECT count(*)::int AS n FROM big_recs')).rows[0].n).toBe(await rowsFor(7));
  });
});

describe.skipIf(withoutPostgres)('connection and table name limits', () => {
  it('gives up on a server that never answers after connect_timeout, with a typed error', async () => {
    // A listening socket that accepts and never speaks: the client waits for the server's first reply.
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const e = await readInteractionsFromPostgres(`postgres://u:pw@127.0.0.1:${port}/db?connect_timeout=1`, { table: 't' }).catch(
        (err: unknown) => err as MfrecError,
      );
      expect(e).toBeInstanceOf(MfrecError);
      expect(e.code).toBe(ErrorCodes.IO);
      expect(e.message).toContain(`postgres://u@127.0.0.1:${port}/db?connect_timeout=1`);
      expect(e.message).not.toContain('pw');
    } finally {
      silent.close();
    }
  });

  it('refuses a table name whose staging names PostgreSQL would cut, and writes the longest allowed', async () => {
    const { PostgresTableWriter } = await import('../../lib/index.js');
    const columns = [{ name: 'user', type: 'text' as const }];
    const tooLong = 'a'.repeat(47);
    const e = await PostgresTableWriter.open(`${server.url}?table=${tooLong}`, columns).catch((err: unknown) => err as MfrecError);
    expect(e.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(e.message).toContain('at most 46 bytes');
    const longest = 'b'.repeat(46);
    for (const value of ['first', 'second']) {
      const writer = await PostgresTableWriter.open(`${server.url}?table=${longest}`, columns);
      await writer.row([value]);
      await writer.commit();
    }
    expect((await sql(`SELECT "user" FROM ${longest}`)).rows).toEqual([{ user: 'second' }]);
  });
});
