/**
 * runShards() (the submitter's loop) against a real redis-server and a real
 * BullMQ worker in this process: every shard's result comes back, also for
 * shards that finish while the submitter is looking at them.
 */
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShardData } from '../../lib/batch/jobs.js';
import { parseRedisUrl } from '../../lib/batch/redis-url.js';
import { runShards } from '../../lib/batch/submit.js';
import { redisInstalled, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { skipWithout } from '../helpers/system-servers.js';

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
