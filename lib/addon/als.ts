/**
 * The native implicit-ALS kernels (native/kernels/als.h) as TypeScript sees
 * them: the plain options object they take and the addon functions.
 */
import type { SparseRows } from '../data/sparse.js';
import { adaptedBinding, bindingOf } from './loader.js';

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
  /** ν of the scaled regularization λ·(1 + n)^ν; absent means 1. */
  regularizationExponent?: number;
  /** 0 means all hardware threads. */
  threads: number;
}

/**
 * What the options mean for one observed value, as native/kernels/als.cc
 * computes it (defined here once for the twin and for explain()): its
 * confidence c, its preference p (0 for a negative value: "confidently not
 * wanted"), and the regularization of a row with `count` observations.
 */
export function confidence(o: AlsKernelOptions, value: number): number {
  const v = Math.abs(value);
  return o.confidence === 1 ? 1 + o.alpha * Math.log1p(v / o.epsilon) : 1 + o.alpha * v;
}

export function preference(value: number): number {
  return value < 0 ? 0 : 1;
}

export function rowLambda(o: AlsKernelOptions, count: number): number {
  if (!o.scaleRegularization) return o.regularization;
  const nu = o.regularizationExponent ?? 1;
  if (nu === 1) return o.regularization * (1 + count);
  // The kernel's float arithmetic: float inputs, the power in double, one rounding.
  return Math.fround(Math.fround(o.regularization) * Math.fround(1 + count) ** Math.fround(nu));
}

export interface AlsBinding {
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
  /** Solves every row of `x` against fixed `y` given `gram` = YᵀY (a half-sweep is alsGram, then this). */
  alsSolveRows(rows: SparseRows, y: Float32Array, gram: Float32Array, x: Float32Array, options: AlsKernelOptions, cancel?: Int32Array): Promise<void>;
  /** alsSolveRows on the calling thread (options.threads ignored), for single-row fold-ins. */
  alsSolveRowsSync(rows: SparseRows, y: Float32Array, gram: Float32Array, x: Float32Array, options: AlsKernelOptions): void;
}

/** The addon's functions: one arguments object per call. */
interface AlsPairArgs {
  byUser: SparseRows;
  byItem: SparseRows;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  options: AlsKernelOptions;
  cancel?: Int32Array;
}
interface AlsRowsArgs {
  rows: SparseRows;
  y: Float32Array;
  gram: Float32Array;
  x: Float32Array;
  options: AlsKernelOptions;
  cancel?: Int32Array;
}
interface AlsAddonFunctions {
  alsIteration(args: AlsPairArgs): Promise<void>;
  alsLoss(args: AlsPairArgs): Promise<number>;
  alsGram(args: { y: Float32Array; rows: number; factors: number; out: Float32Array }): void;
  alsSolveRows(args: AlsRowsArgs): Promise<void>;
  alsSolveRowsSync(args: Omit<AlsRowsArgs, 'cancel'>): void;
}

const addonFunctions = bindingOf<AlsAddonFunctions>({
  sync: ['alsGram', 'alsSolveRowsSync'],
  async: ['alsIteration', 'alsLoss', 'alsSolveRows'],
});

/** The binding with positional arguments, each call packed into the addon's one object. */
export const alsBinding = adaptedBinding(
  addonFunctions,
  (addon): AlsBinding => ({
    alsIteration: (byUser, byItem, userFactors, itemFactors, options, cancel) =>
      addon.alsIteration({ byUser, byItem, userFactors, itemFactors, options, cancel }),
    alsLoss: (byUser, byItem, userFactors, itemFactors, options, cancel) => addon.alsLoss({ byUser, byItem, userFactors, itemFactors, options, cancel }),
    alsGram: (y, rows, factors, out) => addon.alsGram({ y, rows, factors, out }),
    alsSolveRows: (rows, y, gram, x, options, cancel) => addon.alsSolveRows({ rows, y, gram, x, options, cancel }),
    alsSolveRowsSync: (rows, y, gram, x, options) => addon.alsSolveRowsSync({ rows, y, gram, x, options }),
  }),
);
