/**
 * The score-split binding (native/bindings/score_split.cc) behind explain():
 * the problem's shape, defined here once, and the function. The twin
 * (lib/twins/score-split.ts) solves the same problem.
 */
import { bindingOf } from './loader.js';

/**
 * A = base + Σ_j weights[j]·z_j z_jᵀ + diag(diagonal), z_j = vectors[rows[j]]
 * (followed by 1 with `biasColumn`); asks s_j = (A⁻¹ z_query)ᵀ z_j.
 */
export interface ScoreSplitProblem {
  factors: number;
  biasColumn: boolean;
  /** Row-major, `factors` floats per row. */
  vectors: Float32Array;
  rows: Int32Array;
  weights: Float64Array;
  /** d × d, both triangles (d = factors, plus 1 with biasColumn). */
  base?: Float64Array;
  /** d values. */
  diagonal: Float64Array;
  query: number;
}

export interface ScoreSplitBinding {
  /** Fills `out` (one s_j per row); false when A does not factor (non-finite input). Synchronous. */
  scoreSplit(args: ScoreSplitProblem & { out: Float64Array }): boolean;
}

export const scoreSplitBinding = bindingOf<ScoreSplitBinding>({ sync: ['scoreSplit'], async: [] });

/** The native split, allocating its output. */
export function nativeScoreSplit(p: ScoreSplitProblem): Float64Array | undefined {
  const out = new Float64Array(p.rows.length);
  return scoreSplitBinding().scoreSplit({ ...p, out }) ? out : undefined;
}
