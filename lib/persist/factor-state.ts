/**
 * Turns a factor model's state into model-file contents and back. The id maps
 * travel in the JSON header (raw ids keep their type: numbers stay numbers);
 * factors, biases and the training matrix travel as raw blocks.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { IdMap, type RawId } from '../data/id-map.js';
import type { FactorState } from '../models/factor-model.js';
import type { BlockArray, ModelFileContents } from './model-file.js';

export interface SavedFactorModel {
  type: string;
  params: Record<string, unknown>;
  state: FactorState;
  /** Anything else worth keeping (training summary, metrics). */
  extra: Record<string, unknown>;
}

export function encodeFactorModel(model: SavedFactorModel, version: string): ModelFileContents {
  const s = model.state;
  const blocks: Record<string, BlockArray> = {
    userFactors: s.userFactors,
    itemFactors: s.itemFactors,
    seenIndptr: s.seen.indptr,
    seenIndices: s.seen.indices,
    seenValues: s.seen.values,
    itemPopularity: s.itemPopularity,
  };
  if (s.userBias) blocks.userBias = s.userBias;
  if (s.itemBias) blocks.itemBias = s.itemBias;
  return {
    header: {
      type: model.type,
      mfrecVersion: version,
      params: model.params,
      factors: s.factors,
      globalBias: s.globalBias ?? null,
      users: s.users.toArray(),
      items: s.items.toArray(),
      ...model.extra,
    },
    blocks,
  };
}

function bad(source: string, what: string): MfrecError {
  return new MfrecError(ErrorCodes.CORRUPT_FILE, `${source}: inconsistent model file: ${what}`);
}

function isIdList(v: unknown): v is RawId[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)));
}

/** Rebuilds and cross-checks a state: every size must agree before a kernel may touch it. */
export function decodeFactorModel(contents: ModelFileContents, source: string): SavedFactorModel {
  const { header, blocks } = contents;
  const { type, params, factors, globalBias, users, items, mfrecVersion: _v, ...extra } = header;
  if (typeof type !== 'string') throw bad(source, 'no model type');
  if (params === null || typeof params !== 'object') throw bad(source, 'no hyperparameters');
  if (!Number.isInteger(factors) || (factors as number) < 1) throw bad(source, 'invalid factor count');
  if (!isIdList(users) || !isIdList(items)) throw bad(source, 'invalid id maps');
  const f = factors as number;
  const userMap = new IdMap(users);
  const itemMap = new IdMap(items);
  if (userMap.size !== users.length || itemMap.size !== items.length) throw bad(source, 'duplicate ids');
  const nU = users.length;
  const nI = items.length;
  const block = <T extends BlockArray>(name: string, Ctor: new (...a: never[]) => T, length: number | undefined): T => {
    const b = blocks[name];
    if (!(b instanceof Ctor)) throw bad(source, `missing block ${name}`);
    if (length !== undefined && b.length !== length) throw bad(source, `block ${name} has ${b.length} values, expected ${length}`);
    return b;
  };
  const indptr = block('seenIndptr', Int32Array, nU + 1);
  const nnz = indptr[nU]!;
  const indices = block('seenIndices', Int32Array, nnz);
  let prev = 0;
  for (let u = 0; u <= nU; u++) {
    const p = indptr[u]!;
    if (p < prev || p > nnz || (u === 0 && p !== 0)) throw bad(source, 'training matrix row pointers out of order');
    prev = p;
  }
  // Kernels binary-search these rows: indices must be in range and strictly increasing.
  for (let u = 0; u < nU; u++) {
    let last = -1;
    for (let k = indptr[u]!; k < indptr[u + 1]!; k++) {
      const i = indices[k]!;
      if (i <= last || i >= nI) throw bad(source, 'training matrix item indices out of range or order');
      last = i;
    }
  }
  const state: FactorState = {
    factors: f,
    users: userMap,
    items: itemMap,
    userFactors: block('userFactors', Float32Array, nU * f),
    itemFactors: block('itemFactors', Float32Array, nI * f),
    seen: { rows: nU, cols: nI, indptr, indices, values: block('seenValues', Float32Array, nnz) },
    itemPopularity: block('itemPopularity', Float32Array, nI),
  };
  if (blocks.userBias) state.userBias = block('userBias', Float32Array, nU);
  if (blocks.itemBias) state.itemBias = block('itemBias', Float32Array, nI);
  if (typeof globalBias === 'number') state.globalBias = globalBias;
  return { type, params: params as Record<string, unknown>, state, extra };
}
