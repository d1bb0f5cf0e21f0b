/**
 * `mfrec batch recommend --out postgres://…?table=recs` with a real
 * redis-server and a real PostgreSQL server started by the test: a worker
 * killed with SIGKILL mid-shard, and still exactly one complete list per
 * user in the table; readers see the previous table until the job's end,
 * and a failed job leaves it in place.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';
import { postgresInstalled, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { redisInstalled, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { skipWithout } from '../helpers/system-servers.js';
import { batchRecommendArgs, listProblems, parseRows, runMfrec, startWorker, stopWorkers, userIdsOf, writeBigModel, type Child } from './batch-processes.js';

/** Without both servers (apt-get install redis-server postgresql), these tests are skipped, except in CI. */
const withoutServers = skipWithout(redisInstalled() && postgresInstalled());

let redis: RedisServer;
let postgres: PostgresServer;
let dir: string;
let model: string;
let users: string[];
const workers: Child[] = [];
const K = 10;

async function sql(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function tables(): Promise<string[]> {
  const r = await sql("select tablename from pg_tables where schemaname = 'public' order by tablename");
  return r.rows.map((row) => row.tablename as string);
}

/** The previous night's table, which readers must keep seeing until a job's result is complete. */
async function previousTable(): Promise<void> {
  await sql(`drop table if exists recs; create table recs ("user" text, item text, rank integer, score real, source text);
    insert into recs values ('yesterday', 'i0', 1, 1, 'model')`);
}

beforeAll(async () => {
  if (withoutServers) return;
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  dir = mkdtempSync(path.join(tmpdir(), 'mfrec-batch-pg-'));
  model = path.join(dir, 'model.mfrec');
  await writeBigModel(model, 16_384, 20_000, 64);
  users = await userIdsOf(model);
}, 120_000);

afterAll(async () => {
  await stopWorkers(workers);
  await redis?.stop();
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(withoutServers)('mfrec batch recommend into PostgreSQL', () => {
  it('a worker killed with SIGKILL mid-shard: the table gets exactly one complete list per user, swapped in whole at the end', async () => {
    await previousTable();
    const queue = 'pg-killed';
    const events = new QueueEvents(queue, { connection: { host: '127.0.0.1', port: redis.port } });
    await events.waitUntilReady();
    const victim = await startWorker(dir, redis.url, queue);
    workers.push(victim);
    const killed = new Promise<void>((resolve) => {
      events.on('progress', ({ data }) => {
        if (typeof data === 'number' && data > 0 && victim.child.exitCode === null && victim.child.signalCode === null) {
          victim.child.kill('SIGKILL');
          resolve();
        }
      });
    });
    const out = `${postgres.url}?table=recs`;
    const manifestFile = path.join(dir, 'pg-manifest.json');
    const submit = runMfrec(dir, batchRecommendArgs({ model, k: K, shards: 2, out, redis: redis.url, queue }, '--manifest', manifestFile));
    await killed;
    await victim.exit;
    // Mid-job, readers still see the previous table, whole.
    expect((await sql('select "user" from recs')).rows).toEqual([{ user: 'yesterday' }]);
    const rescuers = await Promise.all([0, 1].map(() => startWorker(dir, redis.url, queue)));
    workers.push(...rescuers);
    expect(await submit.exit, submit.stderr()).toBe(0);
    await stopWorkers(rescuers);
    await events.close();

    const rows = (await sql('select "user", item, rank from recs')).rows.map((r) => [r.user as string, r.item as string, String(r.rank)]);
    expect(listProblems(rows, users, K)).toEqual([]);
    const local = path.join(dir, 'local.csv');
    const r = await cliIn(dir)('recommend', '--model-file', model, '--all', '--k', String(K), '--out', local, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const listed = (rs: string[][]) => rs.map((x) => x.slice(0, 3).join(',')).sort();
    expect(listed(rows)).toEqual(listed(parseRows(readFileSync(local, 'utf8'))));
    // The shard tables were dropped in the swap; no staging table is left.
    expect(await tables()).toEqual(['recs']);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    expect(manifest.output).toEqual({ kind: 'postgres', url: `${postgres.url}?table=recs`, table: 'recs' });
    expect(manifest.shards.map((s: { output: string }) => s.output)).toEqual(['recs__part1of2', 'recs__part2of2']);
    expect(manifest.rows).toBe(users.length * K);
  }, 180_000);

  it('the swap drops the shard tables an earlier failed job with another shard count left, and no other table', async () => {
    // What a failed job with 5 shards leaves behind, and tables of the user's with similar names.
    const kept = ['other__part1of5', 'recs_b__part1of5_notes', 'recs_b__partial'];
    for (const table of ['recs_b__part1of5', 'recs_b__part4of5', ...kept]) await sql(`drop table if exists ${table}; create table ${table} (x int)`);
    const small = path.join(dir, 'small.mfrec');
    await writeBigModel(small, 90, 60, 64);
    const worker = await startWorker(dir, redis.url, 'pg-recount');
    workers.push(worker);
    const submit = runMfrec(
      dir,
      batchRecommendArgs({ model: small, k: K, shards: 2, out: `${postgres.url}?table=recs_b`, redis: redis.url, queue: 'pg-recount' }),
    );
    expect(await submit.exit, submit.stderr()).toBe(0);
    await stopWorkers([worker]);
    expect((await tables()).filter((t) => t.includes('__part') || t.startsWith('recs_b'))).toEqual(['other__part1of5', 'recs_b', ...kept.slice(1)]);
    const rows = (await sql('select "user", item, rank from recs_b')).rows.map((r) => [r.user as string, r.item as string, String(r.rank)]);
    expect(listProblems(rows, await userIdsOf(small), K)).toEqual([]);
    // The other tests look at every table: leave none of these.
    for (const table of [...kept, 'recs_b']) await sql(`drop table ${table}`);
  }, 120_000);

  it('a job that fails leaves the previous table in place', async () => {
    await previousTable();
    const queue = 'pg-failed';
    // The model changes on the shared path after the job is queued: every shard is refused.
    const changed = path.join(dir, 'changed.mfrec');
    await writeBigModel(changed, 300, 200, 64);
    const submit = runMfrec(dir, batchRecommendArgs({ model: changed, shards: 2, out: `${postgres.url}?table=recs`, redis: redis.url, queue }));
    const q = new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port } });
    const waiting = async () => (await q.getJobCounts('wait')).wait;
    for (let i = 0; i < 400 && (await waiting()) < 2 && submit.child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await waiting(), submit.stderr()).toBe(2);
    await q.close();
    await writeBigModel(changed, 301, 200, 64);
    const worker = await startWorker(dir, redis.url, queue);
    workers.push(worker);
    expect(await submit.exit).toBe(1);
    expect(submit.stderr()).toContain('[ERR_MFREC_CORRUPT_FILE]');
    await stopWorkers([worker]);
    expect((await sql('select "user" from recs')).rows).toEqual([{ user: 'yesterday' }]);
    expect((await tables()).filter((t) => !t.startsWith('recs__part'))).toEqual(['recs']);
  }, 120_000);
});
