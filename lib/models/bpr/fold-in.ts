/**
 * Fold-in for BPR: one user's (or item's) vector learned against the other,
 * fixed side by the same stochastic gradient steps as training, restricted
 * to the terms of the BPR objective that involve that row. Training draws, per
 * epoch, as many (user, positive, negative) triples as there are
 * interactions, so a row with n interactions gets about n updates per epoch;
 * the fold-in replays that: `iterations` epochs of n samples, the model's
 * learning rate and regularization, starting from zero. Deterministic: the
 * samples come from a stream of the model's seed, so the same history always
 * gives the same vector (whatever the thread count the model trained with).
 */
import { Rng } from '../../random.js';
import type { SparseRows } from '../../data/sparse.js';

/** What the fold-in reuses of the model's hyperparameters. */
export interface BprFoldInParams {
  factors: number;
  iterations: number;
  learningRate: number;
  regularization: number;
  seed: number;
  verifyNegative: boolean;
}

/** Streams of the seed: 0 and 1 draw the initial user and item vectors, these the fold-in samples. */
const USER_FOLD_IN_STREAM = 2;
const ITEM_FOLD_IN_STREAM = 3;

const lanes = new Float64Array(8);

/**
 * Σ term(f) over f < k in eight lanes (f mod 8), summed
 * ((0+1)+(2+3))+((4+5)+(6+7)), as native/kernels/bpr_fold_in.cc sums (a
 * sample waits on this sum; eight lanes shorten the wait in the kernel).
 */
function laneSum(k: number, term: (f: number) => number): number {
  const acc = lanes.fill(0);
  for (let f = 0; f < k; f++) acc[f & 7] = acc[f & 7]! + term(f);
  return acc[0]! + acc[1]! + (acc[2]! + acc[3]!) + (acc[4]! + acc[5]! + (acc[6]! + acc[7]!));
}

function contains(sorted: ArrayLike<number>, begin: number, end: number, x: number): boolean {
  let lo = begin;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < end && sorted[lo] === x;
}

const sigmoidOfMinus = (x: number): number => 1 / (1 + Math.exp(x));

/**
 * A user's vector from their items (`positives`: sorted, distinct item
 * indices) against the fixed item vectors and biases: SGD on
 * ln σ(x·(v_i − v_j) + b_i − b_j) − λ‖x‖² over sampled pairs of a positive i
 * and a uniformly drawn item j (one the user does not have, with verifyNegative).
 */
export function foldInBprUser(p: BprFoldInParams, itemFactors: Float32Array, itemBias: Float32Array, positives: Int32Array): Float32Array {
  const k = p.factors;
  const nItems = itemBias.length;
  const n = positives.length;
  const x = new Float64Array(k);
  // With every item a positive there is no pair to learn from (training skips such users too).
  if (n === 0 || (p.verifyNegative && n >= nItems)) return new Float32Array(k);
  const rng = Rng.stream(p.seed, USER_FOLD_IN_STREAM);
  const lr = p.learningRate;
  const reg = p.regularization;
  for (let epoch = 0; epoch < p.iterations; epoch++) {
    for (let s = 0; s < n; s++) {
      const i = positives[rng.below(n)]!;
      let j: number;
      do j = rng.below(nItems);
      while (p.verifyNegative && contains(positives, 0, n, j));
      const io = i * k;
      const jo = j * k;
      const score = itemBias[i]! - itemBias[j]! + laneSum(k, (f) => x[f]! * (itemFactors[io + f]! - itemFactors[jo + f]!));
      const z = sigmoidOfMinus(score);
      for (let f = 0; f < k; f++) x[f] = x[f]! + lr * (z * (itemFactors[io + f]! - itemFactors[jo + f]!) - reg * x[f]!);
    }
  }
  return Float32Array.from(x);
}

/** The fixed user side and the rest of the catalogue, for item fold-ins. */
export interface BprItemContext {
  userFactors: Float32Array;
  itemFactors: Float32Array;
  itemBias: Float32Array;
  /** The training matrix by user (the other items' positives) and the user of each entry. */
  seen: SparseRows;
  userOfEntry: Int32Array;
  /** Entries per column of `seen`. */
  columnCounts: Float32Array;
}

/**
 * An item's vector and bias from its users (`fans`: sorted, distinct user
 * indices) against the fixed user vectors and the other items. The item
 * appears in training's triples in two roles, both replayed at training's
 * rates: as the positive of one of its users against a drawn negative j
 * (n samples per epoch), and as the drawn negative of another user's
 * positive (about interactions / items samples per epoch). `item` is the
 * item's current index, or −1 for a new item; its old record is ignored.
 */
export function foldInBprItem(p: BprFoldInParams, c: BprItemContext, fans: Int32Array, item: number): { factors: Float32Array; bias: number } {
  const k = p.factors;
  const nItems = c.itemBias.length;
  const nf = fans.length;
  const { indptr, indices } = c.seen;
  const others = nItems - (item >= 0 ? 1 : 0);
  // Entries where the item can be the drawn negative: other users' positives on other items
  // (all entries, less the fans' rows, less the item's column outside the fans' rows).
  let eligible = indices.length - (item >= 0 ? c.columnCounts[item]! : 0);
  for (let f = 0; f < nf; f++) {
    const u = fans[f]!;
    if (u >= c.seen.rows) continue;
    const begin = indptr[u]!;
    const end = indptr[u + 1]!;
    eligible -= end - begin - (item >= 0 && contains(indices, begin, end, item) ? 1 : 0);
  }
  const negativeRate = nItems > 0 ? eligible / nItems : 0;
  const v = new Float64Array(k);
  let b = 0;
  const rng = Rng.stream(p.seed, ITEM_FOLD_IN_STREAM);
  const lr = p.learningRate;
  const reg = p.regularization;
  const step = (user: number, z: number, sign: 1 | -1): void => {
    const uo = user * k;
    for (let f = 0; f < k; f++) v[f] = v[f]! + lr * (sign * z * c.userFactors[uo + f]! - reg * v[f]!);
    b += lr * (sign * z - reg * b);
  };
  for (let epoch = 0; epoch < p.iterations; epoch++) {
    const negatives = Math.floor(negativeRate) + (rng.uniform() < negativeRate % 1 ? 1 : 0);
    const total = nf + negatives;
    for (let s = 0; s < total; s++) {
      if (rng.below(total) < nf) {
        // The item as the positive of one of its users, against another item the user does not have.
        const u = fans[rng.below(nf)]!;
        const begin = u < c.seen.rows ? indptr[u]! : 0;
        const end = u < c.seen.rows ? indptr[u + 1]! : 0;
        const have = p.verifyNegative ? end - begin - (item >= 0 && contains(indices, begin, end, item) ? 1 : 0) : 0;
        if (have >= others) continue;
        let j: number;
        do j = rng.below(nItems);
        while (j === item || (p.verifyNegative && contains(indices, begin, end, j)));
        const uo = u * k;
        const jo = j * k;
        const score = b - c.itemBias[j]! + laneSum(k, (f) => c.userFactors[uo + f]! * (v[f]! - c.itemFactors[jo + f]!));
        step(u, sigmoidOfMinus(score), 1);
      } else {
        // The item as the negative drawn against another user's positive.
        let e: number;
        do e = rng.below(indices.length);
        while (indices[e] === item || contains(fans, 0, nf, c.userOfEntry[e]!));
        const u = c.userOfEntry[e]!;
        const pos = indices[e]!;
        const uo = u * k;
        const po = pos * k;
        const score = c.itemBias[pos]! - b + laneSum(k, (f) => c.userFactors[uo + f]! * (c.itemFactors[po + f]! - v[f]!));
        step(u, sigmoidOfMinus(score), -1);
      }
    }
  }
  return { factors: Float32Array.from(v), bias: b };
}
