/**
 * Scores one configuration: trains a model on each validation split of the
 * training data and measures the metric on the held-out part; with k folds
 * the fold results are averaged.
 */
import type { Split } from '../data/split.js';
import { modelScorer, popularityScorer } from '../eval/compare-ranking.js';
import { evaluateRanking, type RankingMetrics, type UserScorer } from '../eval/ranking.js';
import { evaluateTopK } from '../eval/top-k-ranking.js';
import type { RatingModel } from '../models/registry.js';
import type { IterationReport } from '../models/base/training.js';
import type { TuneMetric } from './metric.js';
import type { TuneFamily } from './parameters.js';
import type { Configuration } from './sampler.js';
import { createTrialModel, type TunedModel } from './trial-model.js';

export interface Measurement {
  /** The searched metric (mean over folds). */
  score: number;
  /** Every metric computed on the way (means over folds), keyed like 'precision@10' or 'rmse'. */
  metrics: Record<string, number>;
  /**
   * Iterations of the measured model: the configuration's, or for an
   * early-stopped explicit trial the best epoch kept (mean over folds,
   * rounded); 0 for a one-shot family.
   */
  iterations: number;
}

export interface ObjectiveSettings {
  family: TuneFamily;
  metric: TuneMetric;
  threads: number;
  seed: number;
  signal?: AbortSignal | undefined;
  /** Options under every configuration (the defaults the family adapted to the data). */
  base?: Readonly<Record<string, unknown>>;
}

/** The ranking metrics reported for every trial, keyed with their cut-off ('precision@10'). */
function keyed(m: Omit<RankingMetrics, 'users' | 'k' | 'auc'> & { auc?: number }, k: number): Record<string, number> {
  const out: Record<string, number> = {
    [`precision@${k}`]: m.precision,
    [`recall@${k}`]: m.recall,
    [`ndcg@${k}`]: m.ndcg,
    [`map@${k}`]: m.map,
    [`hitrate@${k}`]: m.hitRate,
    [`coverage@${k}`]: m.coverage,
  };
  if (m.auc !== undefined) out.auc = m.auc;
  return out;
}

/**
 * Top-k metrics from the native top-k kernel (evaluateTopK), unless the
 * search optimises AUC, which needs every item's score (evaluateRanking).
 */
async function rankingMetrics(
  model: TunedModel,
  split: Split,
  popular: UserScorer | undefined,
  metric: TuneMetric,
  threads: number,
  signal: AbortSignal | undefined,
): Promise<Record<string, number>> {
  if (metric.kind === 'ranking-auc') {
    return keyed(evaluateRanking(modelScorer(model, split.train, popular ?? popularityScorer(split.train)), split.train, split.test), 10);
  }
  const k = metric.kind === 'ranking' ? metric.k : 10;
  return keyed(await evaluateTopK(model, split.train, split.test, { k, threads, ...(signal ? { signal } : {}) }), k);
}

/** The first epoch with the lowest validation RMSE: the one ExplicitMF's early stopping keeps. */
function bestEpoch(reports: IterationReport[]): number {
  let best = 0;
  let bestRmse = Infinity;
  for (const r of reports) {
    if (r.validationRmse !== undefined && r.validationRmse < bestRmse) {
      bestRmse = r.validationRmse;
      best = r.iteration;
    }
  }
  return best > 0 ? best : reports.length;
}

export class Objective {
  private readonly popular: UserScorer[];
  private readonly earlyStopping: boolean;

  constructor(
    private readonly splits: Split[],
    private readonly settings: ObjectiveSettings,
  ) {
    const ranking = settings.metric.kind !== 'rating';
    // evaluateRanking's popularity fallback (for users a model does not know) depends on the split only: built once.
    this.popular = settings.metric.kind === 'ranking-auc' ? splits.map((s) => popularityScorer(s.train)) : [];
    this.earlyStopping = settings.family.traits.kind === 'rating' && !ranking;
  }

  get folds(): number {
    return this.splits.length;
  }

  async measure(config: Configuration): Promise<Measurement> {
    const { family, metric, threads, seed, signal } = this.settings;
    const sums: Record<string, number> = {};
    let iterations = 0;
    for (let f = 0; f < this.splits.length; f++) {
      const split = this.splits[f]!;
      const model = createTrialModel(family, config, { threads, seed, earlyStopping: this.earlyStopping }, this.settings.base);
      const reports: IterationReport[] = [];
      const onIteration = (r: IterationReport) => void reports.push(r);
      let metrics: Record<string, number>;
      // Rating models stop early on the split's held-out ratings (fit's validation set).
      await model.fit(split.train, { onIteration, signal, ...(this.earlyStopping ? { validation: split.test } : {}) });
      if (metric.kind === 'rating') {
        const e = await (model as RatingModel).evaluate(split.test);
        metrics = { rmse: e.rmse, mae: e.mae };
      } else {
        metrics = await rankingMetrics(model, split, this.popular[f], metric, threads, signal);
      }
      iterations += this.earlyStopping ? bestEpoch(reports) : typeof config.iterations === 'number' ? reports.length : 0;
      for (const [key, value] of Object.entries(metrics)) sums[key] = (sums[key] ?? 0) + value;
      await model.dispose();
    }
    const n = this.splits.length;
    const metrics = Object.fromEntries(Object.entries(sums).map(([key, s]) => [key, s / n]));
    return { score: metrics[metric.name]!, metrics, iterations: Math.round(iterations / n) };
  }
}
