/**
 * The objective a search optimises: a metric name such as 'ndcg@10',
 * 'precision@5' or 'rmse', parsed once into what to compute and which way is
 * better.
 */
import { familyOf, isRatingFamily, type FamilyRef } from './parameters.js';
import { invalid } from '../validate.js';

/** Ranking metrics at a cut-off k (see docs/metrics.md), and the rating errors. */
export type RankingMetricName = 'precision' | 'recall' | 'ndcg' | 'map' | 'hitrate';
export type RatingMetricName = 'rmse' | 'mae';

export type TuneMetric =
  | { name: string; kind: 'ranking'; measure: RankingMetricName; k: number; direction: 'max' }
  | { name: string; kind: 'ranking-auc'; direction: 'max' }
  | { name: string; kind: 'rating'; measure: RatingMetricName; direction: 'min' };

const RANKING: readonly RankingMetricName[] = ['precision', 'recall', 'ndcg', 'map', 'hitrate'];
const ACCEPTED = "'precision@K', 'recall@K', 'ndcg@K', 'map@K', 'hitrate@K', 'auc' (any model), 'rmse' or 'mae' (explicit only)";

/** The metric searched when none is given: ranking quality for implicit models, rating error for explicit ones. */
export function defaultMetric(model: FamilyRef): string {
  return isRatingFamily(model) ? 'rmse' : 'ndcg@10';
}

/**
 * Parses a metric name, case-insensitively. Implicit models have no ratings
 * to predict, so 'rmse' and 'mae' only apply to the explicit model; an
 * explicit model may be tuned for ranking too (its predicted ratings rank the
 * unseen items).
 */
export function parseMetric(value: unknown, model: FamilyRef): TuneMetric {
  if (typeof value !== 'string') throw invalid(`a metric name: ${ACCEPTED}`, 'metric', value);
  const name = value.trim().toLowerCase();
  if (name === 'rmse' || name === 'mae') {
    if (!isRatingFamily(model)) throw invalid(`a ranking metric for model '${familyOf(model).type}' (${ACCEPTED})`, 'metric', value);
    return { name, kind: 'rating', measure: name, direction: 'min' };
  }
  if (name === 'auc') return { name, kind: 'ranking-auc', direction: 'max' };
  const m = /^([a-z]+)@(\d{1,6})$/.exec(name);
  const measure = m?.[1] as RankingMetricName | undefined;
  const k = m ? Number(m[2]) : NaN;
  if (measure === undefined || !RANKING.includes(measure) || !(k >= 1)) throw invalid(`a metric name: ${ACCEPTED}`, 'metric', value);
  return { name: `${measure}@${k}`, kind: 'ranking', measure, k, direction: 'max' };
}

/** True when score `a` is strictly better than `b` for this direction; NaN (a failed trial) is never better. */
export function isBetter(direction: 'max' | 'min', a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return direction === 'max' ? a > b : a < b;
}
