/**
 * Pure-TypeScript twin of native/kernels/sgd.cc: the same grid layout, the
 * same one-thread block order and the same float32 arithmetic, step for step
 * (every operation rounded with Math.fround, the epoch's dot products in the
 * kernel's sixteen lanes and fixed tree: {@link epochDot}). It is the test oracle of the native kernel and the pure-JS
 * side of benchmarks. It only replays the one-thread schedule: with several
 * threads the native block order depends on timing.
 */
import { Rng } from '../random.js';
import { predictPair, SgdStreams, type SgdGrid, type SgdInitialFactorsOptions, type SgdModelArrays, type SgdStep } from '../addon/sgd.js';

export { laneDot } from '../addon/sgd.js';

function iota(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let k = 0; k < n; k++) a[k] = k;
  return a;
}

function rowBlocks(n: number, blocks: number, rng: Rng): Int32Array {
  const order = rng.shuffle(iota(n));
  const block = new Int32Array(n);
  for (let rank = 0; rank < n; rank++) block[order[rank]!] = Math.floor((rank * blocks) / n);
  return block;
}

/** Fills `grid` from (users[k], items[k], ratings[k]) as sgd_layout does. */
export function sgdLayout(
  users: Int32Array,
  items: Int32Array,
  ratings: Float32Array,
  options: { nUsers: number; nItems: number; seed: number },
  grid: SgdGrid,
): void {
  const { nUsers, nItems, seed } = options;
  const b = grid.blocks;
  const ub = rowBlocks(nUsers, b, Rng.stream(seed, SgdStreams.users));
  const ib = rowBlocks(nItems, b, Rng.stream(seed, SgdStreams.items));
  const nnz = users.length;
  const next = new Int32Array(b * b + 1);
  for (let k = 0; k < nnz; k++) {
    const u = users[k]!;
    const i = items[k]!;
    if (!(u >= 0 && u < nUsers && i >= 0 && i < nItems)) throw new RangeError(`index out of range at entry ${k}`);
    next[ub[u]! * b + ib[i]! + 1]!++;
  }
  for (let k = 0; k < b * b; k++) next[k + 1]! += next[k]!;
  grid.blockPtr.set(next);
  const order = Rng.stream(seed, SgdStreams.entries).shuffle(iota(nnz));
  for (let j = 0; j < nnz; j++) {
    const e = order[j]!;
    const at = next[ub[users[e]!]! * b + ib[items[e]!]!]!++;
    grid.users[at] = users[e]!;
    grid.items[at] = items[e]!;
    grid.ratings[at] = ratings[e]!;
  }
}

/**
 * The initial factors as sgd_initial_factors draws them: the init stream's
 * normals in order (two draws each), source row by source row, each placed
 * at the row that `order` moves it to.
 */
export function sgdInitialFactors(out: Float32Array, options: SgdInitialFactorsOptions): Float32Array {
  const { factors: k, seed, firstRow, order } = options;
  const rows = out.length / k;
  const sd = Math.fround(options.sd);
  const at = new Int32Array(rows);
  for (let n = 0; n < rows; n++) at[order === undefined ? n : order[n]!] = n;
  const rng = Rng.stream(seed, SgdStreams.init);
  for (let d = 0; d < 2 * k * firstRow; d++) rng.next();
  for (let source = 0; source < rows; source++) {
    const row = at[source]! * k;
    for (let x = 0; x < k; x++) out[row + x] = sd * rng.normal();
  }
  return out;
}

const f = Math.fround;
const lanes = new Float64Array(16);

/**
 * p · q as the epoch computes it (native/kernels/sgd_dot.h): factor x into
 * lane x mod 16 of partial sum ⌊x / 16⌋ mod 4, every lane from −0 (the exact
 * identity of addition); then (S0 + S1) + (S2 + S3) lane by lane; then the
 * sixteen lanes folded in halves (l + 8, l + 4, l + 2, l + 1). Predictions
 * keep the eight-lane order of laneDot.
 */
export function epochDot(p: Float32Array, pOffset: number, q: Float32Array, qOffset: number, k: number): number {
  for (let l = 0; l < 16; l++) {
    // Partial sum g mod 4 of this lane adds the products of groups g, g + 4, g + 8, … in turn.
    let s0 = -0;
    let s1 = -0;
    let s2 = -0;
    let s3 = -0;
    for (let x = l; x < k; x += 64) {
      s0 = f(s0 + f(p[pOffset + x]! * q[qOffset + x]!));
      if (x + 16 < k) s1 = f(s1 + f(p[pOffset + x + 16]! * q[qOffset + x + 16]!));
      if (x + 32 < k) s2 = f(s2 + f(p[pOffset + x + 32]! * q[qOffset + x + 32]!));
      if (x + 48 < k) s3 = f(s3 + f(p[pOffset + x + 48]! * q[qOffset + x + 48]!));
    }
    lanes[l] = f(f(s0 + s1) + f(s2 + s3));
  }
  for (let half = 8; half >= 1; half >>= 1) {
    for (let l = 0; l < half; l++) lanes[l] = f(lanes[l]! + lanes[l + half]!);
  }
  return lanes[0]!;
}

/**
 * One epoch over the grid with the one-thread schedule. Returns the sum of
 * squared errors measured before each update, as the kernel does.
 */
export function sgdEpoch(grid: SgdGrid, model: SgdModelArrays, step: SgdStep): number {
  const b = grid.blocks;
  const k = model.factors;
  const { userFactors: P, itemFactors: Q, userBias: bu, itemBias: bi } = model;
  const mu = f(model.globalBias);
  const lr = f(step.learningRate);
  const lrReg = f(lr * f(step.regularization));
  const shrink = f(1 - lrReg);
  const ur = model.userRegularization;
  const ir = model.itemRegularization;
  const lrBiasReg = f(lr * f(step.biasRegularization));
  const biasShrink = f(1 - lrBiasReg);
  const ubr = model.userBiasRegularization;
  const ibr = model.itemBiasRegularization;
  const order = Rng.stream(step.seed, SgdStreams.epochBase + step.epoch).shuffle(iota(b * b));
  let sse = 0;
  for (let o = 0; o < order.length; o++) {
    const block = order[o]!;
    for (let e = grid.blockPtr[block]!; e < grid.blockPtr[block + 1]!; e++) {
      const u = grid.users[e]!;
      const i = grid.items[e]!;
      const pu = u * k;
      const qi = i * k;
      const dot = epochDot(P, pu, Q, qi, k);
      const err = f(grid.ratings[e]! - f(f(f(mu + bu[u]!) + bi[i]!) + dot));
      sse += err * err;
      const g = f(lr * err);
      const su = ubr === undefined ? biasShrink : f(1 - f(lrBiasReg * ubr[u]!));
      const si = ibr === undefined ? biasShrink : f(1 - f(lrBiasReg * ibr[i]!));
      bu[u] = f(f(su * bu[u]!) + g);
      bi[i] = f(f(si * bi[i]!) + g);
      const a = ur === undefined ? shrink : f(1 - f(lrReg * ur[u]!));
      const c = ir === undefined ? shrink : f(1 - f(lrReg * ir[i]!));
      for (let x = 0; x < k; x++) {
        const pf = P[pu + x]!;
        const qf = Q[qi + x]!;
        P[pu + x] = f(a * pf) + f(g * qf);
        Q[qi + x] = f(c * qf) + f(g * pf);
      }
    }
  }
  return sse;
}

/**
 * Predictions for (users[n], items[n]) as sgd_predict computes them; -1 marks
 * an unknown side, which contributes neither its bias nor the dot product.
 */
export function sgdPredict(
  model: SgdModelArrays,
  users: Int32Array,
  items: Int32Array,
  out: Float32Array,
  options: { min: number; max: number },
): Float32Array {
  for (let n = 0; n < users.length; n++) out[n] = predictPair(model, users[n]!, items[n]!, options.min, options.max);
  return out;
}
