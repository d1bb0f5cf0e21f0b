/**
 * One symmetric positive definite system of a few dozen unknowns (a user's
 * k × k or (k + 1) × (k + 1) normal equations), solved in double precision
 * by Cholesky. What explain() needs: the system is solved once per call, so
 * TypeScript is fast enough (well under a millisecond at 128 factors, see
 * bench/README.md) and no kernel is needed.
 */

/** A pivot below this share of its diagonal entry counts as zero (as native/kernels/fold_in.cc). */
const PIVOT_FLOOR = 1e-12;

/**
 * Solves A x = b for a symmetric `a` (d × d, row-major, both triangles or
 * the lower one; not modified). A singular system gets a vanishing ridge,
 * growing until the factorization succeeds, as the explicit fold-in kernel
 * does; undefined when nothing helps (non-finite input).
 */
export function solveSymmetric(a: Float64Array, d: number, b: ArrayLike<number>): Float64Array | undefined {
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

/** L with L Lᵀ = A + jitter·I (lower triangle, row-major), or undefined when not positive definite. */
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

function solveWithFactor(l: Float64Array, d: number, b: ArrayLike<number>): Float64Array {
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
