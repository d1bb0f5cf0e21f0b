/** BPR's options, their defaults and their check. */
import { boolean, integer, knownOptions, number, oneOf, seed } from '../../validate.js';
import { BACKENDS, type BackendName } from '../base/backend.js';
import { MAX_FACTORS, MAX_ITERATIONS, MAX_THREADS } from '../base/limits.js';

export interface BPROptions {
  /** Length of each user and item vector. Default 64; integer in [1, 65536]. */
  factors?: number;
  /** Epochs; each draws as many triples as there are interactions. Default 100; integer in [1, 100000]. */
  iterations?: number;
  /** SGD step size. Default 0.03; > 0 and <= 10. */
  learningRate?: number;
  /** L2 regularization on the vectors and item biases touched by each step. Default 0.02; >= 0. */
  regularization?: number;
  /**
   * Worker threads; 0 (default) means all hardware threads. Threads update
   * the shared vectors without locks, so only a one-thread fit is reproducible.
   */
  threads?: number;
  /** Seed of the initial vectors and of the sampling (uint32). Default 1. */
  seed?: number;
  /**
   * Redraw a negative item the user has interacted with (default true).
   * false samples negatives blindly: slightly faster, slightly noisier.
   */
  verifyNegative?: boolean;
  /**
   * Where the epochs run: 'native' (default) is the C++ kernel, off the event
   * loop and in parallel; 'js' is its pure-TypeScript twin (lib/twins/bpr.ts)
   * on the event loop, one thread whatever `threads` says (the event loop is
   * released between epochs). With `threads: 1` and the same seed both draw
   * the same samples and agree up to the last bits of exp().
   */
  backend?: BackendName;
}

export type BPRParams = Required<BPROptions>;

/**
 * Defaults, chosen on MovieLens 100K as implicit data (every rating a
 * positive, 75/25 per-user split, seen items filtered; bench/standalone/ml100k-ranking.mjs):
 * precision@10 0.387–0.395 with one thread and seeds 1–3 (0.227 for
 * popularity), a 0.4 s fit.
 * A smaller step with more epochs was steadier than 0.05–0.1 for 30–60
 * epochs (0.34–0.37); regularization 0.02 beat 0.005–0.01 (overfits) and
 * 0.03–0.05 (underfits); 64 and 128 factors scored alike.
 */
export const BPR_DEFAULTS: Readonly<BPRParams> = Object.freeze({
  factors: 64,
  iterations: 100,
  learningRate: 0.03,
  regularization: 0.02,
  threads: 0,
  seed: 1,
  verifyNegative: true,
  backend: 'native',
});

const OPTION_NAMES = Object.keys(BPR_DEFAULTS) as (keyof BPRParams)[];

/** Checks every option and fills in the defaults. */
export function resolveBPROptions(options?: BPROptions): BPRParams {
  const o = knownOptions('BPR options', options, OPTION_NAMES);
  const pick = <K extends keyof BPRParams>(key: K): unknown => (o[key] === undefined ? BPR_DEFAULTS[key] : o[key]);
  return {
    factors: integer('factors', pick('factors'), 1, MAX_FACTORS),
    iterations: integer('iterations', pick('iterations'), 1, MAX_ITERATIONS),
    learningRate: number('learningRate', pick('learningRate'), { min: 0, exclusiveMin: true, max: 10 }),
    regularization: number('regularization', pick('regularization'), { min: 0 }),
    threads: integer('threads', pick('threads'), 0, MAX_THREADS),
    seed: seed('seed', pick('seed')),
    verifyNegative: boolean('verifyNegative', pick('verifyNegative')),
    backend: oneOf('backend', pick('backend'), BACKENDS),
  };
}
