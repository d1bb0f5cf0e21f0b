/**
 * Builds the model a trial trains from a configuration: the searched
 * hyperparameters plus how to run (threads, seed) and, for the explicit
 * model scored on rating error, early stopping on the validation ratings.
 */
import { BPR } from '../models/bpr/bpr.js';
import { ExplicitMF } from '../models/explicit/explicit-mf.js';
import { ImplicitALS } from '../models/als/implicit-als.js';
import type { AnyModel } from '../models/registry.js';
import type { TunableModel } from './parameters.js';
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

export function createTrialModel(model: TunableModel, config: Configuration, run: RunSettings): TunedModel {
  const common = { ...config, threads: run.threads, seed: run.seed };
  switch (model) {
    case 'als':
      return new ImplicitALS(common as ConstructorParameters<typeof ImplicitALS>[0]);
    case 'bpr':
      return new BPR(common as ConstructorParameters<typeof BPR>[0]);
    case 'explicit':
      return new ExplicitMF({
        ...(common as ConstructorParameters<typeof ExplicitMF>[0]),
        earlyStopping: run.earlyStopping ? { patience: EXPLICIT_PATIENCE } : false,
      });
  }
}
