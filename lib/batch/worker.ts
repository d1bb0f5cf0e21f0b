/**
 * `mfrec worker`: a BullMQ worker that serves the shards of batch jobs until
 * stopped. A shard that fails on bad input (a model whose checksum differs,
 * an unreadable file, bad options) fails for good at once; any other failure
 * is retried by the queue, a bounded number of times with backoff. A worker
 * killed mid-shard loses its lock: after lockDuration the stalled-job check
 * of any other worker puts the shard back in the queue, and its rerun
 * replaces the shard's output (shard-output.ts). A worker whose Redis stays
 * out of reach longer than its wait stops (connection-watch.ts).
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ErrorCodes, isMfrecError } from '../errors.js';
import type { ShardData } from './jobs.js';
import { runRecommendShard } from './recommend-shard.js';
import { runEvaluateShard } from './evaluate-shard.js';
import { runTuneTrial } from './tune-trial.js';
import type { RedisTarget } from './redis-url.js';
import { watchConnection } from './connection-watch.js';

export interface WorkerSettings {
  queue: string;
  concurrency: number;
  /** How long a shard's lock lasts without renewal: a killed worker's shard is rerun this long after. */
  lockDuration: number;
  /** How long Redis may be out of reach in a row before the worker gives up (ms). */
  redisWaitMs: number;
  /** Called when a shard starts, ends or fails (for the worker's log lines). */
  onEvent?: (line: string) => void;
}

/** Errors that a retry cannot mend: the job itself is wrong. */
const PERMANENT: readonly string[] = [
  ErrorCodes.CORRUPT_FILE,
  ErrorCodes.BAD_MAGIC,
  ErrorCodes.UNSUPPORTED_VERSION,
  ErrorCodes.INVALID_ARGUMENT,
  ErrorCodes.UNKNOWN_OPTION,
  ErrorCodes.PARSE,
  ErrorCodes.EMPTY_DATA,
];

/** The message BullMQ keeps as the shard's failedReason: the code in brackets, as the CLI prints it. */
function reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return isMfrecError(e) ? `${message} [${e.code}]` : message;
}

async function processShard(job: Job<ShardData>): Promise<unknown> {
  const data = job.data;
  const progress = (done: number) => job.updateProgress(done);
  try {
    switch (data.kind) {
      case 'recommend':
        return await runRecommendShard(data, progress);
      case 'evaluate':
        return await runEvaluateShard(data);
      case 'tune-trial':
        return await runTuneTrial(data);
      default:
        throw new UnrecoverableError(`Unknown shard kind '${String((data as { kind?: unknown }).kind)}': a newer mfrec submitted it`);
    }
  } catch (e) {
    if (e instanceof UnrecoverableError) throw e;
    if (isMfrecError(e) && PERMANENT.includes(e.code)) throw new UnrecoverableError(reason(e));
    throw new Error(reason(e), { cause: e });
  }
}

export interface RunningWorker {
  worker: Worker<ShardData>;
  /** Rejects (ERR_MFREC_IO, naming --redis) once Redis has been out of reach for the wait. */
  lost: Promise<never>;
  /** Stops taking shards and finishes those held, then stops watching. */
  close(): Promise<void>;
  /** Drops everything at once, also a close in progress that waits for a lost Redis: the shards held are rerun once their locks expire. */
  abandon(): Promise<void>;
}

export function startWorker(redis: RedisTarget, settings: WorkerSettings): RunningWorker {
  const worker = new Worker<ShardData>(settings.queue, processShard, {
    connection: redis.options,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDuration,
    // The stalled check runs twice per lock period; a shard may stall (its worker killed) twice before it fails.
    stalledInterval: Math.max(1_000, Math.floor(settings.lockDuration / 2)),
    maxStalledCount: 2,
  });
  const log = settings.onEvent ?? (() => undefined);
  worker.on('active', (job) => log(`shard ${job.id} started`));
  worker.on('completed', (job) => log(`shard ${job.id} done`));
  worker.on('failed', (job, e) => log(`shard ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${e.message}`));
  let lastError: string | undefined;
  const watch = watchConnection(worker, settings.redisWaitMs, {
    shown: redis.shown,
    lastError: () => lastError,
    onBack: () => log(`Redis at ${redis.shown} answers again`),
  });
  // Connection trouble is retried by the client; it must never be an unhandled 'error' event.
  // While Redis is away each reconnection fails alike: one line for them, not one every few seconds.
  worker.on('error', (e) => {
    const repeated = watch.down() && e.message === lastError;
    lastError = e.message;
    if (!repeated) log(`queue error: ${e.message}`);
  });
  return {
    worker,
    lost: watch.lost,
    close: async () => {
      try {
        await worker.close();
      } finally {
        watch.stop();
      }
    },
    abandon: async () => {
      watch.stop();
      // Not awaited: a graceful close already under way returns its own promise, which waits for Redis.
      worker.close(true).catch(() => undefined);
      await worker.disconnect().catch(() => undefined);
    },
  };
}
