/**
 * `mfrec worker --redis URL [--concurrency C] [--queue NAME]`: serves the
 * shards of `mfrec batch` jobs until SIGTERM or SIGINT. On the first signal
 * it takes no new shard and finishes the ones it holds, then exits; on a
 * second it exits at once (its shards are rerun elsewhere once their locks expire).
 * A Redis out of reach for longer than --redis-wait stops it with one line.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { DEFAULT_QUEUE } from '../batch/jobs.js';
import { checkReachable, parseRedisUrl } from '../batch/redis-url.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { printable } from '../text/printable.js';
import { intArg } from './parse.js';

interface WorkerFlags {
  redis: string;
  queue: string;
  concurrency: number;
  lockDuration: number;
  redisWait: number;
  quiet?: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('process the shards of mfrec batch jobs from a BullMQ queue (Redis) until stopped (SIGTERM/SIGINT: finish the current shards, then exit)')
    .requiredOption('--redis <url>', 'Redis holding the queue: redis://[user:password@]host:port[/db]')
    .option('--queue <name>', 'queue name (as given to mfrec batch)', DEFAULT_QUEUE)
    .option('--concurrency <n>', 'shards processed at once by this worker', intArg(1, 256), 1)
    .option(
      '--lock-duration <ms>',
      "how long a shard's lock lasts between renewals: a worker that dies mid-shard has its shard rerun about this long after",
      intArg(1_000, 3_600_000),
      30_000,
    )
    .option(
      '--redis-wait <seconds>',
      'how long Redis may be out of reach before the worker stops with an error (its shards are rerun by other workers)',
      intArg(1, 86_400),
      60,
    )
    .option('--quiet', 'no log lines')
    .action(async (flags: WorkerFlags) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(flags.queue)) {
        throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Invalid --queue '${flags.queue}': letters, digits, '_', '.', '-'`);
      }
      const redis = parseRedisUrl(flags.redis);
      await checkReachable(redis);
      const log = flags.quiet ? () => undefined : (line: string) => process.stderr.write(`mfrec worker ${process.pid}: ${printable(line)}\n`);
      // Loaded here: the queue library costs every other command its start-up time.
      const { startWorker } = await import('../batch/worker.js');
      const running = startWorker(redis, {
        queue: flags.queue,
        concurrency: flags.concurrency,
        lockDuration: flags.lockDuration,
        redisWaitMs: flags.redisWait * 1000,
        onEvent: log,
      });
      try {
        // Redis gone between the probe and here: waiting for it is bounded too.
        await Promise.race([running.worker.waitUntilReady(), running.lost]);
        log(`serving queue '${flags.queue}' at ${redis.shown} on ${hostname()} (concurrency ${flags.concurrency})`);
        const stopped = new Promise<void>((resolve) => {
          let stopping = false;
          const stop = (signal: string) => {
            if (stopping) {
              // At once, whatever the connection's state: the shards held are rerun elsewhere once their locks expire.
              log(`${signal} again: exiting now`);
              process.exit(1);
            }
            stopping = true;
            log(`${signal}: finishing the current shards`);
            void running.close().finally(resolve);
          };
          process.on('SIGTERM', () => stop('SIGTERM'));
          process.on('SIGINT', () => stop('SIGINT'));
        });
        await Promise.race([stopped, running.lost]);
      } catch (e) {
        // Redis lost: drop the connections (their reconnect timers would keep the process alive) and report.
        await running.abandon();
        throw e;
      }
      log('stopped');
    });
}
