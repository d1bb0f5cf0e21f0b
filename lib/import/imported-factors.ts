/** What an importer reads from a file, before it becomes an mfrec model (import-factor-model.ts). */
import type { RawId } from '../data/id-map.js';

export interface ImportedFactors {
  /** 'als' or 'bpr': what the file says it holds (or what the caller chose). */
  model: 'als' | 'bpr';
  factors: number;
  /** Row ids: from the file (Spark's id column) or undefined (row numbers, or the caller's ids files). */
  userIds: RawId[] | undefined;
  itemIds: RawId[] | undefined;
  users: number;
  items: number;
  /** Row-major, `factors` floats per row. */
  userFactors: Float32Array;
  itemFactors: Float32Array;
  /** BPR's item bias, when the file has one. */
  itemBias?: Float32Array;
  /** The model's hyperparameters the file states, in mfrec's option names (fold-in and partial fits use them). */
  params: Record<string, unknown>;
}

/** Float32 copy of `values`, refusing NaN and infinities with the position named. */
export function finiteFloats(values: ArrayLike<number>, where: string, columns: number, fail: (why: string) => Error, firstRow = 0): Float32Array {
  // A float32 array read from the file is used as it is: one copy fewer of what may be gigabytes.
  const out = values instanceof Float32Array ? values : Float32Array.from(values);
  for (let k = 0; k < out.length; k++) {
    if (!Number.isFinite(out[k]!)) throw fail(`${where} holds ${values[k]} at row ${firstRow + Math.floor(k / columns)}, column ${k % columns}`);
  }
  return out;
}
