/**
 * Builds the model a trial trains from a configuration: the searched
 * hyperparameters plus how to run (threads, seed) and, for the explicit
 * model scored on rating error, early stopping on the validation ratings.
 */
import type { Interactions } from '../data/interactions.js';
import type { AnyModel } from '../models/registry.js';
import type { TuneFamily } from './parameters.js';
import type { Configuration } from './sampler.js';

export type TunedModel = AnyModel;

/**
 * Epochs without a better validation RMSE after which an explicit trial
 * stops and keeps its best epoch. The decaying step makes the validation
 * curve smooth, so a short patience does not stop on noise; it mainly cuts
 * short the configurations that overfit (small penalty, large step).
 */
export const EXPLICIT_PATIENCE = 5;

export interface RunSettings {
  threads: number;
  seed: number;
  /** Explicit model only: stop on the validation RMSE (fit must then get a validation set). */
  earlyStopping?: boolean;
}

/** `base`: options under the configuration's, such as the defaults the family adapted to the data. */
export function createTrialModel(family: TuneFamily, config: Configuration, run: RunSettings, base: Readonly<Record<string, unknown>> = {}): TunedModel {
  const options: Record<string, unknown> = { ...base, ...config, threads: run.threads };
  // Families without randomness (the item-to-item models) take no seed.
  if (Object.hasOwn(family.traits.defaults, 'seed')) options.seed = run.seed;
  // Rating models stop on their validation ratings (or explicitly not, when tuned for ranking).
  if (family.traits.kind === 'rating') options.earlyStopping = run.earlyStopping ? { patience: EXPLICIT_PATIENCE } : false;
  return family.traits.create(options) as TunedModel;
}

/**
 * The final model of a search: the best trial's hyperparameters, trained on
 * all of `train` for as long as that trial's scored model trained (its best
 * epoch under early stopping).
 */
export async function fitBestModel(
  family: TuneFamily,
  best: { params: Configuration; iterations?: number },
  run: RunSettings & { signal?: AbortSignal },
  base: Readonly<Record<string, unknown>>,
  train: Interactions,
): Promise<TunedModel> {
  const params = 'iterations' in best.params ? { ...best.params, iterations: best.iterations } : best.params;
  const model = createTrialModel(family, params as Configuration, { threads: run.threads, seed: run.seed }, base);
  await (model as { fit(data: Interactions, control: { signal?: AbortSignal }): Promise<unknown> }).fit(train, run.signal ? { signal: run.signal } : {});
  return model;
}
