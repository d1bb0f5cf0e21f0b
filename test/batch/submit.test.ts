/**
 * runShards() (the submitter's loop) against a real redis-server and a real
 * BullMQ worker in this process: every shard's result comes back, also for
 * shards that finish while the submitter is looking at them; and without
 * Redis, a bounded wait.
 */
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShardData } from '../../lib/batch/jobs.js';
import { parseRedisUrl } from '../../lib/batch/redis-url.js';
import { runShards } from '../../lib/batch/submit.js';
import { redisInstalled, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { skipWithout } from '../helpers/system-servers.js';
import { freePort } from '../helpers/free-port.js';

const withoutRedis = skipWithout(redisInstalled());
let redis: RedisServer;

beforeAll(async () => {
  if (!withoutRedis) redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

describe.skipIf(withoutRedis)('runShards()', () => {
  it('returns every shard result in shard order, however quickly the shards end', async () => {
    const target = parseRedisUrl(redis.url);
    // Shards that end within milliseconds, many at a time: some end between two reads of the submitter.
    const worker = new Worker(
      'quick',
      async (job) => {
        const index = (job.data as { config: number }).config;
        await new Promise((r) => setTimeout(r, index % 3));
        return { index };
      },
      { connection: target.options, concurrency: 20 },
    );
    const shards = Array.from({ length: 2000 }, (_, config) => ({ kind: 'tune-trial', job: 'quick', config }) as unknown as ShardData);
    try {
      const results = await runShards(target, shards, { queue: 'quick', job: 'quick', redisWaitMs: 60_000 });
      expect(results).toEqual(shards.map((_, index) => ({ index })));
    } finally {
      await worker.close();
    }
  }, 60_000);
});

describe('runShards() without Redis', () => {
  it('Redis gone since the submitter reached it: gives up after redisWaitMs with ERR_MFREC_IO naming --redis, never waits for ever', async () => {
    // Nothing listens there: as a Redis that went away while the submitter read its data or model.
    const target = parseRedisUrl(`redis://127.0.0.1:${await freePort()}`);
    const shards = [{ kind: 'tune-trial', job: 'gone', config: 0 } as unknown as ShardData];
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still waiting after 20 s'), 20_000)));
    try {
      const outcome = await Promise.race([
        runShards(target, shards, { queue: 'gone', job: 'gone', redisWaitMs: 1_000 }).then(
          () => 'submitted',
          (e: unknown) => e,
        ),
        stuck,
      ]);
      expect(outcome).toMatchObject({
        code: 'ERR_MFREC_IO',
        message: expect.stringMatching(
          /^Lost Redis at redis:\/\/127\.0\.0\.1:\d+\/? \(--redis\) while submitting job gone: no connection within 1 s \(--redis-wait\)$/,
        ),
      });
    } finally {
      clearTimeout(timer);
    }
  }, 30_000);
});
