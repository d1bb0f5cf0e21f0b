/**
 * `mfrec batch tune`: the search of `mfrec tune`, its trials run as shards.
 * The plan, the configurations (drawn from the seed), the promotion between
 * rungs and the pick of the best are tune()'s own pieces; each rung's trials
 * go to the queue together (they are independent), the next rung waits for
 * the ranking of the last. The final model is trained here, on all of TRAIN,
 * as tune() trains it, so the result is the usual tuning output.
 */
import type { Interactions } from '../data/interactions.js';
import type { ReadOptions } from '../data/read-delimited.js';
import { ErrorCodes, MfrecError, type ErrorCode } from '../errors.js';
import { adaptedDefaults } from '../models/registry.js';
import { resolveTuneOptions } from '../tune/options.js';
import { planSearch } from '../tune/plan.js';
import { pickBest, type TuneResult } from '../tune/results.js';
import { defaultConfiguration, sampleConfiguration, type Configuration } from '../tune/sampler.js';
import { rankTrials } from '../tune/successive-halving.js';
import type { TrialResult } from '../tune/trial.js';
import { fitBestModel } from '../tune/trial-model.js';
import type { TuneTrialShard } from './jobs.js';
import type { RedisTarget } from './redis-url.js';
import { sharedLocation } from './shared-location.js';
import { runShards } from './submit.js';
import type { TuneTrialResult } from './tune-trial.js';

export interface BatchTuneOptions {
  /** tune()'s options, JSON only (no callbacks, no signal). */
  options: Record<string, unknown>;
  queue: string;
  job: string;
  /** How long Redis may be out of reach mid-job (ms). */
  redisWaitMs: number;
  /** Called as each trial comes back (in shard order within a rung). */
  onTrial?: (trial: TrialResult) => void;
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

export async function batchTune(redis: RedisTarget, trainFile: string, read: ReadOptions, train: Interactions, b: BatchTuneOptions): Promise<TuneResult> {
  const started = process.hrtime.bigint();
  const o = resolveTuneOptions(b.options);
  if (train.nnz === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'tune needs at least one interaction');
  const plan = planSearch(o.strategy, o.budget, o.space);
  const base = o.adaptDefaults ? adaptedDefaults(o.family.traits, train) : {};
  const defaults = o.includeDefaults ? defaultConfiguration(o.space, { ...o.family.traits.defaults, ...base }) : undefined;
  const configuration = (index: number): Configuration =>
    index === 0 && defaults !== undefined ? { ...defaults } : sampleConfiguration(o.space, o.seed, index);

  const trials: TrialResult[] = [];
  let survivors = Array.from({ length: plan.rungs[0]!.configurations }, (_, index) => index);
  for (let r = 0; r < plan.rungs.length; r++) {
    const rung = plan.rungs[r]!;
    const inRung = plan.strategy === 'halving' ? r : undefined;
    const shards: TuneTrialShard[] = survivors.map((config) => ({
      kind: 'tune-trial',
      job: b.job,
      train: sharedLocation(trainFile),
      read,
      options: b.options,
      config,
      params: rung.iterations === undefined ? configuration(config) : { ...configuration(config), iterations: rung.iterations },
      rung: inRung ?? null,
    }));
    const results = (await runShards(redis, shards, { queue: b.queue, job: `${b.job}-r${r}`, redisWaitMs: b.redisWaitMs })) as TuneTrialResult[];
    const rungTrials = results.map((t, i): TrialResult => {
      const trial: TrialResult = {
        id: trials.length + i,
        config: shards[i]!.config,
        params: shards[i]!.params,
        score: t.score ?? NaN,
        metrics: t.metrics,
        seconds: t.seconds,
        iterations: t.iterations,
      };
      if (t.error !== null) trial.error = { code: t.error.code as ErrorCode, message: t.error.message };
      if (inRung !== undefined) trial.rung = inRung;
      return trial;
    });
    for (const t of rungTrials) b.onTrial?.(t);
    trials.push(...rungTrials);
    const next = plan.rungs[r + 1];
    if (next !== undefined)
      survivors = rankTrials(rungTrials, o.metric.direction)
        .slice(0, next.configurations)
        .map((t) => t.config);
  }

  const best = pickBest(trials, o.metric.direction);
  const model = await fitBestModel(o.family, best, { threads: o.threads, seed: o.seed }, base, train);
  return {
    best,
    trials,
    metric: o.metric.name,
    direction: o.metric.direction,
    model,
    modelType: o.family.type,
    strategy: plan.strategy,
    plan,
    space: o.space,
    validation: o.validation,
    seed: o.seed,
    seconds: seconds(started),
  };
}
