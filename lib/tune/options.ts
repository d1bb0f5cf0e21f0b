/** tune()'s options: checked once, defaults filled in. */
import { integer, invalid, knownOptions, oneOf, seed as checkSeed } from '../validate.js';
import { defaultMetric, parseMetric, type TuneMetric } from './metric.js';
import { familyOf, type FamilyRef, type TuneFamily } from './parameters.js';
import { DEFAULT_BUDGET, STRATEGIES, type Strategy } from './plan.js';
import { resolveSpace, type Range, type SearchSpace } from './space.js';
import type { TrialResult } from './trial.js';
import { resolveValidation, type ResolvedValidation, type ValidationOptions } from './validation-split.js';

export interface TuneOptions {
  /**
   * Which model to tune. Required. A registry type ('als', ...), or
   * `{ type, traits }` for a family outside the registry (its traits say
   * what may be searched; without an `iterations` parameter it is searched
   * by plain random search).
   */
  model: FamilyRef;
  /**
   * What to optimise on the validation data: 'ndcg@K', 'precision@K',
   * 'recall@K', 'map@K', 'hitrate@K' (any K), 'auc', or for the explicit
   * model 'rmse' and 'mae'. Default 'ndcg@10' for als and bpr, 'rmse' for explicit.
   */
  metric?: string;
  /**
   * Training budget in full-length trials: random search trains this many
   * configurations; halving spends as much training on more, shorter ones
   * (see planSearch). Default 20; integer in [1, 100000].
   */
  budget?: number;
  /**
   * 'halving' (default): successive halving on iterations, eta 3. 'random':
   * random search. A one-shot family (no iterations) always gets random search.
   */
  strategy?: Strategy;
  /** Ranges that replace the model's defaults (DEFAULT_RANGES), per hyperparameter name; a plain value fixes it. */
  space?: Partial<Record<string, Range>>;
  /**
   * How the training data is split to score configurations: a holdout
   * (default, testFraction 0.2 in (0, 0.9]) or k folds (folds default 5, in
   * [2, 20]); per user for als and bpr, uniformly over ratings for explicit.
   * `{ kind: 'time', testFraction? }` (default 0.2, in (0, 0.9]) validates on
   * the latest interactions by timestamp, for every family and metric: it
   * needs timestamps, and leaves out the latest interactions of users or items
   * not seen before them (nothing to predict them from).
   */
  validation?: ValidationOptions;
  /** Try the model's defaults as configuration 0 when they lie in the space. Default true. */
  includeDefaults?: boolean;
  /**
   * Start from the defaults the family adapts to the training data
   * (ModelTraits.adaptDefaults): they are configuration 0 and fill every
   * option a configuration leaves unset. Default true; false: the fixed defaults.
   */
  adaptDefaults?: boolean;
  /** Seed of the configuration draws, the validation split and every model (uint32). Default 42. */
  seed?: number;
  /** Threads of each training run; 0 (default) means all hardware threads. */
  threads?: number;
  /** Called after every trial, on the event loop; an exception thrown here ends the search with it. */
  onTrial?: (trial: TrialResult) => void;
  /** Aborts the search (and the fit in progress): tune() rejects with ERR_MFREC_ABORTED. */
  signal?: AbortSignal;
}

export interface ResolvedTuneOptions {
  family: TuneFamily;
  metric: TuneMetric;
  budget: number;
  strategy: Strategy;
  space: SearchSpace;
  validation: ResolvedValidation;
  includeDefaults: boolean;
  adaptDefaults: boolean;
  seed: number;
  threads: number;
  onTrial: ((trial: TrialResult) => void) | undefined;
  signal: AbortSignal | undefined;
}

const OPTION_NAMES = [
  'model',
  'metric',
  'budget',
  'strategy',
  'space',
  'validation',
  'includeDefaults',
  'adaptDefaults',
  'seed',
  'threads',
  'onTrial',
  'signal',
];

export function resolveTuneOptions(options: unknown): ResolvedTuneOptions {
  if (options === undefined) throw invalid('an options object with a model', 'tune options', options);
  const o = knownOptions('tune', options, OPTION_NAMES);
  const model = familyOf(o.model as FamilyRef);
  if (o.onTrial !== undefined && typeof o.onTrial !== 'function') throw invalid('a function', 'onTrial', o.onTrial);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw invalid('an AbortSignal', 'signal', o.signal);
  if (o.includeDefaults !== undefined && typeof o.includeDefaults !== 'boolean') throw invalid('boolean', 'includeDefaults', o.includeDefaults);
  if (o.adaptDefaults !== undefined && typeof o.adaptDefaults !== 'boolean') throw invalid('boolean', 'adaptDefaults', o.adaptDefaults);
  return {
    family: model,
    metric: parseMetric(o.metric ?? defaultMetric(model), model),
    budget: o.budget === undefined ? DEFAULT_BUDGET : integer('budget', o.budget, 1, 100_000),
    strategy: o.strategy === undefined ? 'halving' : oneOf('strategy', o.strategy, STRATEGIES),
    space: resolveSpace(model, o.space),
    validation: resolveValidation(o.validation),
    includeDefaults: (o.includeDefaults as boolean | undefined) ?? true,
    adaptDefaults: (o.adaptDefaults as boolean | undefined) ?? true,
    seed: o.seed === undefined ? 42 : checkSeed('seed', o.seed),
    threads: o.threads === undefined ? 0 : integer('threads', o.threads, 0, 256),
    onTrial: o.onTrial as ResolvedTuneOptions['onTrial'],
    signal: o.signal as AbortSignal | undefined,
  };
}
