/**
 * Pure-TypeScript twin of native/kernels/bpr.cc for one thread: the same
 * schedule (users in the epoch's shuffled order, each user's items shuffled,
 * negatives from a stream of their own; bpr.h spells it out), the
 * same random streams and the same float32 arithmetic, summed in the same
 * order (each operation rounded with Math.fround). Only exp may differ from
 * the C library's expf in the last bit, so results match closely.
 */
import { longestRow } from '../data/sparse.js';
import { Rng } from '../random.js';
import type { BprEpochArgs, BprEpochStats } from '../addon/bpr.js';

const f32 = Math.fround;

/** The constants of native/kernels/bpr.h. */
const ORDER_STREAM = 0xffffffff;

function bprLoss(x: number): number {
  return x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
}

const lanes = new Float64Array(32);

/**
 * u · (v_i − v_j) in 32 lanes (factor index mod 32), folded as
 * native/kernels/bpr_dot.h does: lanes l and l + 16, then l and l + 8, then
 * the last eight in adjacent pairs.
 */
export function differenceDot(u: Float32Array, uo: number, v: Float32Array, io: number, jo: number, f: number): number {
  const acc = lanes.fill(0);
  for (let k = 0; k < f; k++) acc[k & 31] = f32(acc[k & 31]! + f32(u[uo + k]! * f32(v[io + k]! - v[jo + k]!)));
  for (let l = 0; l < 16; l++) acc[l] = f32(acc[l]! + acc[l + 16]!);
  for (let l = 0; l < 8; l++) acc[l] = f32(acc[l]! + acc[l + 8]!);
  return f32(f32(f32(acc[0]! + acc[1]!) + f32(acc[2]! + acc[3]!)) + f32(f32(acc[4]! + acc[5]!) + f32(acc[6]! + acc[7]!)));
}

/** One epoch on one thread (the `threads` field is ignored). */
export function bprEpochTwin(a: BprEpochArgs): BprEpochStats {
  const stats: BprEpochStats = { loss: 0, correct: 0, samples: 0 };
  if (a.indices.length === 0) return stats;
  const f = a.factors;
  const lr = f32(a.learningRate);
  const keep = f32(1 - f32(lr * f32(a.regularization)));
  const u = a.userFactors;
  const v = a.itemFactors;
  const bias = a.itemBias;
  const epochSeed = Rng.stream(a.seed, a.epoch).next();
  // Users in the epoch's random order, drawn from the order stream.
  const order = Rng.stream(epochSeed, ORDER_STREAM).shuffle(Int32Array.from({ length: a.users }, (_, user) => user));
  const sampler = Rng.stream(epochSeed, 0);
  const negatives = Rng.stream(epochSeed, 1);
  const marked = new Uint8Array(a.items);
  const row = new Int32Array(longestRow(a.indptr));

  for (const user of order) {
    const begin = a.indptr[user]!;
    const n = a.indptr[user + 1]! - begin;
    if (n === 0 || (a.verifyNegative && n >= a.items)) continue;
    row.set(a.indices.subarray(begin, begin + n));
    sampler.shuffle(row.subarray(0, n));
    if (a.verifyNegative) for (let k = 0; k < n; k++) marked[row[k]!] = 1;
    const uo = user * f;
    for (let s = 0; s < n; s++) {
      const i = row[s]!;
      let j = negatives.below(a.items);
      if (a.verifyNegative) while (marked[j] === 1) j = sampler.below(a.items);
      const io = i * f;
      const jo = j * f;
      const x = f32(f32(bias[i]! - bias[j]!) + differenceDot(u, uo, v, io, jo, f));
      const z = f32(1 / f32(1 + f32(Math.exp(x))));
      const step = f32(lr * z);
      for (let k = 0; k < f; k++) {
        const p = u[uo + k]!;
        const q = v[io + k]!;
        const r = v[jo + k]!;
        const pull = f32(step * p);
        u[uo + k] = f32(f32(keep * p) + f32(step * f32(q - r)));
        v[io + k] = f32(f32(keep * q) + pull);
        v[jo + k] = f32(f32(keep * r) - pull);
      }
      bias[i] = f32(f32(keep * bias[i]!) + step);
      bias[j] = f32(f32(keep * bias[j]!) - step);
      stats.loss += bprLoss(x);
      stats.correct += x > 0 ? 1 : 0;
      stats.samples += 1;
    }
    if (a.verifyNegative) for (let k = 0; k < n; k++) marked[row[k]!] = 0;
  }
  return stats;
}
