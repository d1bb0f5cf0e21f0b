/**
 * The outcome of a search, and its JSON form: the shape `mfrec tune
 * --trials` writes and that reports read to plot the metric against each
 * hyperparameter.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { ParamValue } from './parameters.js';
import type { SearchPlan, Strategy } from './plan.js';
import type { Dimension, SearchSpace } from './space.js';
import { rankTrials } from './successive-halving.js';
import type { TrialResult } from './trial.js';
import type { TunedModel } from './trial-model.js';
import type { ResolvedValidation } from './validation-split.js';

export interface TuneResult {
  /** The best trial at full length (the last rung of halving). */
  best: TrialResult;
  /** Every trial, in the order run. */
  trials: TrialResult[];
  /** The normalized metric name, e.g. 'ndcg@10' or 'rmse'. */
  metric: string;
  direction: 'max' | 'min';
  /** A new model with the best hyperparameters, trained on all the data given to tune(). */
  model: TunedModel;
  /** The tuned family's type ('als', ...). */
  modelType: string;
  strategy: Strategy;
  plan: SearchPlan;
  space: SearchSpace;
  validation: ResolvedValidation;
  seed: number;
  /** Wall-clock seconds of the whole search, final training included. */
  seconds: number;
}

/**
 * The trial a search picks: the best of its last rung (configurations that
 * trained the full length), or the best of all when none of those
 * succeeded. Throws the first failure when every trial failed.
 */
export function pickBest(trials: readonly TrialResult[], direction: 'max' | 'min'): TrialResult {
  const lastRung = Math.max(...trials.map((t) => t.rung ?? 0));
  for (const pool of [trials.filter((t) => (t.rung ?? 0) === lastRung), trials]) {
    const best = rankTrials(pool, direction)[0];
    if (best !== undefined && !Number.isNaN(best.score)) return best;
  }
  const failed = trials.find((t) => t.error !== undefined);
  throw new MfrecError(
    failed?.error?.code ?? ErrorCodes.DIVERGED,
    `Every trial failed; the first: ${failed?.error?.message ?? 'no score'}. Narrow the search space (smaller learning rates, larger regularization)`,
  );
}

/** JSON has no NaN or Infinity: those become null. */
function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export interface TrialJson {
  id: number;
  config: number;
  rung: number | null;
  params: Record<string, ParamValue>;
  score: number | null;
  metrics: Record<string, number | null>;
  iterations: number;
  seconds: number;
  error: { code: string; message: string } | null;
}

export interface TuneResultJson {
  format: 'mfrec-tune';
  version: 1;
  model: string;
  metric: string;
  direction: 'max' | 'min';
  strategy: Strategy;
  seed: number;
  validation: ResolvedValidation;
  plan: { strategy: Strategy; rungs: Array<{ configurations: number; iterations: number | null }>; trials: number; cost: number };
  /** The searched dimensions, with their scale: plots use a log axis where `log` is true. */
  space: Dimension[];
  best: TrialJson;
  /** The complete hyperparameters of the returned model (defaults filled in, as saved in its file). */
  finalParams: Record<string, unknown>;
  seconds: number;
  trials: TrialJson[];
}

export function trialToJson(t: TrialResult): TrialJson {
  return {
    id: t.id,
    config: t.config,
    rung: t.rung ?? null,
    params: { ...t.params },
    score: finite(t.score),
    metrics: Object.fromEntries(Object.entries(t.metrics).map(([k, v]) => [k, finite(v)])),
    iterations: t.iterations,
    seconds: t.seconds,
    error: t.error ?? null,
  };
}

/** A plain, JSON-serializable description of a search and all its trials. */
export function tuneResultToJson(result: TuneResult): TuneResultJson {
  return {
    format: 'mfrec-tune',
    version: 1,
    model: result.modelType,
    metric: result.metric,
    direction: result.direction,
    strategy: result.strategy,
    seed: result.seed,
    validation: { ...result.validation },
    plan: { ...result.plan, rungs: result.plan.rungs.map((r) => ({ configurations: r.configurations, iterations: r.iterations ?? null })) },
    space: result.space.dimensions.map((d) => ({ ...d })),
    best: trialToJson(result.best),
    finalParams: { ...(result.model.params as Record<string, unknown>) },
    seconds: result.seconds,
    trials: result.trials.map(trialToJson),
  };
}
