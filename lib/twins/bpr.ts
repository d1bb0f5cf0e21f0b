/**
 * Pure-TypeScript twin of native/kernels/bpr.cc for one thread: the same
 * random streams, the same samples in the same order, the same float32
 * arithmetic (each operation rounded with Math.fround). Only exp may differ
 * from the C library's expf in the last bit, so results match closely.
 */
import { Rng } from '../random.js';
import type { BprEpochArgs, BprEpochStats } from '../models/bpr-kernel.js';

const f32 = Math.fround;

/** Whether the sorted slice a[begin..end) holds x (binary search, as the kernel). */
function contains(a: Int32Array, begin: number, end: number, x: number): boolean {
  let lo = begin;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < end && a[lo] === x;
}

function bprLoss(x: number): number {
  return x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
}

/** One epoch on one thread (the `threads` field is ignored). */
export function bprEpochTwin(a: BprEpochArgs): BprEpochStats {
  const stats: BprEpochStats = { loss: 0, correct: 0, samples: 0 };
  const nnz = a.indices.length;
  if (nnz === 0) return stats;
  const f = a.factors;
  const lr = f32(a.learningRate);
  const reg = f32(a.regularization);
  const u = a.userFactors;
  const v = a.itemFactors;
  const bias = a.itemBias;
  const rng = Rng.stream(Rng.stream(a.seed, a.epoch).next(), 0);
  for (let s = 0; s < nnz; s++) {
    const e = rng.below(nnz);
    const user = a.userOfEntry[e]!;
    const i = a.indices[e]!;
    let j: number;
    if (a.verifyNegative) {
      const begin = a.indptr[user]!;
      const end = a.indptr[user + 1]!;
      if (end - begin >= a.items) continue;
      do j = rng.below(a.items);
      while (contains(a.indices, begin, end, j));
    } else {
      j = rng.below(a.items);
    }
    const uo = user * f;
    const io = i * f;
    const jo = j * f;
    let x = f32(bias[i]! - bias[j]!);
    for (let k = 0; k < f; k++) x = f32(x + f32(u[uo + k]! * f32(v[io + k]! - v[jo + k]!)));
    const z = f32(1 / f32(1 + f32(Math.exp(x))));
    for (let k = 0; k < f; k++) {
      const p = u[uo + k]!;
      const q = v[io + k]!;
      const r = v[jo + k]!;
      u[uo + k] = f32(p + f32(lr * f32(f32(z * f32(q - r)) - f32(reg * p))));
      v[io + k] = f32(q + f32(lr * f32(f32(z * p) - f32(reg * q))));
      v[jo + k] = f32(r + f32(lr * f32(f32(-z * p) - f32(reg * r))));
    }
    const bi = bias[i]!;
    bias[i] = f32(bi + f32(lr * f32(z - f32(reg * bi))));
    const bj = bias[j]!;
    bias[j] = f32(bj + f32(lr * f32(-z - f32(reg * bj))));
    stats.loss += bprLoss(x);
    stats.correct += x > 0 ? 1 : 0;
    stats.samples += 1;
  }
  return stats;
}
