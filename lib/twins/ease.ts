/**
 * Pure-TypeScript twin of native/kernels/ease.cc: EASE's weights
 * B[i][j] = −P[i][j] / P[j][j] (B[i][i] = 0) with P = (XᵀX + λI)⁻¹, the Gram
 * matrix and the Cholesky inverse computed in double precision and B rounded
 * to float32 once. The native kernel works in float32 by blocks, so the two
 * agree to float rounding (relative to the largest weight), not bit for bit.
 * Test oracle and the pure-JS side of benchmarks.
 */
import type { EaseFitArgs } from '../addon/item-item-fit.js';
import { ErrorCodes, MfrecError } from '../errors.js';

export function easeFitTwin(args: EaseFitArgs): void {
  const m = args.byUser;
  const n = m.cols;
  // Two n × n float64 matrices in all: G becomes L in place, then P over it once W = L⁻¹ exists.
  const l = gramPlusLambda(args);
  choleskyLowerInPlace(l, n);
  const p = inverseFromCholesky(l, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) args.out[i * n + j] = i === j ? 0 : -p[i * n + j]! / p[j * n + j]!;
  }
}

/** XᵀX + λI, items × items, both triangles. */
function gramPlusLambda(args: EaseFitArgs): Float64Array {
  const m = args.byUser;
  const n = m.cols;
  const g = new Float64Array(n * n);
  for (let u = 0; u < m.rows; u++) {
    for (let a = m.indptr[u]!; a < m.indptr[u + 1]!; a++) {
      const row = m.indices[a]! * n;
      const xa = m.values[a]!;
      for (let b = m.indptr[u]!; b < m.indptr[u + 1]!; b++) g[row + m.indices[b]!]! += xa * m.values[b]!;
    }
  }
  for (let i = 0; i < n; i++) g[i * n + i]! += args.lambda;
  return g;
}

/** A = LLᵀ: the lower triangle of `a` becomes L; a typed error naming the item whose pivot is not positive. */
function choleskyLowerInPlace(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let p = 0; p < j; p++) d -= a[j * n + p]! ** 2;
    if (!(d > 0) || !Number.isFinite(d)) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `The Gram matrix plus lambda is not positive definite (pivot of item ${j})`);
    }
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let p = 0; p < j; p++) s -= a[i * n + p]! * a[j * n + p]!;
      a[i * n + j] = s / ljj;
    }
  }
}

/** (LLᵀ)⁻¹ = WᵀW with W = L⁻¹, both triangles, written over `l` (L's lower triangle is read, its upper ignored). */
function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  // wt holds Wᵀ (row c = column c of W), so that every inner loop reads memory in order.
  const wt = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    // Column c of W: forward substitution of L w = e_c (zero above row c).
    const wc = c * n;
    for (let i = c; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let p = c; p < i; p++) s -= l[i * n + p]! * wt[wc + p]!;
      wt[wc + i] = s / l[i * n + i]!;
    }
  }
  const p = l;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += wt[i * n + k]! * wt[j * n + k]!;
      p[i * n + j] = s;
      p[j * n + i] = s;
    }
  }
  return p;
}
