/**
 * The neighbour search item-KNN and RP3beta share: each item's top-k items by
 * a sparse product (lib/addon/item-item-fit.ts), on the native kernel or its
 * twin, turned into the sparse weights the ranking reads.
 */
import type { SparseRows } from '../../data/sparse.js';
import type { BackendName } from '../base/backend.js';
import type { ItemWeights } from '../base/item-weights.js';
import { checkMemory } from '../base/memory-limit.js';
import type { CancelFlag } from '../base/training.js';
import { neighbourBackends } from './backend.js';

export interface NeighbourProduct {
  /** a: items × users. */
  byItem: SparseRows;
  /** b: users × items. */
  byUser: SparseRows;
  colScale?: Float32Array;
  shrink: number;
  k: number;
  threads: number;
}

/** Refuses, before allocating, a neighbour table that cannot exist. */
export function checkNeighbourMemory(where: string, items: number, k: number, threads: number): void {
  const width = Math.min(k, Math.max(items - 1, 0));
  checkMemory({
    where,
    what: `${items} items × ${width} neighbours, plus per-thread buffers`,
    bytes: 8 * items * width * 2 + 8 * items * Math.max(threads, 1),
    largestArray: items * width,
    remedy: 'keep fewer neighbours',
  });
}

/** Each item's top-k neighbours as sparse weights (rows by decreasing weight; items with fewer neighbours have shorter rows). */
export async function neighbourWeights(p: NeighbourProduct, backend: BackendName, cancel: CancelFlag): Promise<ItemWeights> {
  const items = p.byItem.rows;
  const k = Math.max(1, Math.min(p.k, Math.max(items - 1, 1)));
  const outIndices = new Int32Array(items * k);
  const outScores = new Float32Array(items * k);
  await neighbourBackends[backend]({ ...p, k, outIndices, outScores, cancel: cancel.array });
  cancel.throwIfAborted();
  const indptr = new Int32Array(items + 1);
  let nnz = 0;
  for (let i = 0; i < items; i++) {
    for (let e = i * k; e < (i + 1) * k && outIndices[e]! >= 0; e++) nnz++;
    indptr[i + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let i = 0; i < items; i++) {
    const count = indptr[i + 1]! - indptr[i]!;
    indices.set(outIndices.subarray(i * k, i * k + count), indptr[i]!);
    values.set(outScores.subarray(i * k, i * k + count), indptr[i]!);
  }
  return { kind: 'sparse', indptr, indices, values };
}
