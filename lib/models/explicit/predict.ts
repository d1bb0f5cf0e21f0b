/**
 * ExplicitMF's predictions on the production path: raw ids to model
 * indices under the `unknown` policy, and the native prediction kernel for
 * batches or its arithmetic for one pair (lib/addon/sgd.ts), clamped to the
 * training ratings' range when `clamp` is on.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { IdMap, RawId } from '../../data/id-map.js';
import type { Interactions } from '../../data/interactions.js';
import { predictPair, type SgdModelArrays } from '../../addon/sgd.js';
import { invalid } from '../../validate.js';
import { derivedFrom } from '../base/derived-cache.js';
import { sgdBackends, type SgdBackend } from './backend.js';
import type { ExplicitState, UnknownPolicy } from './options.js';

/** The state's arrays in the kernels' shape. */
export function modelArrays(s: ExplicitState): SgdModelArrays {
  return {
    factors: s.factors,
    globalBias: s.globalBias,
    userFactors: s.userFactors,
    itemFactors: s.itemFactors,
    userBias: s.userBias,
    itemBias: s.itemBias,
  };
}

/** The range of the training ratings (read from `seen`, so a loaded state has it too), kept per ratings array. */
const trainingRange = derivedFrom((ratings: Float32Array) => {
  let min = Infinity;
  let max = -Infinity;
  for (const v of ratings) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
});

/** Range predictions are clamped to: the training ratings' with `clamp`, open without. */
export function predictionRange(s: ExplicitState, clamp: boolean): { min: number; max: number } {
  return clamp ? trainingRange(s.seen.values) : { min: -Infinity, max: Infinity };
}

/** Predictions for index pairs (−1: unknown side); small batches are not worth waking threads for. */
export function predictIndices(
  m: SgdModelArrays,
  u: Int32Array,
  i: Int32Array,
  range: { min: number; max: number },
  threads: number,
  backend: SgdBackend = sgdBackends.native,
): Float32Array {
  const t = u.length < 16384 ? 1 : threads;
  return backend.predict(m, u, i, new Float32Array(u.length), { ...range, threads: t });
}

/** One prediction: the prediction kernel's arithmetic for one pair, without a call into the addon (see predictPair). */
export function predictOne(m: SgdModelArrays, u: number, i: number, range: { min: number; max: number }): number {
  return predictPair(m, u, i, range.min, range.max);
}

export function checkRawId(name: string, id: unknown): RawId {
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return id;
  throw invalid('a string or finite number id', name, id);
}

/** Dense index of a raw id, -1 for unknown under the 'bias' policy. */
export function indexOf(map: IdMap, kind: 'user' | 'item', id: RawId, policy: UnknownPolicy): number {
  const index = map.index(id);
  if (index !== undefined) return index;
  if (policy === 'error') {
    throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown ${kind} ${JSON.stringify(id)}: it had no training ratings (the model's unknown policy is 'error')`);
  }
  return -1;
}

/** Test interactions as model indices (per row and per column, not per entry). */
export function mapped(s: ExplicitState, test: Interactions, policy: UnknownPolicy): { u: Int32Array; i: Int32Array; r: Float32Array } {
  const m = test.byUser;
  const itemIndex = new Int32Array(test.nItems);
  for (let c = 0; c < test.nItems; c++) itemIndex[c] = -2; // not looked up yet
  const u = new Int32Array(test.nnz);
  const i = new Int32Array(test.nnz);
  for (let row = 0; row < m.rows; row++) {
    const start = m.indptr[row]!;
    const end = m.indptr[row + 1]!;
    if (start === end) continue;
    const user = indexOf(s.users, 'user', test.users.id(row), policy);
    for (let k = start; k < end; k++) {
      const col = m.indices[k]!;
      if (itemIndex[col] === -2) itemIndex[col] = indexOf(s.items, 'item', test.items.id(col), policy);
      u[k] = user;
      i[k] = itemIndex[col]!;
    }
  }
  return { u, i, r: m.values };
}
