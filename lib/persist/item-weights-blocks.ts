/**
 * An item-to-item model's weights (lib/models/base/item-weights.ts) in a model
 * file: dense as one `weights` block (items × items), sparse as
 * `weightsIndptr`, `weightsIndices` and `weightsValues`. Decoding checks
 * every size and index before a kernel may read them.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { ItemWeights } from '../models/base/item-weights.js';
import type { BlockArray } from './model-file.js';

export function weightBlocks(w: ItemWeights): Record<string, BlockArray> {
  return w.kind === 'dense' ? { weights: w.values } : { weightsIndptr: w.indptr, weightsIndices: w.indices, weightsValues: w.values };
}

/** Whether the blocks hold item-to-item weights. */
export function hasWeightBlocks(blocks: Record<string, BlockArray>): boolean {
  return blocks.weights !== undefined || blocks.weightsIndptr !== undefined;
}

function bad(source: string, what: string): MfrecError {
  return new MfrecError(ErrorCodes.CORRUPT_FILE, `${source}: inconsistent model file: ${what}`);
}

function finite(source: string, name: string, a: Float32Array): Float32Array {
  for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k]!)) throw bad(source, `block ${name} holds ${a[k]} at position ${k}`);
  return a;
}

/** The weights of a model with `n` items, checked. */
export function decodeWeights(blocks: Record<string, BlockArray>, n: number, source: string): ItemWeights {
  const { weights, weightsIndptr: indptr, weightsIndices: indices, weightsValues: values } = blocks;
  if (weights !== undefined) {
    if (!(weights instanceof Float32Array) || weights.length !== n * n) throw bad(source, `block weights must hold ${n} × ${n} float32 values`);
    if (indptr !== undefined || indices !== undefined || values !== undefined) throw bad(source, 'both dense and sparse weights');
    return { kind: 'dense', values: finite(source, 'weights', weights) };
  }
  if (!(indptr instanceof Int32Array) || indptr.length !== n + 1) throw bad(source, `block weightsIndptr must hold ${n + 1} int32 values`);
  const nnz = indptr[n]!;
  if (!(indices instanceof Int32Array) || indices.length !== nnz) throw bad(source, `block weightsIndices must hold ${nnz} int32 values`);
  if (!(values instanceof Float32Array) || values.length !== nnz) throw bad(source, `block weightsValues must hold ${nnz} float32 values`);
  if (indptr[0] !== 0) throw bad(source, 'weight row pointers do not start at 0');
  for (let i = 0; i < n; i++) {
    if (indptr[i + 1]! < indptr[i]!) throw bad(source, 'weight row pointers out of order');
    for (let e = indptr[i]!; e < indptr[i + 1]!; e++) {
      if (indices[e]! < 0 || indices[e]! >= n) throw bad(source, `weight index ${indices[e]} out of range at row ${i}`);
    }
  }
  return { kind: 'sparse', indptr, indices, values: finite(source, 'weightsValues', values) };
}
