/**
 * The training interactions of an imported model, in the model's own user
 * and item rows: what `filterSeen` leaves out and what the cold-start
 * popularity counts. Pairs whose user or item the model does not know are
 * left out (counted in `skipped`).
 */
import type { IdMap } from '../data/id-map.js';
import type { Interactions } from '../data/interactions.js';
import type { SparseRows } from '../data/sparse.js';

export function seenRecord(data: Interactions | undefined, users: IdMap, items: IdMap): { seen: SparseRows; skipped: number } {
  const rows = users.size;
  const cols = items.size;
  if (data === undefined)
    return { seen: { rows, cols, indptr: new Int32Array(rows + 1), indices: new Int32Array(0), values: new Float32Array(0) }, skipped: 0 };
  const itemRow = Int32Array.from({ length: data.nItems }, (_, i) => items.index(data.items.id(i)) ?? -1);
  const perUser: Array<{ indices: number[]; values: number[] } | undefined> = new Array(rows);
  const src = data.byUser;
  let skipped = 0;
  for (let u = 0; u < src.rows; u++) {
    const begin = src.indptr[u]!;
    const end = src.indptr[u + 1]!;
    const mu = users.index(data.users.id(u));
    if (mu === undefined) {
      skipped += end - begin;
      continue;
    }
    const pairs: Array<[number, number]> = [];
    for (let e = begin; e < end; e++) {
      const mi = itemRow[src.indices[e]!]!;
      if (mi < 0) skipped++;
      else pairs.push([mi, src.values[e]!]);
    }
    // Kernels binary-search a row: its item rows must be strictly increasing.
    pairs.sort((a, b) => a[0] - b[0]);
    perUser[mu] = { indices: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) };
  }
  const indptr = new Int32Array(rows + 1);
  for (let u = 0; u < rows; u++) indptr[u + 1] = indptr[u]! + (perUser[u]?.indices.length ?? 0);
  const indices = new Int32Array(indptr[rows]!);
  const values = new Float32Array(indptr[rows]!);
  for (let u = 0; u < rows; u++) {
    const row = perUser[u];
    if (row === undefined) continue;
    indices.set(row.indices, indptr[u]!);
    values.set(row.values, indptr[u]!);
  }
  return { seen: { rows, cols, indptr, indices, values }, skipped };
}
