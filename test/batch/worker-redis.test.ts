/**
 * `mfrec worker` when its Redis goes away, with a real redis-server
 * (test/helpers/redis-server.ts): back within --redis-wait, the worker
 * carries on; away for longer, it stops with one line naming --redis
 * instead of waiting unseen, and it does not log every reconnection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisInstalled, startRedis } from '../helpers/redis-server.js';
import { skipWithout } from '../helpers/system-servers.js';
import { batchRecommendArgs, runMfrec, startWorker, stopWorkers, writeBigModel, type Child } from './batch-processes.js';

const withoutRedis = skipWithout(redisInstalled());

let dir: string;
const workers: Child[] = [];

beforeAll(() => {
  if (withoutRedis) return;
  dir = mkdtempSync(path.join(tmpdir(), 'mfrec-worker-redis-'));
});

afterAll(async () => {
  // A worker still waiting (the defect these tests guard against) is stopped at once.
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exit));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The worker's exit code, or 'still running' if it has not exited after `ms`. */
async function exitWithin(w: Child, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  try {
    return await Promise.race([w.exit, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(what: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !what() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
}

function queueErrorLines(w: Child): string[] {
  return w
    .stderr()
    .split('\n')
    .filter((l) => l.includes('queue error'))
    .map((l) => l.replace(/^mfrec worker \d+: /, ''));
}

describe.skipIf(withoutRedis)('mfrec worker without its Redis', () => {
  it('Redis away longer than --redis-wait: the worker stops with one line naming --redis (ERR_MFREC_IO), not a line per reconnection', async () => {
    const redis = await startRedis();
    try {
      const worker = await startWorker(dir, redis.url, 'lost', '--redis-wait', '4');
      workers.push(worker);
      await redis.stop();
      expect(await exitWithin(worker, 40_000), worker.stderr()).toBe(1);
      expect(worker.stderr()).toMatch(
        /mfrec: Lost Redis at redis:\/\/127\.0\.0\.1:\d+\/? \(--redis\) for 4 s: .*ECONNREFUSED.*; the worker stops \(its shards are rerun by other workers\) \[ERR_MFREC_IO\]\n$/,
      );
      // Reconnections fail every couple of seconds, alike: each reason is logged once.
      const lines = queueErrorLines(worker);
      expect(lines.length).toBeGreaterThan(0);
      expect(new Set(lines).size, lines.join('\n')).toBe(lines.length);
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('SIGTERM while Redis is away: the graceful stop, which waits for Redis, still ends after --redis-wait', async () => {
    const redis = await startRedis();
    try {
      const worker = await startWorker(dir, redis.url, 'stopping', '--redis-wait', '3');
      workers.push(worker);
      await redis.stop();
      await until(() => queueErrorLines(worker).length > 0, 20_000);
      worker.child.kill('SIGTERM');
      expect(await exitWithin(worker, 40_000), worker.stderr()).toBe(1);
      expect(worker.stderr()).toContain('SIGTERM: finishing the current shards');
      expect(worker.stderr()).toMatch(/Lost Redis at .* \(--redis\) for 3 s: .*\[ERR_MFREC_IO\]\n$/);
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('Redis back within --redis-wait: the worker says so and serves the next job', async () => {
    const redis = await startRedis();
    let again: Awaited<ReturnType<typeof startRedis>> | undefined;
    try {
      const worker = await startWorker(dir, redis.url, 'back', '--redis-wait', '60');
      workers.push(worker);
      await redis.stop();
      await until(() => queueErrorLines(worker).length > 0, 20_000);
      again = await startRedis(redis.port);
      await until(() => worker.stderr().includes('answers again'), 20_000);
      expect(worker.stderr()).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+\/? answers again/);
      const model = path.join(dir, 'back.mfrec');
      await writeBigModel(model, 40, 30, 64);
      const submit = runMfrec(dir, batchRecommendArgs({ model, shards: 2, out: path.join(dir, 'back'), redis: again.url, queue: 'back' }));
      expect(await submit.exit, submit.stderr()).toBe(0);
      expect(worker.child.exitCode).toBeNull();
      await stopWorkers([worker]);
      expect(worker.child.exitCode, worker.stderr()).toBe(0);
    } finally {
      await again?.stop();
      await redis.stop();
    }
  }, 90_000);
});
