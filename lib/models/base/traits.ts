/**
 * The shape of a model family's traits (its traits.ts), which the registry
 * (lib/models/registry.ts) lists: kept apart from the registry so that a
 * family's traits and the registry never import each other.
 */
import type { Interactions } from '../../data/interactions.js';
import type { ValueUse } from '../../data/value-checks.js';
import type { Recommender } from './recommender.js';

/** A searchable hyperparameter's kind. */
export type ParamType = 'int' | 'float' | 'enum';

/** A default search range (see lib/tune/space.ts): numbers between bounds, or a choice among listed values. */
export type DefaultRange = { min: number; max: number; log?: boolean } | { values: readonly (number | string)[] };

/** The searchable hyperparameters every factor model has. */
export const FACTOR_PARAMETERS = { factors: 'int', iterations: 'int' } as const satisfies Record<string, ParamType>;

/** A default range searched on a log scale. */
export function logRange(min: number, max: number): DefaultRange {
  return { min, max, log: true };
}

/** Hyperparameters the CLI's model flags may set beyond factors, iterations, regularization, threads, seed and backend (the factor models' shared ones). */
export type SpecificFlag =
  | 'learningRate'
  | 'alpha'
  | 'confidence'
  | 'epsilon'
  | 'solver'
  | 'lambda'
  | 'neighbours'
  | 'weighting'
  | 'shrink'
  | 'beta'
  | 'normalize';

export interface ModelTraits<M extends Recommender = Recommender> {
  /**
   * 'rating': predicts ratings, scored by rating error (RMSE), trained on
   * values as ratings, early stopping on validation ratings; 'ranking':
   * ranks items for users, scored by ranking metrics.
   */
  kind: 'rating' | 'ranking';
  /**
   * What the model makes of the values, for the checks before training
   * (lib/data/value-checks.ts). Default: 'ratings' for a rating model,
   * 'presence' for a ranking model.
   */
  values?: ValueUse;
  /** The name reports show, e.g. 'ALS'. */
  label: string;
  /** A new model from (unchecked) options; throws the model's own errors. */
  create(options: Record<string, unknown>): M;
  /** Checks options as the constructor does, without building a model. */
  checkOptions(options: Record<string, unknown>): void;
  defaults: Readonly<Record<string, unknown>>;
  /**
   * Defaults chosen from the training data, which replace some of
   * `defaults` when the user sets none of them (the CLI, compareModels and
   * tune apply them; `--fixed-defaults` and `adaptDefaults: false` turn
   * them off). Absent: the fixed defaults suit any data.
   */
  adaptDefaults?: (data: Interactions) => Readonly<Record<string, unknown>>;
  /**
   * Options added after files of the family were first written, with the
   * value those older files were fitted with: loading a file that lacks one
   * takes this value, not today's default (which may differ).
   */
  olderFileParams?: Readonly<Record<string, unknown>>;
  /** The CLI flags of {@link SpecificFlag} this model takes. */
  flags: readonly SpecificFlag[];
  /**
   * What a search may vary and its types. Left out on purpose: threads,
   * seed and backend (how to run, not what to learn: tune()'s own options),
   * booleans, and the explicit model's early stopping and unknown-id policy
   * (the search sets those itself).
   */
  parameters: Readonly<Record<string, ParamType>>;
  /**
   * Default ranges, centred on the defaults (chosen on MovieLens 100K) and
   * wide enough to cover other catalogues. Iterations are not searched by
   * default: more sweeps rarely hurt, and successive halving uses them as
   * the budget axis. A family without an `iterations` parameter (a one-shot
   * fit) is searched by plain random search over these ranges.
   */
  ranges: Readonly<Record<string, DefaultRange>>;
}
