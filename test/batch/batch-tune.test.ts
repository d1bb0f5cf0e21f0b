/**
 * `mfrec batch tune` and `mfrec batch evaluate` with a real redis-server and
 * worker processes give what `mfrec tune` and `mfrec evaluate --model all`
 * give on one process: the same trials, the same best configuration.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn, writePlantedRatings } from '../helpers/cli.js';
import { redisInstalled, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { skipWithout } from '../helpers/system-servers.js';
import { startWorker, stopWorkers, type Child } from './batch-processes.js';

const withoutRedis = skipWithout(redisInstalled());

let redis: RedisServer;
let dir: string;
let cli: ReturnType<typeof cliIn>;
const workers: Child[] = [];

beforeAll(async () => {
  if (withoutRedis) return;
  redis = await startRedis();
  dir = mkdtempSync(path.join(tmpdir(), 'mfrec-batch-tune-'));
  cli = cliIn(dir);
  writePlantedRatings(path.join(dir, 'train.csv'), 11, 0.5);
  writePlantedRatings(path.join(dir, 'test.csv'), 12, 0.2);
  workers.push(...(await Promise.all([0, 1].map(() => startWorker(dir, redis.url, 'tune')))));
}, 60_000);

afterAll(async () => {
  await stopWorkers(workers);
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A trial without its timing and the worker's: what two runs of the same search must agree on. */
function comparable(t: { seconds?: number }) {
  const { seconds: _s, ...rest } = t;
  return rest;
}

describe.skipIf(withoutRedis)('mfrec batch tune and evaluate', () => {
  it.each(['halving', 'random'])(
    'a seeded tiny %s search over workers gives the same trials and best trial as local tune',
    async (strategy) => {
      const search = [
        '--model',
        'als',
        '--budget',
        '4',
        '--strategy',
        strategy,
        '--space',
        '{"factors":{"min":2,"max":8},"iterations":6}',
        '--seed',
        '7',
        '--threads',
        '1',
        '--implicit',
      ];
      const local = await cli('tune', 'train.csv', ...search, '--trials', `local-${strategy}.json`, '--json');
      expect(local.code, local.stderr).toBe(0);
      const batch = await cli('batch', 'tune', 'train.csv', ...search, '--trials', `batch-${strategy}.json`, '--json', '--redis', redis.url, '--queue', 'tune');
      expect(batch.code, batch.stderr).toBe(0);
      const a = JSON.parse(readFileSync(path.join(dir, `local-${strategy}.json`), 'utf8'));
      const b = JSON.parse(readFileSync(path.join(dir, `batch-${strategy}.json`), 'utf8'));
      expect(b.trials.length).toBeGreaterThan(1);
      expect(b.trials.map(comparable)).toEqual(a.trials.map(comparable));
      expect(comparable(b.best)).toEqual(comparable(a.best));
      expect(b.finalParams).toEqual(a.finalParams);
      expect(b.plan).toEqual(a.plan);
      expect(JSON.parse(batch.stdout).best.config).toBe(JSON.parse(local.stdout).best.config);
    },
    120_000,
  );

  it('a missing TRAIN or --test is one line naming it, before any shard is queued', async () => {
    for (const args of [
      ['batch', 'evaluate', 'missing.csv', '--test', 'test.csv'],
      ['batch', 'evaluate', 'train.csv', '--test', 'missing.csv'],
      ['batch', 'tune', 'missing.csv', '--model', 'als'],
    ]) {
      const r = await cli(...args, '--redis', redis.url, '--queue', 'never');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Cannot read missing\.csv: ENOENT.*\[ERR_MFREC_IO\]/);
    }
    const q = new Queue('never', { connection: { host: '127.0.0.1', port: redis.port } });
    expect(await q.getJobCountByTypes('wait', 'active', 'completed', 'failed')).toBe(0);
    await q.close();
  });

  it('--validation-by-time: workers score on the latest share of TRAIN as local tune does; TRAIN without timestamps is refused before any shard', async () => {
    // train.csv with a time per line, in an order unrelated to the lines'.
    const lines = readFileSync(path.join(dir, 'train.csv'), 'utf8').trim().split('\n');
    const timed = lines.slice(1).map((line, k) => `${line},${(k * 7919) % (lines.length - 1)}`);
    writeFileSync(path.join(dir, 'timed.csv'), `${['user,item,rating,timestamp', ...timed].join('\n')}\n`);
    const search = ['--model', 'als', '--budget', '3', '--space', '{"factors":{"min":2,"max":8},"iterations":6}', '--seed', '7', '--threads', '1'];
    const byTime = [...search, '--implicit', '--validation-by-time', '--validation-fraction', '0.25'];
    const local = await cli('tune', 'timed.csv', ...byTime, '--trials', 'local-time.json', '--json');
    expect(local.code, local.stderr).toBe(0);
    const batch = await cli('batch', 'tune', 'timed.csv', ...byTime, '--trials', 'batch-time.json', '--json', '--redis', redis.url, '--queue', 'tune');
    expect(batch.code, batch.stderr).toBe(0);
    const a = JSON.parse(readFileSync(path.join(dir, 'local-time.json'), 'utf8'));
    const b = JSON.parse(readFileSync(path.join(dir, 'batch-time.json'), 'utf8'));
    expect(b.validation).toEqual({ kind: 'time', testFraction: 0.25 });
    expect(b.trials.map(comparable)).toEqual(a.trials.map(comparable));

    const untimed = await cli('batch', 'tune', 'train.csv', ...search, '--validation-by-time', '--redis', redis.url, '--queue', 'never');
    expect(untimed.code).toBe(1);
    expect(untimed.stderr).toMatch(/--validation-by-time needs timestamps, and TRAIN train\.csv has no time column.*\[ERR_MFREC_INVALID_ARGUMENT\]/);
    const q = new Queue('never', { connection: { host: '127.0.0.1', port: redis.port } });
    expect(await q.getJobCountByTypes('wait', 'active', 'completed', 'failed')).toBe(0);
    await q.close();
  }, 120_000);

  it('evaluate over workers gives the rows of evaluate --model all, one family per shard', async () => {
    const seeded = ['--k', '5', '--seed', '3', '--threads', '1'];
    const local = await cli('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'all', ...seeded, '--json');
    expect(local.code, local.stderr).toBe(0);
    const batch = await cli('batch', 'evaluate', 'train.csv', '--test', 'test.csv', ...seeded, '--json', '--redis', redis.url, '--queue', 'tune');
    expect(batch.code, batch.stderr).toBe(0);
    const strip = (rows: Array<{ fitSeconds: number | null }>) => rows.map(({ fitSeconds: _f, ...r }) => r);
    const a = JSON.parse(local.stdout);
    const b = JSON.parse(batch.stdout);
    expect(strip(b.rows)).toEqual(strip(a.rows));
    expect(b.users).toBe(a.users);
  }, 120_000);
});
