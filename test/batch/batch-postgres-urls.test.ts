/**
 * PostgreSQL URLs in batch jobs, with a real redis-server, a real PostgreSQL
 * server and `mfrec worker` processes: a URL reaches the workers as a URL
 * (TRAIN and --test of batch evaluate and batch tune are read from the
 * database there too), and never with its password: jobs stay in Redis for
 * days, readable by whoever reaches it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn, writePlantedRatings } from '../helpers/cli.js';
import { postgresInstalled, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { redisInstalled, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { skipWithout } from '../helpers/system-servers.js';
import { batchRecommendArgs, listProblems, runMfrec, startWorker, stopWorkers, userIdsOf, writeBigModel, type Child } from './batch-processes.js';

const withoutServers = skipWithout(redisInstalled() && postgresInstalled());
/** The server trusts local logins: a password is accepted and ignored, as a worker's PGPASSWORD would supply it. */
const PASSWORD = 'hunter2-secret';

let redis: RedisServer;
let postgres: PostgresServer;
let dir: string;
let cli: ReturnType<typeof cliIn>;
const workers: Child[] = [];

/** The server's URL with a password, and `?table=`. */
function urlWithPassword(table: string): string {
  return `${postgres.url.replace('postgres@', `postgres:${PASSWORD}@`)}?table=${table}`;
}

async function sql(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** A CSV file of this folder (user,item,rating) as a table. */
async function tableFromCsv(table: string, file: string): Promise<void> {
  const rows = readFileSync(path.join(dir, file), 'utf8').trim().split('\n').slice(1);
  const values = rows.map((line) => {
    const [u, i, r] = line.split(',');
    return `('${u}', '${i}', ${Number(r)})`;
  });
  await sql(`drop table if exists ${table}; create table ${table} ("user" text, item text, rating real);
    insert into ${table} values ${values.join(', ')}`);
}

/** Every key and value Redis holds, as text: what anyone who reaches the queue can read. */
async function redisContents(): Promise<string> {
  const client = new Redis({ host: '127.0.0.1', port: redis.port });
  try {
    const parts: string[] = [];
    for (const key of await client.keys('*')) {
      parts.push(key);
      const type = await client.type(key);
      if (type === 'string') parts.push((await client.get(key)) ?? '');
      else if (type === 'hash') parts.push(JSON.stringify(await client.hgetall(key)));
      else if (type === 'list') parts.push(...(await client.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(...(await client.smembers(key)));
      else if (type === 'zset') parts.push(...(await client.zrange(key, 0, -1)));
      else if (type === 'stream') parts.push(JSON.stringify(await client.xrange(key, '-', '+')));
      else parts.push(`<${type}>`);
    }
    return parts.join('\n');
  } finally {
    client.disconnect();
  }
}

beforeAll(async () => {
  if (withoutServers) return;
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  dir = mkdtempSync(path.join(tmpdir(), 'mfrec-batch-pg-urls-'));
  cli = cliIn(dir);
  writePlantedRatings(path.join(dir, 'train.csv'), 11, 0.5);
  writePlantedRatings(path.join(dir, 'test.csv'), 12, 0.2);
  await tableFromCsv('ratings_train', 'train.csv');
  await tableFromCsv('ratings_test', 'test.csv');
  workers.push(...(await Promise.all([0, 1].map(() => startWorker(dir, redis.url, 'urls')))));
}, 120_000);

afterAll(async () => {
  await stopWorkers(workers);
  await redis?.stop();
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(withoutServers)('PostgreSQL URLs in batch jobs', () => {
  it('batch recommend --out with a password: the table is written, and no shard in Redis holds the password', async () => {
    const model = path.join(dir, 'model.mfrec');
    await writeBigModel(model, 300, 200, 64);
    const submit = runMfrec(
      dir,
      batchRecommendArgs({ model, k: 5, shards: 2, out: urlWithPassword('recs'), redis: redis.url, queue: 'urls' }, '--job-id', 'with-password'),
    );
    expect(await submit.exit, submit.stderr()).toBe(0);
    const rows = (await sql('select "user", item, rank from recs')).rows.map((r) => [r.user as string, r.item as string, String(r.rank)]);
    expect(listProblems(rows, await userIdsOf(model), 5)).toEqual([]);
    const contents = await redisContents();
    // The shards are there (the job's model path, its table): only the password is not.
    expect(contents).toContain(model);
    expect(contents).toContain('table=recs');
    expect(contents).not.toContain(PASSWORD);
  }, 120_000);

  it('batch evaluate with TRAIN and --test in PostgreSQL: workers read the tables (as evaluate does), never given the password', async () => {
    const seeded = ['--models', 'als,bpr', '--k', '5', '--seed', '3', '--threads', '1', '--json'];
    const train = urlWithPassword('ratings_train');
    const test = urlWithPassword('ratings_test');
    const batch = await cli('batch', 'evaluate', train, '--test', test, ...seeded, '--redis', redis.url, '--queue', 'urls', '--job-id', 'evaluate-pg');
    expect(batch.code, batch.stderr).toBe(0);
    // The same rows as from the CSV files the tables were loaded from.
    const files = await cli('batch', 'evaluate', 'train.csv', '--test', 'test.csv', ...seeded, '--redis', redis.url, '--queue', 'urls');
    expect(files.code, files.stderr).toBe(0);
    const strip = (rows: Array<{ fitSeconds: number | null }>) => rows.map(({ fitSeconds: _f, ...r }) => r);
    expect(strip(JSON.parse(batch.stdout).rows)).toEqual(strip(JSON.parse(files.stdout).rows));
    const contents = await redisContents();
    expect(contents).toContain('table=ratings_train');
    expect(contents).not.toContain(PASSWORD);
  }, 120_000);

  it('batch tune with TRAIN in PostgreSQL: the same trials as from the file, never given the password', async () => {
    const search = ['--model', 'als', '--budget', '2', '--strategy', 'random', '--space', '{"factors":{"min":2,"max":8},"iterations":4}'];
    const seeded = [...search, '--seed', '7', '--threads', '1', '--implicit', '--json', '--redis', redis.url, '--queue', 'urls'];
    const fromTable = await cli('batch', 'tune', urlWithPassword('ratings_train'), ...seeded, '--trials', 'pg-trials.json', '--job-id', 'tune-pg');
    expect(fromTable.code, fromTable.stderr).toBe(0);
    const fromFile = await cli('batch', 'tune', 'train.csv', ...seeded, '--trials', 'file-trials.json');
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const scores = (file: string) =>
      JSON.parse(readFileSync(path.join(dir, file), 'utf8')).trials.map((t: { score: number; params: unknown }) => [t.score, t.params]);
    expect(scores('pg-trials.json')).toEqual(scores('file-trials.json'));
    const contents = await redisContents();
    expect(contents).toContain('table=ratings_train');
    expect(contents).not.toContain(PASSWORD);
  }, 120_000);
});
