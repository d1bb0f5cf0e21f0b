/**
 * Ranking evaluation of trained models side by side with the popularity
 * baseline, on the same held-out data in the same run.
 */
import { Interactions } from '../data/interactions.js';
import { Recommender } from '../models/base/recommender.js';
import { invalid } from '../validate.js';
import { Popularity } from '../models/popularity/popularity.js';
import { evaluateRanking, type RankingMetrics, type UserScorer } from './ranking.js';

export interface RankingComparison {
  k: number;
  /** Users evaluated (with at least one held-out item). */
  users: number;
  /** Metrics per model name; always includes `popularity`. */
  models: Record<string, RankingMetrics>;
}

/**
 * Scores through a model's own id maps: users and items are matched by raw
 * id, so the model may have been trained on any data sharing those ids.
 * Items the model does not know score NaN (ranked last); users it does not
 * know get popularity scores (the model's documented cold-start behaviour).
 */
export function modelScorer(model: Recommender, train: Interactions, fallback: UserScorer): UserScorer {
  if (!(model instanceof Recommender)) throw invalid('a trained model', 'model', model);
  if (!(train instanceof Interactions)) throw invalid('an Interactions object', 'train', train);
  if (typeof fallback !== 'function') throw invalid('a function (user, out) => void', 'fallback', fallback);
  const modelItemIds = model.itemIds;
  const modelIndexOfTrainItem = new Int32Array(train.nItems).fill(-1);
  const position = new Map(modelItemIds.map((id, i) => [String(id), i]));
  for (let i = 0; i < train.nItems; i++) modelIndexOfTrainItem[i] = position.get(String(train.items.id(i))) ?? -1;
  return (user, out) => {
    const scores = model.scoreItems(train.users.id(user));
    if (scores === undefined) return fallback(user, out);
    for (let i = 0; i < out.length; i++) {
      const m = modelIndexOfTrainItem[i]!;
      out[i] = m < 0 ? NaN : scores[m]!;
    }
  };
}

export function popularityScorer(train: Interactions): UserScorer {
  if (!(train instanceof Interactions)) throw invalid('an Interactions object', 'train', train);
  const popularity = new Popularity().fit(train);
  const scores = Float32Array.from({ length: train.nItems }, (_, i) => popularity.popularity(train.items.id(i)));
  return (_user, out) => out.set(scores);
}

/** Evaluates `models` (name → trained model) and popularity at k. `train` and `test` share id maps. */
export function compareRanking(models: Record<string, Recommender>, train: Interactions, test: Interactions, options: { k?: number } = {}): RankingComparison {
  if (models === null || typeof models !== 'object' || Array.isArray(models)) throw invalid('an object of name → model', 'models', models);
  for (const [name, model] of Object.entries(models)) {
    if (!(model instanceof Recommender)) throw invalid('a trained model', `models.${name}`, model);
    if (name === 'popularity') throw invalid("a model name other than 'popularity' (the baseline's)", 'models', name);
  }
  const popular = popularityScorer(train);
  const results: Record<string, RankingMetrics> = {};
  // Own properties whatever the name (an assignment to '__proto__' would set the prototype instead).
  const put = (name: string, metrics: RankingMetrics) =>
    Object.defineProperty(results, name, { value: metrics, enumerable: true, writable: true, configurable: true });
  for (const [name, model] of Object.entries(models)) {
    put(name, evaluateRanking(modelScorer(model, train, popular), train, test, options));
  }
  put('popularity', evaluateRanking(popular, train, test, options));
  return { k: results.popularity!.k, users: results.popularity!.users, models: results };
}
