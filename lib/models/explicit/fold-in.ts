/**
 * Fold-in for the explicit model: a user's (or item's) bias and factors
 * solved from their ratings against the trained, fixed other side, so live
 * users and new items can be served without retraining. The solve is the
 * exact minimizer of the objective training descends for that one row: the
 * squared errors plus the same penalties, frequency scaling included (see
 * frequency-penalty.ts), through the native Cholesky kernel.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { IdMap } from '../../data/id-map.js';
import { invalid } from '../../validate.js';
import { foldInBinding } from '../../addon/fold-in.js';
import { BIAS_PENALTY_EXPONENT, penaltyScale, VECTOR_PENALTY_EXPONENT } from './frequency-penalty.js';
import { checkIdsAndValues, type FoldedUser } from '../base/live-history.js';

/**
 * A user or item solved by fold-in: the folded vector every model's fold-in
 * gives (base/live-history.ts), with the bias (b_u or b_i) the explicit
 * model always has. Pass it wherever a trained id is accepted by the *For methods.
 */
export type FoldedVector = Required<Pick<FoldedUser, 'factors' | 'bias'>>;

/** What one side of the fold-in needs from the trained state. */
export interface FoldInSide {
  factors: number;
  globalBias: number;
  /** The fixed side: its ids, vectors and biases. */
  otherIds: IdMap;
  otherFactors: Float32Array;
  otherBias: Float32Array;
  /** Average training ratings per row of the side being folded in (the penalty's reference count). */
  meanCount: number;
  regularization: number;
  biasRegularization: number;
}

/**
 * Validates `{ [idsKey]: ids, values }`, drops ratings of ids the fixed side
 * does not know, and solves.
 */
export function foldIn(side: FoldInSide, ratings: unknown, idsKey: 'items' | 'users'): FoldedVector {
  const { ids, values } = checkIdsAndValues('ratings', 'ratings.', ratings, idsKey, true);
  const rows: number[] = [];
  const ratingsKept: number[] = [];
  for (let j = 0; j < ids.length; j++) {
    const v = values![j]!;
    const r = side.otherIds.index(ids[j]!);
    if (r === undefined) continue;
    rows.push(r);
    ratingsKept.push(v);
  }
  return foldInRows(side, rows, ratingsKept);
}

/**
 * The solve itself, on ratings already mapped to rows of the fixed side
 * (`rows[j]` rated `ratings[j]`; a repeated row counts as several ratings).
 * No rating: a zero bias and zero factors.
 */
export function foldInRows(side: FoldInSide, rows: ArrayLike<number>, ratings: ArrayLike<number>): FoldedVector {
  const n = rows.length;
  const k = side.factors;
  const out = new Float32Array(k + 1);
  if (n > 0) {
    const targets = new Float64Array(n);
    for (let j = 0; j < n; j++) targets[j] = ratings[j]! - side.globalBias - side.otherBias[rows[j]!]!;
    foldInBinding().foldInSolve(
      {
        vectors: side.otherFactors,
        factors: k,
        rows: Int32Array.from(rows),
        targets,
        vectorPenalty: side.regularization * n * penaltyScale(n, side.meanCount, VECTOR_PENALTY_EXPONENT),
        biasPenalty: side.biasRegularization * n * penaltyScale(n, side.meanCount, BIAS_PENALTY_EXPONENT),
      },
      out,
    );
    for (let x = 0; x <= k; x++) {
      if (!Number.isFinite(out[x]!)) {
        throw new MfrecError(
          ErrorCodes.INVALID_ARGUMENT,
          `Cannot fold in these ratings: the solution overflows float32 (ratings far outside the training range?)`,
        );
      }
    }
  }
  return { bias: out[k]!, factors: out.slice(0, k) };
}

/** Checks a folded vector argument against the model's factor count. */
export function checkFolded(name: string, value: unknown, factors: number): FoldedVector {
  if (value === null || typeof value !== 'object') throw invalid('a raw id or a folded { bias, factors }', name, value);
  const o = value as Record<string, unknown>;
  if (typeof o.bias !== 'number' || !Number.isFinite(o.bias)) throw invalid('a finite number', `${name}.bias`, o.bias);
  if (!(o.factors instanceof Float32Array) || o.factors.length !== factors) {
    throw invalid(`a Float32Array of length ${factors}`, `${name}.factors`, o.factors);
  }
  return { bias: o.bias, factors: o.factors };
}
