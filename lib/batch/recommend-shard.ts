/**
 * A worker's part of `mfrec batch recommend`: the top-k lists of every user
 * of one shard (user index modulo the shard count, as `recommend --shard`),
 * streamed into the shard's own output and committed whole.
 */
import { hostname } from 'node:os';
import type { RawId } from '../data/id-map.js';
import { formatScore } from '../cli/output.js';
import type { LoadedModel } from '../persist/load-model.js';
import type { RecommendShard, RecommendShardResult } from './jobs.js';
import { withModel } from './model-cache.js';
import { openShardOutput, shardLocation } from './shard-output.js';

/** Users scored per call (and per progress report). */
const BLOCK = 1024;

/** The users of shard `index` of `count`: those whose index modulo count is index. */
export function shardUsers<T>(all: readonly T[], index: number, count: number): T[] {
  return all.filter((_, u) => u % count === index);
}

/** How many users shard `index` of `count` holds among `total`. */
export function shardSize(total: number, index: number, count: number): number {
  return index < total ? Math.floor((total - 1 - index) / count) + 1 : 0;
}

export async function runRecommendShard(data: RecommendShard, onProgress: (users: number) => Promise<void>): Promise<RecommendShardResult> {
  return withModel(data.model.path, data.model.checksum, (model) => recommendShard(model, data, onProgress));
}

async function recommendShard(model: LoadedModel, data: RecommendShard, onProgress: (users: number) => Promise<void>): Promise<RecommendShardResult> {
  const started = process.hrtime.bigint();
  const { index, count } = data.shard;
  const users: RawId[] = shardUsers(model.userIds, index, count);
  const sink = await openShardOutput(data.destination, index, count, data.rawIds);
  let rows = 0;
  try {
    for (let start = 0; start < users.length; start += BLOCK) {
      const batch = await model.recommendBatch(users.slice(start, start + BLOCK), { k: data.k, filterSeen: data.filterSeen });
      for (const { user, recommendations } of batch.entries()) {
        let rank = 1;
        for (const r of recommendations) await sink.row([user, r.item, rank++, formatScore(r.score), r.source]);
        rows += recommendations.length;
      }
      await onProgress(Math.min(users.length, start + BLOCK));
    }
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return {
    users: users.length,
    rows,
    output: shardLocation(data.destination, index, count),
    worker: `${hostname()}:${process.pid}`,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
