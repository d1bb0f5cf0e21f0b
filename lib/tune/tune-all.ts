/**
 * Tunes every model family on the same data, the same validation split and
 * the same metric, and keeps the best: each family's search is tune() over
 * its own traits' ranges, and since every search with one seed holds out the
 * same interactions, their best scores compare directly.
 */
import type { Interactions } from '../data/interactions.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { MODEL_TYPES } from '../models/registry.js';
import { invalid, knownOptions } from '../validate.js';
import { isBetter, parseMetric } from './metric.js';
import type { TuneOptions } from './options.js';
import { familyOf, type FamilyRef } from './parameters.js';
import type { TuneResult } from './results.js';
import type { TrialResult } from './trial.js';
import { tune } from './tune.js';

export interface TuneAllOptions extends Omit<TuneOptions, 'model' | 'space' | 'onTrial' | 'metric'> {
  /** The families to search, in this order. Default: every family of the registry. */
  models?: readonly FamilyRef[];
  /**
   * A ranking metric ('ndcg@K', 'precision@K', 'recall@K', 'map@K',
   * 'hitrate@K', 'auc'): the one scale every family is measured on. Default 'ndcg@10'.
   */
  metric?: string;
  /** Called after every trial of every family. */
  onTrial?: (family: string, trial: TrialResult) => void;
  /** Called when a family's search is done, with its result. */
  onFamily?: (result: TuneResult) => void;
}

export interface TuneAllResult {
  /** The family whose best validation score is the best of all. */
  best: TuneResult;
  /** Every family's search, in the order searched. */
  families: TuneResult[];
  metric: string;
  direction: 'max' | 'min';
}

const OWN_OPTIONS = ['models', 'metric', 'onTrial', 'onFamily'];
const PASSED_ON = ['budget', 'strategy', 'validation', 'includeDefaults', 'adaptDefaults', 'seed', 'threads', 'signal'] as const;

/**
 * Searches each family with `budget` (per family) and resolves with every
 * family's result and the best of them. Rejects as tune() does, and with
 * ERR_MFREC_INVALID_ARGUMENT for a rating metric (rmse, mae), which ranking
 * families cannot be measured on.
 */
export async function tuneAll(train: Interactions, options: TuneAllOptions = {}): Promise<TuneAllResult> {
  const o = knownOptions('tuneAll', options, [...OWN_OPTIONS, ...PASSED_ON]) as TuneAllOptions;
  if (o.models !== undefined && (!Array.isArray(o.models) || o.models.length === 0)) throw invalid('a non-empty array of model types', 'models', o.models);
  const families = (o.models ?? MODEL_TYPES).map((m) => familyOf(m));
  const metricName = o.metric ?? 'ndcg@10';
  const metric = parseMetric(metricName, families[0]!);
  // Rating error exists for rating families only: the families could not be compared on it.
  if (metric.kind === 'rating') throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Expected a ranking metric for every family but received '${metricName}'`);
  if (o.onTrial !== undefined && typeof o.onTrial !== 'function') throw invalid('a function', 'onTrial', o.onTrial);
  if (o.onFamily !== undefined && typeof o.onFamily !== 'function') throw invalid('a function', 'onFamily', o.onFamily);

  const passed: Partial<TuneOptions> = {};
  for (const key of PASSED_ON) if (o[key] !== undefined) (passed as Record<string, unknown>)[key] = o[key];
  const results: TuneResult[] = [];
  for (const family of families) {
    const onTrial = o.onTrial;
    const result = await tune(train, {
      ...passed,
      model: family,
      metric: metric.name,
      ...(onTrial ? { onTrial: (t: TrialResult) => onTrial(family.type, t) } : {}),
    });
    results.push(result);
    o.onFamily?.(result);
  }
  let best = results[0]!;
  for (const r of results) if (isBetter(metric.direction, r.best.score, best.best.score)) best = r;
  return { best, families: results, metric: metric.name, direction: metric.direction };
}
