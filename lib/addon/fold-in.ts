/**
 * Type of the fold-in binding (native/bindings/fold_in.cc). The problem's
 * shape is the twin's (lib/twins/fold-in.ts), so either side can solve it.
 */
import { native } from './loader.js';
import type { BiasedRidgeProblem } from '../twins/fold-in.js';

export interface FoldInBinding {
  /** Fills and returns `out` (factors + 1 floats: the factors, then the bias). Synchronous. */
  foldInSolve(problem: BiasedRidgeProblem, out: Float32Array): Float32Array;
}

export function foldInNative(): FoldInBinding {
  return native() as unknown as FoldInBinding;
}
