/**
 * `mfrec batch recommend|evaluate|tune --redis URL ...`: submits a job as
 * shards on a BullMQ queue, which `mfrec worker` processes on any number of
 * processes or machines; shows progress, waits, and writes the result
 * (a manifest for recommend, the usual tables or tuning output for the
 * others). See docs/batch.md.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_QUEUE } from '../batch/jobs.js';
import { writeManifest } from '../batch/manifest.js';
import { checkJobId, newJobId, runRecommendJob } from '../batch/recommend-job.js';
import { checkReachable, parseRedisUrl, type RedisTarget } from '../batch/redis-url.js';
import { runShards } from '../batch/submit.js';
import { sharedLocation } from '../batch/shared-location.js';
import type { EvaluateShardResult } from '../batch/evaluate-shard.js';
import { batchTune } from '../batch/tune-search.js';
import { isPostgresUrl } from '../db/connection.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { MODEL_TYPES, type ModelType } from '../models/registry.js';
import { checkOutputPaths } from '../persist/output-paths.js';
import { writeFileAtomic } from '../persist/model-file.js';
import { defaultMetric, parseMetric } from '../tune/metric.js';
import { TUNABLE_MODELS, type TunableModel } from '../tune/parameters.js';
import { planSearch } from '../tune/plan.js';
import { trialToJson, tuneResultToJson } from '../tune/results.js';
import { resolveSpace } from '../tune/space.js';
import { describeValidation } from '../tune/validation-split.js';
import { printable } from '../text/printable.js';
import { printJson, printTable } from './output.js';
import { intArg } from './parse.js';
import { createProgress } from './progress.js';
import { addReadFlags, readForModel, readForModels, readOptionsFrom, type ReadFlags } from './read-flags.js';
import { addValidationFlags, bestParams, checkValidationData, formatParams, searchShape, spaceOf, validationOf, type TuneFlags } from './tune-shared.js';

interface QueueFlags {
  redis: string;
  queue: string;
  jobId?: string;
  redisWait: number;
  json?: boolean;
  quiet?: boolean;
}

function addQueueFlags(cmd: Command): Command {
  return cmd
    .requiredOption('--redis <url>', 'Redis holding the queue: redis://[user:password@]host:port[/db]')
    .option('--queue <name>', 'queue name (workers must serve the same)', DEFAULT_QUEUE)
    .option('--job-id <id>', 'job id (default: generated); resubmitting an id reuses its finished shards')
    .option('--redis-wait <seconds>', 'how long Redis may be out of reach mid-job before giving up (the shards go on)', intArg(1, 86_400), 60)
    .option('--json', 'machine-readable result on stdout, no progress lines')
    .option('--quiet', 'no progress bar or lines');
}

/** The queue name and Redis URL checked, Redis reached: everything before the job is submitted. */
async function openQueue(flags: QueueFlags): Promise<RedisTarget> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(flags.queue)) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Invalid --queue '${flags.queue}': letters, digits, '_', '.', '-'`);
  }
  if (flags.jobId !== undefined) checkJobId(flags.jobId);
  const redis = parseRedisUrl(flags.redis);
  await checkReachable(redis);
  return redis;
}

/** A line on stderr, unless the output is JSON or quiet. */
function noteFor(flags: QueueFlags): (line: string) => void {
  return flags.json || flags.quiet ? () => undefined : (line) => process.stderr.write(`mfrec: ${printable(line)}\n`);
}

export function registerBatch(program: Command): void {
  const batch = program.command('batch').description('submit a job as shards on a BullMQ queue (Redis) for `mfrec worker` processes, and wait for it');
  registerBatchRecommend(batch);
  registerBatchEvaluate(batch);
  registerBatchTune(batch);
}

interface RecommendFlags extends QueueFlags {
  model: string;
  k: number;
  shards: number;
  out: string;
  manifest?: string;
  keepSeen?: boolean;
  rawIds?: boolean;
}

function registerBatchRecommend(batch: Command): void {
  const cmd = batch
    .command('recommend')
    .description('top-k items for every user of a model, one shard per part of the users; writes a manifest when all are done')
    .requiredOption('--model <file>', 'model file on a path every worker can read (its checksum is checked by each)')
    .option('--k <n>', 'items per user', intArg(1), 10)
    .requiredOption('--shards <n>', 'shards to split the users into', intArg(1, 10_000))
    .requiredOption('--out <dir|url>', 'folder for one CSV per shard (part-00001-of-00008.csv...), or postgres://…?table=NAME (swapped in whole at the end)')
    .option('--manifest <file>', 'where the manifest goes (default: manifest.json in the --out folder; none for PostgreSQL unless given)')
    .option('--keep-seen', 'keep items the user already interacted with')
    .option('--raw-ids', 'write ids exactly as they are in the CSV files (no spreadsheet guard)');
  addQueueFlags(cmd).action(async (flags: RecommendFlags) => {
    const manifestFile = flags.manifest ?? (isPostgresUrl(flags.out) ? undefined : path.join(flags.out, 'manifest.json'));
    // The default manifest's folder is made with the --out folder; one given must be writable now, before any work.
    await checkOutputPaths([{ flag: '--manifest', path: flags.manifest }], [{ flag: '--model', path: flags.model }]);
    const redis = await openQueue(flags);
    const note = noteFor(flags);
    const progress = createProgress(!flags.json && !flags.quiet);
    let announced = false;
    const manifest = await (async () => {
      try {
        return await runRecommendJob(redis, {
          model: flags.model,
          k: flags.k,
          shards: flags.shards,
          out: flags.out,
          queue: flags.queue,
          redisWaitMs: flags.redisWait * 1000,
          filterSeen: !flags.keepSeen,
          rawIds: flags.rawIds === true,
          ...(flags.jobId !== undefined ? { job: flags.jobId } : {}),
          ...(manifestFile !== undefined ? { manifest: manifestFile } : {}),
          onChange: (s, all, sizes) => {
            if (!announced) {
              announced = true;
              progress.start(
                'recommending',
                sizes.reduce((a, b) => a + b, 0),
              );
            }
            progress.update(all.reduce((n, t) => n + (t.state === 'done' ? sizes[t.index]! : t.progress), 0));
            if (s.state === 'done' && !process.stderr.isTTY) {
              const r = s.result as { users: number; rows: number; worker: string; seconds: number };
              note(`shard ${s.index + 1}/${all.length} done: ${r.users} users, ${r.rows} rows (${r.worker}, ${r.seconds.toFixed(1)} s)`);
            }
          },
        });
      } finally {
        progress.stop();
      }
    })();
    if (manifestFile !== undefined) await writeManifest(manifestFile, manifest);
    if (flags.json) return printJson(manifest);
    note(`job ${manifest.job}: ${manifest.users} users, ${manifest.rows} rows in ${manifest.shards.length} shards, ${manifest.seconds.toFixed(1)} s`);
    if (manifestFile !== undefined) note(`manifest: ${manifestFile}`);
  });
}

interface EvaluateFlags extends QueueFlags, ReadFlags {
  test: string;
  models?: string;
  k: number;
  seed?: number;
  threads?: number;
}

function modelList(text: string | undefined): ModelType[] {
  if (text === undefined) return [...MODEL_TYPES];
  const names = text.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(MODEL_TYPES as readonly string[]).includes(n)) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Unknown model '${n}' in --models: use ${MODEL_TYPES.join(', ')}`);
    }
  }
  return [...new Set(names)] as ModelType[];
}

function registerBatchEvaluate(batch: Command): void {
  const cmd = batch
    .command('evaluate')
    .description('train each model family with its defaults on TRAIN and measure it on --test, one family per shard (as evaluate --model all)')
    .argument('<train>', 'training interactions, on a path every worker can read (or postgres://…?table=NAME)')
    .requiredOption('--test <file>', 'held-out interactions (same format as TRAIN)')
    .option('--models <list>', `families to evaluate, comma-separated (default: ${MODEL_TYPES.join(',')}; those the data cannot serve are left out)`)
    .option('--k <n>', 'ranking cut-off', intArg(1), 10)
    .option('--seed <n>', 'seed of every model', intArg(0, 0xffffffff))
    .option('--threads <n>', 'threads per training run on a worker (0 = all cores)', intArg(0, 256));
  addReadFlags(addQueueFlags(cmd)).action(async (trainFile: string, flags: EvaluateFlags) => {
    const models = modelList(flags.models);
    const read = readOptionsFrom(flags);
    const redis = await openQueue(flags);
    const note = noteFor(flags);
    // Read here once to leave out the families the data cannot serve, and to fail on a bad file before any shard is queued.
    const train = await readForModels(trainFile, read, models);
    const test = await readForModels(flags.test, read, models);
    const unfit = new Map([...train.unfit, ...test.unfit]);
    for (const [type, reason] of unfit) note(`note: ${type} left out: ${reason}`);
    const kept = models.filter((m) => !unfit.has(m));
    if (kept.length === 0) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'None of --models can learn from this data');
    const job = flags.jobId ?? newJobId('evaluate');
    const results = (await runShards(
      redis,
      kept.map((model) => ({
        kind: 'evaluate' as const,
        job,
        train: sharedLocation(trainFile),
        test: sharedLocation(flags.test),
        read,
        model,
        k: flags.k,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
      })),
      {
        queue: flags.queue,
        job,
        redisWaitMs: flags.redisWait * 1000,
        onChange: (s, all) => {
          if (s.state === 'done') note(`shard ${s.index + 1}/${all.length} done: ${kept[s.index]}`);
        },
      },
    )) as EvaluateShardResult[];
    const rows = [...results.map((r) => r.rows[0]!), results[0]!.rows.at(-1)!];
    const summary = { job, k: flags.k, users: results[0]!.users, droppedTestInteractions: results[0]!.droppedTestInteractions, rows };
    if (flags.json) return printJson(summary);
    const header = ['model', `P@${flags.k}`, `recall@${flags.k}`, `NDCG@${flags.k}`, `MAP@${flags.k}`, 'fit s', 'RMSE'];
    for (const cells of [
      header,
      ...rows.map((r) => [
        r.model,
        ...[r.ranking.precision, r.ranking.recall, r.ranking.ndcg, r.ranking.map].map((x) => x.toFixed(4)),
        r.fitSeconds === null ? '–' : r.fitSeconds.toFixed(2),
        r.rmse === null ? '–' : r.rmse.toFixed(4),
      ]),
    ]) {
      process.stdout.write(`${cells.map((c, j) => (j === 0 ? c.padEnd(12) : c.padStart(10))).join('')}\n`);
    }
    process.stdout.write(`${summary.users} users evaluated\n`);
  });
}

type BatchTuneFlags = QueueFlags & Omit<TuneFlags, 'model' | 'json' | 'quiet'> & { model: TunableModel };

function registerBatchTune(batch: Command): void {
  const cmd = batch
    .command('tune')
    .description('search hyperparameters as mfrec tune does, each trial a shard; retrains the best on all of TRAIN here')
    .argument('<train>', 'training interactions, on a path every worker can read (or postgres://…?table=NAME)')
    .addOption(new Option('--model <type>', 'model to tune').choices([...TUNABLE_MODELS]).makeOptionMandatory())
    .option('--metric <name>', 'objective, as mfrec tune (default: ndcg@10, rmse for explicit)')
    .option('--budget <n>', 'training budget in full-length trials', intArg(1, 100_000), 20)
    .addOption(new Option('--strategy <s>', 'random search, or successive halving on iterations').choices(['random', 'halving']).default('halving'))
    .option('--space <json>', 'ranges replacing the defaults, as mfrec tune')
    .option('--seed <n>', 'seed of the draws, the validation split and the models', intArg(0, 0xffffffff), 42)
    .option('--threads <n>', 'threads per training run (0 = all cores)', intArg(0, 256), 0)
    .option('--out <model>', 'save the final model (best configuration, trained on all of TRAIN)')
    .option('--trials <file>', 'write every trial and the best configuration as JSON (as mfrec tune --trials)')
    .option('--fixed-defaults', 'start from the documented fixed defaults, not those adapted to the data');
  addReadFlags(addQueueFlags(addValidationFlags(cmd))).action(async (trainFile: string, flags: BatchTuneFlags) => {
    await checkOutputPaths(
      [
        { flag: '--out', path: flags.out },
        { flag: '--trials', path: flags.trials },
      ],
      [{ flag: 'TRAIN', path: trainFile }],
    );
    const space = spaceOf(flags.space);
    const validation = validationOf({ ...flags, json: false } as TuneFlags);
    const options: Record<string, unknown> = {
      model: flags.model,
      metric: parseMetric(flags.metric ?? defaultMetric(flags.model), flags.model).name,
      budget: flags.budget,
      strategy: flags.strategy,
      validation,
      seed: flags.seed,
      threads: flags.threads,
      adaptDefaults: !flags.fixedDefaults,
      ...(space ? { space } : {}),
    };
    const plan = planSearch(flags.strategy, flags.budget, resolveSpace(flags.model, space));
    const read = readOptionsFrom(flags);
    const redis = await openQueue(flags);
    const note = noteFor(flags);
    const train = (await readForModel(trainFile, read, flags.model)).interactions;
    checkValidationData(validation, train, trainFile);
    const job = flags.jobId ?? newJobId('tune');
    const progress = createProgress(!flags.json && !flags.quiet);
    progress.start('tuning', plan.trials);
    let done = 0;
    const result = await (async () => {
      try {
        return await batchTune(redis, trainFile, read, train, {
          options,
          queue: flags.queue,
          job,
          redisWaitMs: flags.redisWait * 1000,
          onTrial: (t) => {
            progress.update(++done);
            if (!process.stderr.isTTY) note(`trial ${t.id + 1}/${plan.trials}: ${options.metric} ${Number.isNaN(t.score) ? '–' : t.score.toFixed(4)}`);
          },
        });
      } finally {
        progress.stop();
      }
    })();
    if (flags.out !== undefined) await result.model.save(flags.out);
    if (flags.trials !== undefined) await writeFileAtomic(flags.trials, Buffer.from(`${JSON.stringify(tuneResultToJson(result), null, 2)}\n`));
    if (flags.json) {
      return printJson({
        job,
        model: result.modelType,
        metric: result.metric,
        direction: result.direction,
        strategy: result.strategy,
        budget: flags.budget,
        validation: result.validation,
        trials: result.trials.length,
        seconds: result.seconds,
        best: trialToJson(result.best),
        finalParams: result.model.params,
        ...(flags.out ? { out: flags.out } : {}),
        ...(flags.trials ? { trialsFile: flags.trials } : {}),
      });
    }
    printTable([
      ['job', job],
      ['search', `${result.modelType}, ${searchShape(result)}, ${result.trials.length} trials in ${result.seconds.toFixed(1)} s`],
      ['validation', describeValidation(result.validation)],
      ['best', `${result.metric} ${result.best.score.toFixed(4)} (trial ${result.best.id}, configuration ${result.best.config})`],
      ['params', formatParams(bestParams(result))],
      ...(flags.out ? ([['saved', flags.out]] as Array<[string, string]>) : []),
      ...(flags.trials ? ([['trials', flags.trials]] as Array<[string, string]>) : []),
    ]);
  });
}
