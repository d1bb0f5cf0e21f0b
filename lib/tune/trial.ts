/** What a search records about each training-and-scoring run. */
import type { ErrorCode } from '../errors.js';
import type { ParamValue } from './parameters.js';
import type { Configuration } from './sampler.js';

export interface TrialResult {
  /** 0-based, in the order trials ran. */
  id: number;
  /** Which configuration this is (halving scores one configuration in several rungs); 0 is the model's defaults when they lie in the space. */
  config: number;
  /** The hyperparameters trained with, iterations included. */
  params: Record<string, ParamValue>;
  /** The searched metric on the validation data (mean over folds); NaN when training failed. */
  score: number;
  /** Every metric measured (means over folds), e.g. 'precision@10', 'ndcg@10', 'auc', or 'rmse' and 'mae'. */
  metrics: Record<string, number>;
  /** Wall-clock seconds to train and score on every fold. */
  seconds: number;
  /** Iterations of the scored model: params.iterations, or the best epoch kept by early stopping (explicit, rating metrics). */
  iterations: number;
  /** Successive halving: the 0-based rung. Absent for random search. */
  rung?: number;
  /** Why training failed (ERR_MFREC_DIVERGED and its message), when it did. */
  error?: { code: ErrorCode; message: string };
}

/**
 * Trains and scores `config` (whose iterations are already set) as
 * configuration number `index`, optionally in rung `rung`; records the
 * trial and returns it.
 */
export type TrialRunner = (config: Configuration, index: number, rung: number | undefined) => Promise<TrialResult>;
