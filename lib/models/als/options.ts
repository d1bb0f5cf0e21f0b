/** ImplicitALS's options, their defaults, their check and the kernels' shape of them. */
import type { AlsKernelOptions } from '../../addon/als.js';
import { boolean, integer, knownOptions, number, oneOf, seed } from '../../validate.js';
import { BACKENDS, type BackendName } from '../base/backend.js';
import { MAX_FACTORS, MAX_ITERATIONS, MAX_THREADS } from '../base/limits.js';

export interface ImplicitALSOptions {
  /** Length of each user and item vector. Default 64; integer in [1, 65536]. */
  factors?: number;
  /** Alternating sweeps (users, then items). Default 15; integer in [1, 100000]. */
  iterations?: number;
  /**
   * L2 regularization λ, >= 0. Default 0.25 with `scaleRegularization` (a
   * user with n interactions gets λ·(1 + n)); with `scaleRegularization: false`
   * λ is used as is for every row, and values around 10–20 suit MovieLens-sized data.
   */
  regularization?: number;
  /** Confidence slope: how much more an observed pair weighs than an unobserved one. Default 2; >= 0. */
  alpha?: number;
  /** How values become confidence: 'linear' (default) or 'log' (for counts with long tails). */
  confidence?: 'linear' | 'log';
  /** Scale of the 'log' confidence, c = 1 + alpha·log(1 + |value|/epsilon). Default 1; > 0. */
  epsilon?: number;
  /** 'cg' (default): a few conjugate-gradient steps per row; 'cholesky': exact solves (about 2–3× slower). */
  solver?: 'cg' | 'cholesky';
  /** Conjugate-gradient steps per row and half-sweep, warm-started from the previous vector. Default 3. */
  cgSteps?: number;
  /**
   * Frequency-scaled regularization (Rendle et al. 2021): row r with n_r
   * observed entries gets λ·(1 + n_r) instead of λ, so heavy users and
   * popular items are not under-regularized relative to rare ones. Default true.
   */
  scaleRegularization?: boolean;
  /**
   * Exponent ν of the frequency scaling: with `scaleRegularization` a row with
   * n observed entries gets λ·(1 + n)^ν. Default 1; in [0, 2]. 0 gives every
   * row the same λ; values below 1 regularize heavy users and popular items
   * less than in proportion to their activity.
   */
  regularizationExponent?: number;
  /** Compute the training loss after every iteration (reported as trainLoss; costs about one CG step). Default false. */
  calculateLoss?: boolean;
  /** Worker threads; 0 (default) means all hardware threads. The 'js' backend always uses one. */
  threads?: number;
  /** Seed of the initial factors (uint32). Default 1. With one thread, results are bit-reproducible. */
  seed?: number;
  /**
   * Where the arithmetic runs: 'native' (default; C++ kernels, threads,
   * OpenBLAS) or 'js' (the pure-TypeScript implementation of the same
   * algorithm, one thread on the event loop, yielding between iterations).
   * Both give the same factors to float rounding; 'js' exists to compare the
   * two and to run where the addon cannot load.
   */
  backend?: BackendName;
}

export type ImplicitALSParams = Required<ImplicitALSOptions>;

/**
 * Defaults, chosen on MovieLens 100K as implicit data (precision@10 0.426 on a
 * 75/25 per-user split, see bench/standalone/ml100k-ranking.mjs; the neighbourhood
 * λ 0.15–0.3, alpha 1–4, 32–128 factors stays within 0.41–0.43) and meant to
 * transfer to purchase data:
 * - frequency-scaled regularization ties λ to each row's activity, so one λ
 *   suits shops with a few very active customers and many one-time buyers
 *   (a fixed λ must be re-tuned whenever the activity distribution changes);
 * - alpha 2 makes one purchase weigh three times a non-purchase; larger alpha
 *   lost accuracy here, and with quantities as values a moderate slope keeps
 *   bulk orders from dominating (or use confidence 'log' for raw counts);
 * - 64 factors and 15 iterations: accuracy is flat from 32 to 128 factors,
 *   and 64 keeps training and scoring cheap on catalogues of 10⁴–10⁵ items;
 * - 3 warm-started CG steps match exact Cholesky solves in accuracy at a
 *   third of the cost.
 * The command line, compareModels and tune adapt confidence, alpha and
 * epsilon to values of varying size (log confidence at the data's scale, see
 * adapt.ts and docs/defaults.md); these fixed values are what a model built
 * in code gets.
 */
export const IMPLICIT_ALS_DEFAULTS: Readonly<ImplicitALSParams> = Object.freeze({
  factors: 64,
  iterations: 15,
  regularization: 0.25,
  alpha: 2,
  confidence: 'linear',
  epsilon: 1,
  solver: 'cg',
  cgSteps: 3,
  scaleRegularization: true,
  regularizationExponent: 1,
  calculateLoss: false,
  threads: 0,
  seed: 1,
  backend: 'native',
});

const OPTION_NAMES = Object.keys(IMPLICIT_ALS_DEFAULTS) as (keyof ImplicitALSParams)[];

/** Checks every option and fills in the defaults. */
export function resolveImplicitALSOptions(options?: ImplicitALSOptions): ImplicitALSParams {
  const o = knownOptions('ImplicitALS options', options, OPTION_NAMES);
  const pick = <K extends keyof ImplicitALSParams>(key: K): unknown => (o[key] === undefined ? IMPLICIT_ALS_DEFAULTS[key] : o[key]);
  return {
    factors: integer('factors', pick('factors'), 1, MAX_FACTORS),
    iterations: integer('iterations', pick('iterations'), 1, MAX_ITERATIONS),
    regularization: number('regularization', pick('regularization'), { min: 0 }),
    alpha: number('alpha', pick('alpha'), { min: 0 }),
    confidence: oneOf('confidence', pick('confidence'), ['linear', 'log'] as const),
    epsilon: number('epsilon', pick('epsilon'), { min: 0, exclusiveMin: true }),
    solver: oneOf('solver', pick('solver'), ['cg', 'cholesky'] as const),
    cgSteps: integer('cgSteps', pick('cgSteps'), 1, 1000),
    scaleRegularization: boolean('scaleRegularization', pick('scaleRegularization')),
    regularizationExponent: number('regularizationExponent', pick('regularizationExponent'), { min: 0, max: 2 }),
    calculateLoss: boolean('calculateLoss', pick('calculateLoss')),
    threads: integer('threads', pick('threads'), 0, MAX_THREADS),
    seed: seed('seed', pick('seed')),
    backend: oneOf('backend', pick('backend'), BACKENDS),
  };
}

/** The resolved options in the kernels' shape. */
export function kernelOptions(p: ImplicitALSParams): AlsKernelOptions {
  return {
    factors: p.factors,
    regularization: p.regularization,
    alpha: p.alpha,
    confidence: p.confidence === 'log' ? 1 : 0,
    epsilon: p.epsilon,
    solver: p.solver === 'cholesky' ? 1 : 0,
    cgSteps: p.cgSteps,
    scaleRegularization: p.scaleRegularization,
    regularizationExponent: p.regularizationExponent,
    threads: p.threads,
  };
}
