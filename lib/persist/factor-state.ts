/**
 * Turns a factor model's state into model-file contents and back. The id maps
 * travel in the JSON header (raw ids keep their type: numbers stay numbers);
 * factors, biases and the training matrix travel as raw blocks.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { IdMap, type RawId } from '../data/id-map.js';
import type { FactorState } from '../models/base/factor-model.js';
import { annIndexContents, decodeAnnIndex } from './ann-index-blocks.js';
import { decodeWeights, hasWeightBlocks, weightBlocks } from './item-weights-blocks.js';
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
  if (s.weights) Object.assign(blocks, weightBlocks(s.weights));
  const index = annIndexContents(s);
  Object.assign(blocks, index.blocks);
  return {
    header: {
      type: model.type,
      mfrecVersion: version,
      params: model.params,
      factors: s.factors,
      globalBias: s.globalBias ?? null,
      users: s.users.toArray(),
      items: s.items.toArray(),
      ...(s.everyUserTrained ? { everyUserTrained: true } : {}),
      ...model.extra,
      ...index.header,
    },
    blocks,
  };
}

function bad(source: string, what: string): MfrecError {
  return new MfrecError(ErrorCodes.CORRUPT_FILE, `${source}: inconsistent model file: ${what}`);
}

/** Which bias terms each model type has. */
const BIASES = {
  explicit: { userBias: 'required', itemBias: 'required', globalBias: 'required' },
  als: { userBias: 'absent', itemBias: 'absent', globalBias: 'absent' },
  bpr: { userBias: 'absent', itemBias: 'optional', globalBias: 'absent' },
  ease: { userBias: 'absent', itemBias: 'absent', globalBias: 'absent' },
  itemknn: { userBias: 'absent', itemBias: 'absent', globalBias: 'absent' },
  rp3beta: { userBias: 'absent', itemBias: 'absent', globalBias: 'absent' },
} as const;

/** `a`, once every value is finite: a NaN or infinity would turn every score it touches into NaN. */
function allFinite<T extends Float32Array>(source: string, name: string, a: T): T {
  for (let k = 0; k < a.length; k++) {
    if (!Number.isFinite(a[k]!)) throw bad(source, `block ${name} holds ${a[k]} at position ${k}`);
  }
  return a;
}

/** The training summary, when present, must describe this model's own sizes. */
function checkTrainingSummary(training: unknown, users: number, items: number, interactions: number, source: string): void {
  if (training === undefined) return;
  if (training === null || typeof training !== 'object') throw bad(source, 'training summary is not an object');
  const t = training as Record<string, unknown>;
  const expected: Record<string, number> = { users, items, interactions };
  for (const [key, value] of Object.entries(expected)) {
    if (Object.hasOwn(t, key) && t[key] !== value) throw bad(source, `training summary says ${JSON.stringify(t[key])} ${key}, the model has ${value}`);
  }
}

function isIdList(v: unknown): v is RawId[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)));
}

/**
 * Rebuilds and cross-checks a state: every size must agree before a kernel
 * may touch it, and every value is checked. With
 * `valuesChecked`, the checks that read every value (row order, item
 * indices, finite numbers) are left out: for contents this very function
 * already passed (a worker thread checks the bytes it then hands over,
 * lib/serve/read-worker.ts); sizes, types and ids are checked all the same.
 */
export function decodeFactorModel(contents: ModelFileContents, source: string, valuesChecked = false): SavedFactorModel {
  const { header, blocks } = contents;
  const finite = valuesChecked ? <T extends Float32Array>(_s: string, _n: string, a: T): T => a : allFinite;
  const { type, params, factors, globalBias, users, items, everyUserTrained, mfrecVersion: _v, ...extra } = header;
  if (typeof type !== 'string') throw bad(source, 'no model type');
  if (params === null || typeof params !== 'object') throw bad(source, 'no hyperparameters');
  // Item-to-item models have no factors: their weights stand in for them.
  const itemToItem = hasWeightBlocks(blocks);
  if (!Number.isInteger(factors) || (factors as number) < (itemToItem ? 0 : 1) || (itemToItem && factors !== 0)) throw bad(source, 'invalid factor count');
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
  for (let u = 0; u <= nU && !valuesChecked; u++) {
    const p = indptr[u]!;
    if (p < prev || p > nnz || (u === 0 && p !== 0)) throw bad(source, 'training matrix row pointers out of order');
    prev = p;
  }
  // Kernels binary-search these rows: indices must be in range and strictly increasing.
  for (let u = 0; u < nU && !valuesChecked; u++) {
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
    userFactors: finite(source, 'userFactors', block('userFactors', Float32Array, nU * f)),
    itemFactors: finite(source, 'itemFactors', block('itemFactors', Float32Array, nI * f)),
    seen: { rows: nU, cols: nI, indptr, indices, values: finite(source, 'seenValues', block('seenValues', Float32Array, nnz)) },
    itemPopularity: finite(source, 'itemPopularity', block('itemPopularity', Float32Array, nI)),
  };
  for (let i = 0; i < nI && !valuesChecked; i++)
    if (state.itemPopularity[i]! < 0) throw bad(source, `block itemPopularity holds a negative count at item ${i}`);
  // The biases a type has: missing ones would serve NaN or fail, foreign ones would skew its scores.
  const biases = Object.hasOwn(BIASES, type) ? BIASES[type as keyof typeof BIASES] : undefined;
  if (biases !== undefined) {
    for (const name of ['userBias', 'itemBias'] as const) {
      const need = biases[name];
      if (need === 'required' && blocks[name] === undefined) throw bad(source, `a ${type} model needs block ${name}`);
      if (need === 'absent' && blocks[name] !== undefined) throw bad(source, `a ${type} model has no block ${name}`);
    }
    if (biases.globalBias === 'required' && typeof globalBias !== 'number') throw bad(source, `a ${type} model needs a global bias`);
    if (biases.globalBias === 'absent' && globalBias !== null && globalBias !== undefined) throw bad(source, `a ${type} model has no global bias`);
  }
  if (everyUserTrained !== undefined && everyUserTrained !== true) throw bad(source, `everyUserTrained is ${JSON.stringify(everyUserTrained)}, not true`);
  if (everyUserTrained === true) state.everyUserTrained = true;
  if (blocks.userBias) state.userBias = finite(source, 'userBias', block('userBias', Float32Array, nU));
  if (blocks.itemBias) state.itemBias = finite(source, 'itemBias', block('itemBias', Float32Array, nI));
  if (globalBias !== null && globalBias !== undefined) {
    if (typeof globalBias !== 'number' || !Number.isFinite(globalBias)) throw bad(source, `global bias ${String(globalBias)} is not a finite number`);
    state.globalBias = globalBias;
  }
  if (itemToItem) state.weights = decodeWeights(blocks, nI, source);
  checkTrainingSummary(extra.training, nU, nI, nnz, source);
  const { annIndex, ...rest } = extra;
  const index = decodeAnnIndex(annIndex, blocks, state, source);
  if (index !== undefined) state.index = index;
  return { type, params: params as Record<string, unknown>, state, extra: rest };
}
