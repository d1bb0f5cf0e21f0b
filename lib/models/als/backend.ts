/**
 * Where ImplicitALS does its arithmetic: the native kernels (threads,
 * OpenBLAS) or their pure-TypeScript twins (one thread, double precision).
 * Both take the same inputs and give the same results to float rounding, so
 * the model code above this interface is written once and the two can be
 * compared on equal terms (`backend: 'js'` reproduces the pure-JS numbers of
 * the benchmarks).
 */
import type { SparseRows } from '../../data/sparse.js';
import { alsBinding, type AlsKernelOptions } from '../../addon/als.js';
import * as twin from '../../twins/als.js';
import { nativeScoreSplit, type ScoreSplitProblem } from '../../addon/score-split.js';
import { scoreSplitTwin } from '../../twins/score-split.js';
import type { BackendName, Backends } from '../base/backend.js';
import { allFinite, yieldTurn, type CancelFlag } from '../base/training.js';
import { nativeAllFinite } from '../../addon/finite.js';

export type AlsBackendName = BackendName;

/**
 * YᵀY of one side's factors, in the precision the backend computes it in
 * (float32 natively, float64 in the twin).
 */
export type Gram = Float32Array | Float64Array;

export interface AlsBackend {
  /** Users against items, then items against users, in place. */
  iteration(
    byUser: SparseRows,
    byItem: SparseRows,
    userFactors: Float32Array,
    itemFactors: Float32Array,
    o: AlsKernelOptions,
    cancel: CancelFlag,
  ): Promise<void>;
  loss(byUser: SparseRows, byItem: SparseRows, userFactors: Float32Array, itemFactors: Float32Array, o: AlsKernelOptions, cancel: CancelFlag): Promise<number>;
  /** YᵀY of `y` (rows × o.factors), on the calling thread. */
  gram(y: Float32Array, rows: number, factors: number): Gram;
  /** Solves every row of `x` against fixed `y` given its YᵀY, on the calling thread. */
  solveRowsSync(rows: SparseRows, y: Float32Array, gram: Gram, x: Float32Array, o: AlsKernelOptions): void;
  /** The same off the event loop (native) or after yielding to it (js), with cancellation. */
  solveRows(rows: SparseRows, y: Float32Array, gram: Gram, x: Float32Array, o: AlsKernelOptions, cancel: CancelFlag): Promise<void>;
  /** explain()'s score split (addon/score-split.ts), on the calling thread; undefined when the system does not factor. */
  scoreSplit(p: ScoreSplitProblem): Float64Array | undefined;
  /** Whether every factor is finite: the check after each iteration. */
  allFinite(...arrays: Float32Array[]): boolean;
}

const nativeBackend: AlsBackend = {
  iteration: (byUser, byItem, uf, itf, o, cancel) => alsBinding().alsIteration(byUser, byItem, uf, itf, o, cancel.array),
  loss: (byUser, byItem, uf, itf, o, cancel) => alsBinding().alsLoss(byUser, byItem, uf, itf, o, cancel.array),
  gram(y, rows, factors) {
    const out = new Float32Array(factors * factors);
    alsBinding().alsGram(y, rows, factors, out);
    return out;
  },
  solveRowsSync: (rows, y, gram, x, o) => alsBinding().alsSolveRowsSync(rows, y, asFloat32(gram), x, o),
  solveRows: (rows, y, gram, x, o, cancel) => alsBinding().alsSolveRows(rows, y, asFloat32(gram), x, o, cancel.array),
  scoreSplit: nativeScoreSplit,
  allFinite: nativeAllFinite,
};

/**
 * The twins run on the event loop. Each call first yields to it once, so that
 * an AbortSignal fired meanwhile (or any other pending callback) is seen
 * between iterations, as with the native backend.
 */
const jsBackend: AlsBackend = {
  async iteration(byUser, byItem, uf, itf, o, cancel) {
    await yieldTurn(cancel);
    twin.alsIteration(byUser, byItem, uf, itf, o);
  },
  async loss(byUser, byItem, uf, itf, o, cancel) {
    await yieldTurn(cancel);
    return twin.alsLoss(byUser, byItem, uf, itf, o);
  },
  gram: (y, rows, factors) => twin.gramOf(y, rows, factors),
  solveRowsSync: (rows, y, gram, x, o) => twin.alsSolveRows(rows, y, asFloat64(gram), x, o),
  async solveRows(rows, y, gram, x, o, cancel) {
    await yieldTurn(cancel);
    twin.alsSolveRows(rows, y, asFloat64(gram), x, o);
  },
  scoreSplit: scoreSplitTwin,
  allFinite,
};

// A model only hands a backend the YᵀY that backend made; converting (rather
// than trusting a cast) keeps a mix-up correct instead of misread.
function asFloat32(g: Gram): Float32Array {
  return g instanceof Float32Array ? g : Float32Array.from(g);
}

function asFloat64(g: Gram): Float64Array {
  return g instanceof Float64Array ? g : Float64Array.from(g);
}

export const alsBackends: Backends<AlsBackend> = { native: nativeBackend, js: jsBackend };
