/**
 * The explicit-rating SGD binding (native/bindings/sgd.cc). The argument
 * shapes are the twin's (lib/twins/sgd-explicit.ts), so either side can run
 * the same call; the addon itself takes each call's arguments as one object.
 */
import { native } from '../native.js';
import type { SgdGrid, SgdModelArrays, SgdStep } from '../twins/sgd-explicit.js';

export interface SgdBinding {
  /** Fills `grid` (allocated with the input's length) from parallel index arrays. */
  sgdLayout(
    users: Int32Array,
    items: Int32Array,
    ratings: Float32Array,
    options: { nUsers: number; nItems: number; seed: number },
    grid: SgdGrid,
  ): Promise<void>;
  /** One epoch in place; resolves with the sum of squared errors seen before each update. */
  sgdEpoch(grid: SgdGrid, model: SgdModelArrays, step: SgdStep, cancel?: Int32Array): Promise<number>;
  /** Fills and returns `out`; -1 marks an unknown user or item. */
  sgdPredict(
    model: SgdModelArrays,
    users: Int32Array,
    items: Int32Array,
    out: Float32Array,
    options: { min: number; max: number; threads: number },
  ): Float32Array;
}

/** The addon's functions: one arguments object per call. */
interface SgdAddon {
  sgdLayout(args: { users: Int32Array; items: Int32Array; ratings: Float32Array; nUsers: number; nItems: number; seed: number; grid: SgdGrid }): Promise<void>;
  sgdEpoch(args: { grid: SgdGrid; model: SgdModelArrays; step: SgdStep; cancel?: Int32Array }): Promise<number>;
  sgdPredict(args: { model: SgdModelArrays; users: Int32Array; items: Int32Array; out: Float32Array; min: number; max: number; threads: number }): Float32Array;
}

export function sgdNative(): SgdBinding {
  const addon = native() as unknown as SgdAddon;
  return {
    sgdLayout: (users, items, ratings, options, grid) => addon.sgdLayout({ users, items, ratings, ...options, grid }),
    sgdEpoch: (grid, model, step, cancel) => addon.sgdEpoch({ grid, model, step, cancel }),
    sgdPredict: (model, users, items, out, options) => addon.sgdPredict({ model, users, items, out, ...options }),
  };
}
