/**
 * Hyperparameter search for the factor models: draws configurations, scores
 * each on a validation split of the training data, and returns the best
 * configuration with a model retrained on all of that data.
 *
 * Trials run one after another, each with all the threads it is given. The
 * kernels already parallelise every iteration over users and items, so
 * running trials side by side would only make them compete for the same
 * cores (and caches, and memory bandwidth) while making timings and
 * halving decisions depend on scheduling.
 */
import { Interactions } from '../data/interactions.js';
import { ErrorCodes, MfrecError, isMfrecError } from '../errors.js';
import { cutoff, invalid } from '../validate.js';
import { Objective } from './objective.js';
import { resolveTuneOptions, type TuneOptions } from './options.js';
import { planSearch } from './plan.js';
import { randomSearch } from './random-search.js';
import { pickBest, type TuneResult } from './results.js';
import { defaultConfiguration, sampleConfiguration, type Configuration } from './sampler.js';
import { successiveHalving } from './successive-halving.js';
import type { TrialResult, TrialRunner } from './trial.js';
import { createTrialModel, fitBestModel } from './trial-model.js';
import { adaptedDefaults } from '../models/registry.js';
import { validationSplits } from './validation-split.js';

/** Failures that condemn a configuration, not the search: the trial is recorded with a NaN score. */
const TRIAL_FAILURES: readonly string[] = [ErrorCodes.DIVERGED, ErrorCodes.OUT_OF_MEMORY];

function aborted(): MfrecError {
  return new MfrecError(ErrorCodes.ABORTED, 'The search was aborted');
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

/**
 * Searches the hyperparameters of `options.model` on `train` and resolves
 * with every trial, the best one and a model trained on all of `train` with
 * the best hyperparameters. Same seed, same configurations (and, with
 * `threads: 1` or for ALS, the same scores).
 *
 * Rejects with ERR_MFREC_UNKNOWN_OPTION for a misspelled option or space
 * name, ERR_MFREC_INVALID_ARGUMENT for a bad value or range,
 * ERR_MFREC_EMPTY_DATA when there is nothing to validate on, and
 * ERR_MFREC_ABORTED when `options.signal` aborts.
 */
export async function tune(train: Interactions, options: TuneOptions): Promise<TuneResult> {
  const started = process.hrtime.bigint();
  const o = resolveTuneOptions(options);
  if (!(train instanceof Interactions)) throw invalid('an Interactions object', 'train', train);
  if (train.nnz === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'tune needs at least one interaction');
  if (o.metric.kind === 'ranking') cutoff(`the cut-off of metric '${o.metric.name}'`, o.metric.k, train.nItems);
  const plan = planSearch(o.strategy, o.budget, o.space);
  if (o.signal?.aborted) throw aborted();

  const family = o.family;
  // The data-adapted defaults fill what a configuration leaves unset, and are configuration 0 where the space holds them.
  const base = o.adaptDefaults ? adaptedDefaults(family.traits, train) : {};
  const objective = new Objective(validationSplits(train, o.metric.kind === 'rating', o.validation, o.seed), {
    family,
    metric: o.metric,
    threads: o.threads,
    seed: o.seed,
    signal: o.signal,
    base,
  });
  const defaults = o.includeDefaults ? defaultConfiguration(o.space, { ...family.traits.defaults, ...base }) : undefined;
  const configuration = (index: number): Configuration =>
    index === 0 && defaults !== undefined ? { ...defaults } : sampleConfiguration(o.space, o.seed, index);

  const trials: TrialResult[] = [];
  const run: TrialRunner = async (params, index, rung) => {
    if (o.signal?.aborted) throw aborted();
    const start = process.hrtime.bigint();
    let trial: TrialResult;
    try {
      const m = await objective.measure(params);
      trial = { id: trials.length, config: index, params, score: m.score, metrics: m.metrics, seconds: seconds(start), iterations: m.iterations };
    } catch (e) {
      if (!isMfrecError(e) || !TRIAL_FAILURES.includes(e.code)) throw e;
      const iterations = typeof params.iterations === 'number' ? params.iterations : 0;
      trial = {
        id: trials.length,
        config: index,
        params,
        score: NaN,
        metrics: {},
        seconds: seconds(start),
        iterations,
        error: { code: e.code, message: e.message },
      };
    }
    if (rung !== undefined) trial.rung = rung;
    trials.push(trial);
    o.onTrial?.(trial);
    return trial;
  };

  if (plan.strategy === 'halving') await successiveHalving(plan, configuration, run, o.metric.direction);
  else await randomSearch(plan, configuration, run);

  const best = pickBest(trials, o.metric.direction);
  if (o.signal?.aborted) throw aborted();
  const model = await fitBestModel(family, best, { threads: o.threads, seed: o.seed, signal: o.signal }, base, train);

  return {
    best,
    trials,
    metric: o.metric.name,
    direction: o.metric.direction,
    model,
    modelType: family.type,
    strategy: plan.strategy,
    plan,
    space: o.space,
    validation: o.validation,
    seed: o.seed,
    seconds: seconds(started),
  };
}
