/**
 * Type of the fold-in binding (native/bindings/fold_in.cc). The problem's
 * shape is the twin's (lib/twins/fold-in.ts), so either side can solve it.
 */
import { native } from '../native.js';
import type { BiasedRidgeProblem } from '../twins/fold-in.js';

export interface FoldInBinding {
  /** Fills and returns `out` (factors + 1 floats: the factors, then the bias). Synchronous. */
  foldInSolve(problem: BiasedRidgeProblem, out: Float32Array): Float32Array;
}

/** The addon's function: one arguments object, the problem and `out`. */
interface FoldInAddon {
  foldInSolve(args: BiasedRidgeProblem & { out: Float32Array }): Float32Array;
}

export function foldInNative(): FoldInBinding {
  const addon = native() as unknown as FoldInAddon;
  return { foldInSolve: (problem, out) => addon.foldInSolve({ ...problem, out }) };
}
