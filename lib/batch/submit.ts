/**
 * The submitter's side of a batch job: puts one BullMQ job per shard on the
 * queue (bounded attempts, exponential backoff), then follows them until
 * every shard is done, reporting progress, and returns their results in
 * shard order. A shard that failed for good fails the whole job with its
 * worker's reason (and the error code it carried).
 */
import type { Queue } from 'bullmq';
import { ErrorCodes, MfrecError, type ErrorCode } from '../errors.js';
import { ATTEMPTS, BACKOFF_MS, shardJobId, type ShardData } from './jobs.js';
import type { RedisTarget } from './redis-url.js';

const POLL_MS = 250;
/** Finished shards stay in Redis this long (a resubmitted job id reuses them), then go. */
const KEEP_SECONDS = 7 * 24 * 3600;

export interface ShardStatus {
  index: number;
  state: 'waiting' | 'active' | 'done';
  /** What the worker reported so far (users done, for recommend). */
  progress: number;
  /** The worker's result, once done. */
  result?: unknown;
}

export interface SubmitSettings {
  queue: string;
  job: string;
  /** How long Redis may be out of reach while the job runs before the submitter gives up (ms). */
  redisWaitMs: number;
  /** Called when a shard's state or progress changes. */
  onChange?: (shard: ShardStatus, all: readonly ShardStatus[]) => void;
}

/** The error a worker gave, with its code when it carried one (`… [ERR_MFREC_…]`). */
function shardFailure(job: string, index: number, count: number, reason: string | undefined): MfrecError {
  const text = reason ?? 'no reason given';
  const m = /\[(ERR_MFREC_[A-Z_]+)\]$/.exec(text);
  const code = m && Object.values(ErrorCodes).includes(m[1] as ErrorCode) ? (m[1] as ErrorCode) : ErrorCodes.IO;
  return new MfrecError(code, `Shard ${index + 1}/${count} of job ${job} failed: ${m ? text.slice(0, m.index).trim() : text}`);
}

/**
 * A job id given again: its shards must be the same work (same model,
 * options, output), else their finished results would be mixed with new
 * ones; the ones that failed for good are put back in the queue, the
 * finished ones are kept, the rest are still running.
 */
async function resumeShards(queue: Queue, shards: readonly ShardData[], job: string): Promise<void> {
  for (let index = 0; index < shards.length; index++) {
    const existing = await queue.getJob(shardJobId(job, index));
    if (existing === undefined) continue;
    if (JSON.stringify(existing.data) !== JSON.stringify(shards[index])) {
      throw new MfrecError(
        ErrorCodes.INVALID_ARGUMENT,
        `Job id '${job}' was submitted before with other settings (shard ${index + 1}: model, options or output differ): choose another --job-id`,
      );
    }
    if ((await existing.getState()) === 'failed') await existing.retry('failed');
  }
}

export async function runShards(redis: RedisTarget, shards: readonly ShardData[], settings: SubmitSettings): Promise<unknown[]> {
  // Commands fail at once while Redis is away (no endless offline queue): the loop below decides how long to wait.
  // Loaded on first use: the CLI links this module for every command.
  const { Queue } = await import('bullmq');
  const queue = new Queue(settings.queue, { connection: { ...redis.options, enableOfflineQueue: false, maxRetriesPerRequest: 1 } });
  queue.on('error', () => undefined);
  const lost = (e: unknown, doing: string) =>
    new MfrecError(ErrorCodes.IO, `Lost Redis at ${redis.shown} (--redis) ${doing}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  try {
    try {
      // Redis may have gone since the submitter first reached it (reading the data or the model takes a while): the client would wait for ever.
      await readyWithin(queue, settings.redisWaitMs);
      await resumeShards(queue, shards, settings.job);
      await queue.addBulk(
        shards.map((data, index) => ({
          name: data.kind,
          data,
          opts: {
            jobId: shardJobId(settings.job, index),
            attempts: ATTEMPTS,
            backoff: { type: 'exponential', delay: BACKOFF_MS },
            removeOnComplete: { age: KEEP_SECONDS },
            removeOnFail: { age: KEEP_SECONDS },
          },
        })),
      );
    } catch (e) {
      throw e instanceof MfrecError ? e : lost(e, `while submitting job ${settings.job}`);
    }
    const status: ShardStatus[] = shards.map((_, index) => ({ index, state: 'waiting', progress: 0 }));
    let outageSince: number | undefined;
    while (status.some((s) => s.state !== 'done')) {
      try {
        await pollShards(queue, status, settings);
        outageSince = undefined;
      } catch (e) {
        if (e instanceof MfrecError) throw e;
        outageSince ??= Date.now();
        if (Date.now() - outageSince >= settings.redisWaitMs) {
          throw lost(
            e,
            `for ${Math.round(settings.redisWaitMs / 1000)} s while waiting for job ${settings.job} (its shards go on: submit it again with --job-id ${settings.job} to collect them)`,
          );
        }
      }
      if (status.some((s) => s.state !== 'done')) await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return status.map((s) => s.result);
  } finally {
    await queue.close().catch(() => undefined);
    // close() leaves a connection that lost its server reconnecting (and the process running): cut it.
    await queue.disconnect().catch(() => undefined);
  }
}

/** Resolves once `queue` is connected; rejects after `ms` (the client itself would go on reconnecting). */
async function readyWithin(queue: Queue, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection within ${Math.round(ms / 1000)} s (--redis-wait)`)), ms);
  });
  try {
    await Promise.race([queue.waitUntilReady(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** One look at every shard not done yet: updates `status`, reports changes, throws the failure of a shard that failed for good. */
async function pollShards(queue: Queue, status: ShardStatus[], settings: SubmitSettings): Promise<void> {
  for (const s of status) {
    if (s.state === 'done') continue;
    const id = shardJobId(settings.job, s.index);
    // The state first, then the job: read the other way round, a shard that ends in between has its state but not yet its result.
    const state = await queue.getJobState(id);
    const job = await queue.getJob(id);
    if (job === undefined || state === 'unknown') {
      throw new MfrecError(ErrorCodes.IO, `Shard ${s.index + 1}/${status.length} of job ${settings.job} is gone from queue '${settings.queue}'`);
    }
    if (state === 'failed') throw shardFailure(settings.job, s.index, status.length, job.failedReason);
    const progress = typeof job.progress === 'number' ? job.progress : s.progress;
    const next: ShardStatus['state'] = state === 'completed' ? 'done' : state === 'active' ? 'active' : 'waiting';
    if (next !== s.state || progress !== s.progress) {
      s.state = next;
      s.progress = progress;
      if (next === 'done') s.result = job.returnvalue;
      settings.onChange?.(s, status);
    }
  }
}
