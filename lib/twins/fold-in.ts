/**
 * Pure-TypeScript twin of native/kernels/fold_in.cc: the explicit model's
 * fold-in, one new row's factors and bias as the ridge regression
 *
 *   minimize Σ_j (y_j − b − x · v_{rows_j})² + vectorPenalty ‖x‖² + biasPenalty b²
 *
 * through its (factors + 1)-dimensional normal equations (the bias is one
 * more column of ones with its own penalty) and a Cholesky factorization,
 * all in float64 with the kernel's operation order, so both give the same
 * numbers. It is the kernel's test oracle and the pure-JS side of benchmarks.
 */
import type { BiasedRidgeProblem } from '../addon/fold-in.js';

/** A pivot below this share of its original diagonal entry counts as zero. */
const PIVOT_FLOOR = 1e-12;

/**
 * Writes the factors to out[0, factors) and the bias to out[factors] and
 * returns `out`. No observations gives zeros; a singular system gets a
 * vanishing ridge, growing until the factorization succeeds.
 */
export function solveBiasedRidge(p: BiasedRidgeProblem, out: Float32Array): Float32Array {
  const k = p.factors;
  const d = k + 1;
  const n = p.rows.length;
  const nVectors = Math.floor(p.vectors.length / k);
  for (let j = 0; j < n; j++) {
    const r = p.rows[j]!;
    if (!(r >= 0 && r < nVectors)) throw new RangeError(`fold-in row index out of range at observation ${j}`);
  }
  if (n === 0) return out.fill(0, 0, d);
  // Lower triangle of XᵀX and Xᵀy, X's rows being [v, 1], four rows of X
  // per pass over the triangle as the kernel does (same sums, same order).
  const a = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  const v = new Float64Array(4 * d).fill(1);
  const V = p.vectors;
  const T = p.targets;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    for (let r = 0; r < 4; r++) {
      const base = p.rows[j + r]! * k;
      for (let x = 0; x < k; x++) v[r * d + x] = V[base + x]!;
    }
    const y0 = T[j]!;
    const y1 = T[j + 1]!;
    const y2 = T[j + 2]!;
    const y3 = T[j + 3]!;
    for (let x = 0; x < d; x++) {
      const a0 = v[x]!;
      const a1 = v[d + x]!;
      const a2 = v[2 * d + x]!;
      const a3 = v[3 * d + x]!;
      const ax = x * d;
      for (let z = 0; z <= x; z++) a[ax + z]! += a0 * v[z]! + a1 * v[d + z]! + (a2 * v[2 * d + z]! + a3 * v[3 * d + z]!);
      rhs[x]! += a0 * y0 + a1 * y1 + (a2 * y2 + a3 * y3);
    }
  }
  for (; j < n; j++) {
    const base = p.rows[j]! * k;
    for (let x = 0; x < k; x++) v[x] = V[base + x]!;
    const y = T[j]!;
    for (let x = 0; x < d; x++) {
      const vx = v[x]!;
      const ax = x * d;
      for (let z = 0; z <= x; z++) a[ax + z]! += vx * v[z]!;
      rhs[x]! += vx * y;
    }
  }
  for (let x = 0; x < k; x++) a[x * d + x]! += p.vectorPenalty;
  a[k * d + k]! += p.biasPenalty;

  let trace = 0;
  for (let x = 0; x < d; x++) trace += a[x * d + x]!;
  const work = new Float64Array(d * d);
  const column = new Float64Array(d);
  let jitter = 0;
  for (;;) {
    work.set(a);
    for (let x = 0; x < d; x++) work[x * d + x]! += jitter;
    if (choleskyLower(work, a, d, column)) break;
    // Non-finite input never factors: give NaN, as any arithmetic on it would.
    if (!Number.isFinite(trace) || jitter > trace) return out.fill(NaN, 0, d);
    jitter = jitter === 0 ? 1e-10 * (trace > 0 ? trace / d : 1) : jitter * 100;
  }
  solveLower(work, d, rhs);
  for (let x = 0; x < d; x++) out[x] = rhs[x]!;
  return out;
}

/**
 * In-place Cholesky factorization A = L Lᵀ of the lower triangle of `a`
 * (d × d, row-major), right-looking as the kernel does. False when A is not
 * numerically positive definite.
 */
function choleskyLower(a: Float64Array, original: Float64Array, d: number, column: Float64Array): boolean {
  for (let j = 0; j < d; j++) {
    const pivot = a[j * d + j]!;
    if (!(pivot > PIVOT_FLOOR * original[j * d + j]!)) return false;
    const l = Math.sqrt(pivot);
    a[j * d + j] = l;
    const inv = 1 / l;
    for (let i = j + 1; i < d; i++) {
      a[i * d + j]! *= inv;
      column[i] = a[i * d + j]!;
    }
    for (let i = j + 1; i < d; i++) {
      const ri = i * d;
      const lij = column[i]!;
      for (let z = j + 1; z <= i; z++) a[ri + z]! -= lij * column[z]!;
    }
  }
  return true;
}

/** Solves L Lᵀ x = b in place (b becomes x) with the factor from choleskyLower. */
function solveLower(l: Float64Array, d: number, b: Float64Array): void {
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let z = 0; z < i; z++) s -= l[i * d + z]! * b[z]!;
    b[i] = s / l[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let z = i + 1; z < d; z++) s -= l[z * d + i]! * b[z]!;
    b[i] = s / l[i * d + i]!;
  }
}
