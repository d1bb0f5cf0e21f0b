/**
 * The fold-in binding (native/bindings/fold_in.cc): the problem's shape,
 * defined here once, and the function. The twin (lib/twins/fold-in.ts)
 * solves the same problem.
 */
import { adaptedBinding, bindingOf } from './loader.js';

/** One row's biased ridge regression (see lib/twins/fold-in.ts for the objective). */
export interface BiasedRidgeProblem {
  /** The fixed vectors, row-major, `factors` floats per row. */
  vectors: Float32Array;
  factors: number;
  /** Row of `vectors` of each observation. */
  rows: Int32Array;
  /** What each observation leaves for b + x · v to explain. */
  targets: Float64Array;
  vectorPenalty: number;
  biasPenalty: number;
}

export interface FoldInBinding {
  /** Fills and returns `out` (factors + 1 floats: the factors, then the bias). Synchronous. */
  foldInSolve(problem: BiasedRidgeProblem, out: Float32Array): Float32Array;
}

/** The addon's function: one arguments object, the problem and `out`. */
interface FoldInAddonFunctions {
  foldInSolve(args: BiasedRidgeProblem & { out: Float32Array }): Float32Array;
}

const addonFunctions = bindingOf<FoldInAddonFunctions>({ sync: ['foldInSolve'], async: [] });

/** The binding with the problem and `out` apart, packed into the addon's one object. */
export const foldInBinding = adaptedBinding(
  addonFunctions,
  (addon): FoldInBinding => ({
    foldInSolve: (problem, out) => addon.foldInSolve({ ...problem, out }),
  }),
);
