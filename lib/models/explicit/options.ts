/** ExplicitMF's options, their defaults and their check, its state and fit control. */
import type { Interactions } from '../../data/interactions.js';
import { boolean, integer, invalid, knownOptions, number, oneOf, seed as checkSeed } from '../../validate.js';
import { BACKENDS, type BackendName } from '../base/backend.js';
import type { FactorState } from '../base/factor-state.js';
import { MAX_FACTORS, MAX_ITERATIONS, MAX_THREADS } from '../base/limits.js';
import type { FitControl } from '../base/training.js';

/** What predict() does with a user or item that had no training ratings. */
export type UnknownPolicy = 'bias' | 'error';

/** Where fit() runs its epochs: the native kernel, or its pure-TypeScript twin. */
export type ExplicitBackend = BackendName;

export interface ExplicitMFOptions {
  /** Length of the user and item vectors. Integer in [1, 1000000]. Default 128. */
  factors?: number;
  /** Epochs (passes over the training ratings). Integer in [1, 100000]. Default 80. */
  iterations?: number;
  /** SGD step size of the first epoch. In (0, 1]. Default 0.01. */
  learningRate?: number;
  /**
   * L2 penalty on the user and item vectors, per rating, for a row with the
   * average number of ratings (see the frequency scaling below). In [0, 10]. Default 0.11.
   */
  regularization?: number;
  /**
   * L2 penalty on the user and item biases, per rating for a row with the
   * average number of ratings; a row's total bias penalty does not grow with
   * its count. In [0, 10]. Default 0.04.
   */
  biasRegularization?: number;
  /** Each epoch's step is the previous one's times this factor. In (0, 1]. Default 0.98. */
  learningRateDecay?: number;
  /** Standard deviation of the initial vector entries (normal, mean 0). In [0, 10]. Default 0.02. */
  initStd?: number;
  /**
   * Threads to train and predict with; 0 means all hardware threads. Integer in [0, 256]. Default 0.
   * Training uses no more threads than the data can keep busy (2t + 1 users and items and
   * about 512 ratings per grid block, see `usefulSgdThreads`): small data trains on one thread.
   */
  threads?: number;
  /**
   * Seed of every random choice (initial vectors, grid, visiting order). A
   * uint32. Default 42. With `threads: 1` (or data small enough to train on
   * one thread) the same seed gives bit-identical models.
   */
  seed?: number;
  /**
   * Stop when the validation RMSE (fit's `validation` set, required then) has
   * not improved by more than `minDelta` (default 0) for `patience` epochs in
   * a row, and keep the best epoch's model. Default false.
   */
  earlyStopping?: { patience: number; minDelta?: number } | false;
  /**
   * Users or items without training ratings. 'bias' (default): fall back to
   * the biases, so an unknown user gets μ + b_i, an unknown item μ + b_u and
   * both unknown μ. 'error': predict, predictMany and evaluate (and fit's
   * validation) throw ERR_MFREC_UNKNOWN_ID.
   */
  unknown?: UnknownPolicy;
  /** Clamp predictions to the range of the training ratings. Default true. */
  clamp?: boolean;
  /**
   * 'native' (default): epochs run in the native kernel on `threads` threads,
   * off the event loop. 'js': epochs run in the pure-TypeScript twin
   * (lib/twins/sgd.ts) on the event loop, one epoch per turn, always
   * with the one-thread schedule (`threads` is ignored while training), so a
   * 'js' fit equals a 'native' fit with `threads: 1` and the same seed. Meant
   * for reproducing the native-versus-JavaScript comparison
   * (bench/standalone/explicit-backends.mjs): an epoch takes about 12 times as long as
   * on one native thread. Batch predictions (predictMany, evaluate) run in the
   * native kernel either way; predict() of one pair replays its arithmetic
   * (lib/addon/sgd.ts predictPair), cheaper than a call into the addon.
   */
  backend?: ExplicitBackend;
}

/** The complete options, defaults filled in: plain JSON. */
export interface ExplicitMFParams {
  factors: number;
  iterations: number;
  learningRate: number;
  regularization: number;
  biasRegularization: number;
  learningRateDecay: number;
  initStd: number;
  threads: number;
  seed: number;
  earlyStopping: { patience: number; minDelta: number } | false;
  unknown: UnknownPolicy;
  clamp: boolean;
  backend: ExplicitBackend;
}

/**
 * Defaults chosen on the MovieLens 100K folds (mean RMSE about 0.905) and
 * checked on MovieLens latest-small: many factors held small by a fairly
 * strong penalty, a small initialization, and a step that decays over 80
 * epochs until training has converged (more epochs no longer change the result).
 */
export const EXPLICIT_MF_DEFAULTS: Readonly<ExplicitMFParams> = Object.freeze({
  factors: 128,
  iterations: 80,
  learningRate: 0.01,
  regularization: 0.11,
  biasRegularization: 0.04,
  learningRateDecay: 0.98,
  initStd: 0.02,
  threads: 0,
  seed: 42,
  earlyStopping: false,
  unknown: 'bias',
  clamp: true,
  backend: 'native',
});

const OPTION_NAMES = Object.keys(EXPLICIT_MF_DEFAULTS);

/** The explicit model's state: the shared factor state with its biases present. */
export interface ExplicitState extends FactorState {
  globalBias: number;
  userBias: Float32Array;
  itemBias: Float32Array;
}

/** fit()'s control options: the shared ones plus a validation set. */
export interface ExplicitFitControl extends FitControl {
  /** Ratings to measure after each epoch (validationRmse); raw ids mapped through the model. */
  validation?: Interactions;
}

export function validateParams(options: unknown): ExplicitMFParams {
  const o = knownOptions('ExplicitMF', options, OPTION_NAMES);
  const d = EXPLICIT_MF_DEFAULTS;
  const pick = <T>(key: keyof ExplicitMFParams, check: (name: string, v: unknown) => T): T => (o[key] === undefined ? (d[key] as T) : check(key, o[key]));
  return {
    factors: pick('factors', (n, v) => integer(n, v, 1, MAX_FACTORS)),
    iterations: pick('iterations', (n, v) => integer(n, v, 1, MAX_ITERATIONS)),
    learningRate: pick('learningRate', (n, v) => number(n, v, { min: 0, max: 1, exclusiveMin: true })),
    regularization: pick('regularization', (n, v) => number(n, v, { min: 0, max: 10 })),
    biasRegularization: pick('biasRegularization', (n, v) => number(n, v, { min: 0, max: 10 })),
    learningRateDecay: pick('learningRateDecay', (n, v) => number(n, v, { min: 0, max: 1, exclusiveMin: true })),
    initStd: pick('initStd', (n, v) => number(n, v, { min: 0, max: 10 })),
    threads: pick('threads', (n, v) => integer(n, v, 0, MAX_THREADS)),
    seed: pick('seed', checkSeed),
    earlyStopping: pick('earlyStopping', earlyStoppingOf),
    unknown: pick('unknown', (n, v) => oneOf(n, v, ['bias', 'error'] as const)),
    clamp: pick('clamp', boolean),
    backend: pick('backend', (n, v) => oneOf(n, v, BACKENDS)),
  };
}

function earlyStoppingOf(name: string, value: unknown): ExplicitMFParams['earlyStopping'] {
  if (value === false) return false;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('false or { patience, minDelta? }', name, value);
  }
  const o = knownOptions(name, value, ['patience', 'minDelta']);
  return {
    patience: integer(`${name}.patience`, o.patience, 1),
    minDelta: o.minDelta === undefined ? 0 : number(`${name}.minDelta`, o.minDelta, { min: 0 }),
  };
}
