/**
 * The native implicit-ALS kernels (native/kernels/als.h) as TypeScript sees
 * them: the plain options object they take and the addon functions.
 */
import type { SparseRows } from '../data/sparse.js';
import { bindingOf } from './loader.js';

/** Fully resolved options in the shape the kernels read (enums as integers). */
export interface AlsKernelOptions {
  factors: number;
  regularization: number;
  alpha: number;
  /** 0: c = 1 + alpha·|v|; 1: c = 1 + alpha·log(1 + |v|/epsilon). */
  confidence: 0 | 1;
  epsilon: number;
  /** 0: conjugate gradient; 1: Cholesky. */
  solver: 0 | 1;
  cgSteps: number;
  scaleRegularization: boolean;
  /** 0 means all hardware threads. */
  threads: number;
}

export interface AlsBinding {
  /** Solves every row of `x` (rows × factors) against fixed `y` (cols × factors). Production solves through alsIteration and alsSolveRows; the conformance tests hold this kernel entry against the twin's half-sweep. */
  alsHalfSweep(rows: SparseRows, y: Float32Array, x: Float32Array, options: AlsKernelOptions, cancel?: Int32Array): Promise<void>;
  /** Users against items, then items against users. */
  alsIteration(
    byUser: SparseRows,
    byItem: SparseRows,
    userFactors: Float32Array,
    itemFactors: Float32Array,
    options: AlsKernelOptions,
    cancel?: Int32Array,
  ): Promise<void>;
  /** The normalised training loss (see ImplicitALS docs). */
  alsLoss(
    byUser: SparseRows,
    byItem: SparseRows,
    userFactors: Float32Array,
    itemFactors: Float32Array,
    options: AlsKernelOptions,
    cancel?: Int32Array,
  ): Promise<number>;
  /** out (factors × factors) = YᵀY for y (rows × factors); synchronous. */
  alsGram(y: Float32Array, rows: number, factors: number, out: Float32Array): void;
  /** Solves every row of `x` against fixed `y` given `gram` = YᵀY (as alsHalfSweep without computing YᵀY). */
  alsSolveRows(
    rows: SparseRows,
    y: Float32Array,
    gram: Float32Array,
    x: Float32Array,
    options: AlsKernelOptions,
    cancel?: Int32Array,
  ): Promise<void>;
  /** alsSolveRows on the calling thread (options.threads ignored), for single-row fold-ins. */
  alsSolveRowsSync(rows: SparseRows, y: Float32Array, gram: Float32Array, x: Float32Array, options: AlsKernelOptions): void;
}

export const alsBinding = bindingOf<AlsBinding>({
  sync: ['alsGram', 'alsSolveRowsSync'],
  async: ['alsHalfSweep', 'alsIteration', 'alsLoss', 'alsSolveRows'],
});
