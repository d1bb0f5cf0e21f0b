/**
 * Types of the explicit-rating SGD binding (native/bindings/sgd.cc). The
 * argument shapes are the twin's (lib/twins/sgd.ts), so either side
 * can run the same call.
 */
import { native } from './loader.js';
import type { SgdGrid, SgdModelArrays, SgdStep } from '../twins/sgd.js';

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

export function sgdNative(): SgdBinding {
  return native() as unknown as SgdBinding;
}
