/**
 * K-fold cross-validation of an explicit-rating model: a fresh model per fold
 * (from `create`), trained on the other folds and scored on this one.
 */
import { Interactions } from '../data/interactions.js';
import { kFold } from '../data/split.js';
import { ExplicitMF } from '../models/explicit/explicit-mf.js';
import { invalid, knownOptions } from '../validate.js';

export interface FoldResult {
  rmse: number;
  mae: number;
  /** Wall-clock seconds to train and evaluate this fold. */
  seconds: number;
}

export interface CrossValidation {
  folds: FoldResult[];
  /** Unweighted means over the folds. */
  mean: { rmse: number; mae: number };
}

/**
 * Runs `folds`-fold cross-validation (lib/data/split.ts kFold with `seed`).
 * Folds run one after the other; each model uses its own threads.
 * Defaults: folds 5, seed 42.
 */
export async function crossValidate(create: () => ExplicitMF, data: Interactions, options?: { folds?: number; seed?: number }): Promise<CrossValidation> {
  const o = knownOptions('crossValidate', options, ['folds', 'seed']);
  if (typeof create !== 'function') throw invalid('a function that returns a new ExplicitMF', 'create', create);
  if (!(data instanceof Interactions)) throw invalid('an Interactions instance', 'data', data);
  const splits = kFold(data, o as { folds?: number; seed?: number });
  const folds: FoldResult[] = [];
  for (const { train, test } of splits) {
    const model = create();
    if (!(model instanceof ExplicitMF)) throw invalid('an ExplicitMF from create()', 'create()', model);
    const start = process.hrtime.bigint();
    await model.fit(train);
    const { rmse, mae } = await model.evaluate(test);
    folds.push({ rmse, mae, seconds: Number(process.hrtime.bigint() - start) / 1e9 });
  }
  const mean = (key: 'rmse' | 'mae') => folds.reduce((s, f) => s + f[key], 0) / folds.length;
  return { folds, mean: { rmse: mean('rmse'), mae: mean('mae') } };
}
