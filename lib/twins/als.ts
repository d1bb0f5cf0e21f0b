/**
 * Pure-TypeScript twin of native/kernels/als.cc: the same implicit ALS
 * half-sweeps (conjugate gradient warm-started from the current row, or an
 * exact Cholesky solve) and the same loss, row by row in the same order.
 * Arithmetic runs in double precision and rows are stored as float32, so it
 * agrees with the native kernel to float rounding. The CG solver reads the
 * fixed side's rows rounded to bfloat16 ({@link roundedToBf16}), as the kernel
 * does; YᵀY and the Cholesky solver use them as float32. Used as the test oracle
 * and as the pure-JS side of benchmarks.
 */
import type { SparseRows } from '../data/sparse.js';
import { confidence, preference, rowLambda, type AlsKernelOptions } from '../addon/als.js';

export { confidence, preference, rowLambda };

/** YᵀY (k × k, both triangles) in double precision. */
export function gramOf(y: Float32Array, rows: number, k: number): Float64Array {
  const g = new Float64Array(k * k);
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    for (let a = 0; a < k; a++) {
      const ya = y[o + a]!;
      if (ya === 0) continue;
      for (let b = a; b < k; b++) g[a * k + b]! += ya * y[o + b]!;
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) g[a * k + b] = g[b * k + a]!;
  return g;
}

/** The bits of float32 `b` rounded to bfloat16 (upper 16 bits, to nearest even; NaN stays NaN). */
function bf16Bits(b: number): number {
  // Bitwise results are signed 32-bit numbers: >>> 0 makes them unsigned again.
  if ((b & 0x7fffffff) >>> 0 > 0x7f800000) return ((b | 0x00400000) & 0xffff0000) >>> 0;
  return ((b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000) >>> 0;
}

/** A copy of `y` with every value rounded to bfloat16, as native/kernels/als.cc's CG solver reads the fixed side. */
export function roundedToBf16(y: Float32Array): Float32Array {
  const out = new Float32Array(y.length);
  const from = new Uint32Array(y.buffer, y.byteOffset, y.length);
  const to = new Uint32Array(out.buffer);
  for (let i = 0; i < from.length; i++) to[i] = bf16Bits(from[i]!);
  return out;
}

/**
 * The rows of `y` that the rows of `m` read, rounded to bfloat16 (the others
 * stay 0 and are never read): the fold-in of one row rounds its own items'
 * rows, not all of `y`.
 */
function gatheredBf16Rows(m: SparseRows, y: Float32Array, k: number): Float32Array {
  const out = new Float32Array(y.length);
  const from = new Uint32Array(y.buffer, y.byteOffset, y.length);
  const to = new Uint32Array(out.buffer);
  const done = new Uint8Array(Math.floor(y.length / k));
  for (let e = 0; e < m.indptr[m.rows]!; e++) {
    const i = m.indices[e]!;
    if (done[i]) continue;
    done[i] = 1;
    for (let j = i * k; j < (i + 1) * k; j++) to[j] = bf16Bits(from[j]!);
  }
  return out;
}

function dotRow(y: Float32Array, offset: number, v: ArrayLike<number>, k: number): number {
  let s = 0;
  for (let j = 0; j < k; j++) s += y[offset + j]! * v[j]!;
  return s;
}

function symv(g: Float64Array, v: ArrayLike<number>, out: Float64Array, k: number): void {
  for (let a = 0; a < k; a++) {
    let s = 0;
    for (let b = 0; b < k; b++) s += g[a * k + b]! * v[b]!;
    out[a] = s;
  }
}

function solveRowCg(m: SparseRows, row: number, y: Float32Array, g: Float64Array, x: Float32Array, o: AlsKernelOptions): void {
  const k = o.factors;
  const begin = m.indptr[row]!;
  const end = m.indptr[row + 1]!;
  const lambda = rowLambda(o, end - begin);
  const xr = Float64Array.from(x.subarray(row * k, (row + 1) * k));
  const r = new Float64Array(k);
  const ap = new Float64Array(k);
  symv(g, xr, r, k);
  for (let j = 0; j < k; j++) r[j] = -r[j]! - lambda * xr[j]!;
  for (let e = begin; e < end; e++) {
    const c = confidence(o, m.values[e]!);
    const yo = m.indices[e]! * k;
    const coef = c * preference(m.values[e]!) - (c - 1) * dotRow(y, yo, xr, k);
    for (let j = 0; j < k; j++) r[j]! += coef * y[yo + j]!;
  }
  const p = Float64Array.from(r);
  let rsOld = dot(r, r);
  if (!(rsOld > 1e-20)) return;
  for (let step = 0; step < o.cgSteps; step++) {
    symv(g, p, ap, k);
    for (let j = 0; j < k; j++) ap[j]! += lambda * p[j]!;
    for (let e = begin; e < end; e++) {
      const yo = m.indices[e]! * k;
      const coef = (confidence(o, m.values[e]!) - 1) * dotRow(y, yo, p, k);
      for (let j = 0; j < k; j++) ap[j]! += coef * y[yo + j]!;
    }
    const stepSize = rsOld / dot(p, ap);
    for (let j = 0; j < k; j++) {
      xr[j]! += stepSize * p[j]!;
      r[j]! -= stepSize * ap[j]!;
    }
    const rsNew = dot(r, r);
    if (!(rsNew > 1e-20)) break;
    const beta = rsNew / rsOld;
    for (let j = 0; j < k; j++) p[j] = r[j]! + beta * p[j]!;
    rsOld = rsNew;
  }
  x.set(xr, row * k);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}

function solveRowCholesky(m: SparseRows, row: number, y: Float32Array, g: Float64Array, x: Float32Array, o: AlsKernelOptions): void {
  const k = o.factors;
  const begin = m.indptr[row]!;
  const end = m.indptr[row + 1]!;
  const a = Float64Array.from(g);
  const b = new Float64Array(k);
  const lambda = rowLambda(o, end - begin);
  for (let j = 0; j < k; j++) a[j * k + j]! += lambda;
  for (let e = begin; e < end; e++) {
    const c = confidence(o, m.values[e]!);
    const yo = m.indices[e]! * k;
    const target = c * preference(m.values[e]!);
    for (let p = 0; p < k; p++) {
      const wp = (c - 1) * y[yo + p]!;
      b[p]! += target * y[yo + p]!;
      for (let q = p; q < k; q++) a[p * k + q]! += wp * y[yo + q]!;
    }
  }
  // A = UᵀU on the upper triangle, then Uᵀz = b and Ux = z.
  for (let j = 0; j < k; j++) {
    const d = a[j * k + j]!;
    if (!(d > 0)) {
      x.fill(NaN, row * k, (row + 1) * k); // not positive definite: reported as divergence
      return;
    }
    const ujj = Math.sqrt(d);
    a[j * k + j] = ujj;
    for (let c = j + 1; c < k; c++) a[j * k + c]! /= ujj;
    for (let i = j + 1; i < k; i++) {
      const s = a[j * k + i]!;
      for (let c = i; c < k; c++) a[i * k + c]! -= s * a[j * k + c]!;
    }
  }
  for (let j = 0; j < k; j++) {
    b[j]! /= a[j * k + j]!;
    for (let c = j + 1; c < k; c++) b[c]! -= b[j]! * a[j * k + c]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let c = i + 1; c < k; c++) s -= a[i * k + c]! * b[c]!;
    b[i] = s / a[i * k + i]!;
  }
  x.set(b, row * k);
}

/** Solves every row of `x` against fixed `y` given `g` = YᵀY (from {@link gramOf}), in place (native als_solve_rows). */
export function alsSolveRows(m: SparseRows, y: Float32Array, g: Float64Array, x: Float32Array, o: AlsKernelOptions): void {
  const gathered = o.solver === 1 ? y : gatheredBf16Rows(m, y, o.factors);
  for (let row = 0; row < m.rows; row++) {
    if (o.solver === 1) solveRowCholesky(m, row, y, g, x, o);
    else solveRowCg(m, row, gathered, g, x, o);
  }
}

/** Solves every row of `x` against fixed `y` (m.cols rows), in place. */
export function alsHalfSweep(m: SparseRows, y: Float32Array, x: Float32Array, o: AlsKernelOptions): void {
  alsSolveRows(m, y, gramOf(y, m.cols, o.factors), x, o);
}

/** Users against items, then items against users. */
export function alsIteration(byUser: SparseRows, byItem: SparseRows, userFactors: Float32Array, itemFactors: Float32Array, o: AlsKernelOptions): void {
  alsHalfSweep(byUser, itemFactors, userFactors, o);
  alsHalfSweep(byItem, userFactors, itemFactors, o);
}

/** The training loss normalised by the total confidence weight (as the native alsLoss). */
export function alsLoss(byUser: SparseRows, byItem: SparseRows, userFactors: Float32Array, itemFactors: Float32Array, o: AlsKernelOptions): number {
  const k = o.factors;
  const g = gramOf(itemFactors, byItem.rows, k);
  const gx = new Float64Array(k);
  let total = 0;
  let weight = byUser.rows * byItem.rows;
  for (let u = 0; u < byUser.rows; u++) {
    const xu = userFactors.subarray(u * k, (u + 1) * k);
    symv(g, xu, gx, k);
    let loss = 0;
    for (let j = 0; j < k; j++) loss += xu[j]! * gx[j]!;
    const begin = byUser.indptr[u]!;
    const end = byUser.indptr[u + 1]!;
    for (let e = begin; e < end; e++) {
      const v = byUser.values[e]!;
      const pred = dotRow(itemFactors, byUser.indices[e]! * k, xu, k);
      const c = confidence(o, v);
      const err = preference(v) - pred;
      loss += c * err * err - pred * pred;
      weight += c - 1;
    }
    let norm = 0;
    for (let j = 0; j < k; j++) norm += xu[j]! * xu[j]!;
    total += loss + rowLambda(o, end - begin) * norm;
  }
  for (let i = 0; i < byItem.rows; i++) {
    let norm = 0;
    for (let j = 0; j < k; j++) norm += itemFactors[i * k + j]! ** 2;
    total += rowLambda(o, byItem.indptr[i + 1]! - byItem.indptr[i]!) * norm;
  }
  return weight > 0 ? total / weight : 0;
}
