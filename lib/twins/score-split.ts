/**
 * Pure-TypeScript twin of native/kernels/score_split.cc: the same weighted
 * normal equations, formed and solved in double precision (Cholesky, with
 * the same growing ridge for a singular system), so both agree to rounding.
 */
import type { ScoreSplitProblem } from '../addon/score-split.js';

/** A pivot below this share of its diagonal entry counts as zero (as native/kernels/spd_solve.cc). */
const PIVOT_FLOOR = 1e-12;

/** s_j = (A⁻¹ z_query)ᵀ z_j for every row, or undefined when A does not factor. */
export function scoreSplitTwin(p: ScoreSplitProblem): Float64Array | undefined {
  const k = p.factors;
  const d = k + (p.biasColumn ? 1 : 0);
  const row = (r: number): Float64Array => {
    const z = new Float64Array(d);
    for (let x = 0; x < k; x++) z[x] = p.vectors[r * k + x]!;
    if (p.biasColumn) z[k] = 1;
    return z;
  };
  const a = new Float64Array(d * d);
  for (let j = 0; j < p.rows.length; j++) {
    const z = row(p.rows[j]!);
    const w = p.weights[j]!;
    for (let x = 0; x < d; x++) {
      const wx = w * z[x]!;
      for (let y = 0; y <= x; y++) a[x * d + y] = a[x * d + y]! + wx * z[y]!;
    }
  }
  for (let x = 0; x < d; x++) {
    a[x * d + x] = a[x * d + x]! + p.diagonal[x]!;
    if (p.base) for (let y = 0; y <= x; y++) a[x * d + y] = a[x * d + y]! + p.base[x * d + y]!;
  }
  const q = solveSymmetric(a, d, row(p.query));
  if (q === undefined) return undefined;
  return Float64Array.from(p.rows, (r) => {
    const z = row(r);
    let s = 0;
    for (let x = 0; x < d; x++) s += q[x]! * z[x]!;
    return s;
  });
}

/** Solves A x = b for the lower triangle of `a`, adding a growing ridge while it does not factor. */
function solveSymmetric(a: Float64Array, d: number, b: Float64Array): Float64Array | undefined {
  let trace = 0;
  for (let x = 0; x < d; x++) trace += a[x * d + x]!;
  let jitter = 0;
  for (;;) {
    const l = choleskyLower(a, d, jitter);
    if (l !== undefined) return solveWithFactor(l, d, b);
    if (!Number.isFinite(trace) || jitter > trace) return undefined;
    jitter = jitter === 0 ? 1e-10 * (trace > 0 ? trace / d : 1) : jitter * 100;
  }
}

function choleskyLower(a: Float64Array, d: number, jitter: number): Float64Array | undefined {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]! + (i === j ? jitter : 0);
      for (let z = 0; z < j; z++) s -= l[i * d + z]! * l[j * d + z]!;
      if (i === j) {
        if (!(s > PIVOT_FLOOR * a[i * d + i]!)) return undefined;
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j]!;
      }
    }
  }
  return l;
}

function solveWithFactor(l: Float64Array, d: number, b: Float64Array): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < d; i++) {
    let s = x[i]!;
    for (let z = 0; z < i; z++) s -= l[i * d + z]! * x[z]!;
    x[i] = s / l[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let z = i + 1; z < d; z++) s -= l[z * d + i]! * x[z]!;
    x[i] = s / l[i * d + i]!;
  }
  return x;
}
