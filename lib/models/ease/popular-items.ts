/** The interactions restricted to the most popular items: how EASE fits a catalogue larger than it can hold. */
import { IdMap } from '../../data/id-map.js';
import { Interactions } from '../../data/interactions.js';
import { usersPerItem } from '../base/item-popularity.js';

/** `data` with only its `n` most popular items (ties to the lower index), items kept in their original order; every user stays. */
export function mostPopularItems(data: Interactions, n: number): Interactions {
  if (n >= data.nItems) return data;
  const popularity = usersPerItem(data.byUser);
  const order = Int32Array.from({ length: data.nItems }, (_, i) => i).sort((a, b) => popularity[b]! - popularity[a]! || a - b);
  const kept = order.subarray(0, n).sort();
  const column = new Int32Array(data.nItems).fill(-1);
  kept.forEach((i, c) => {
    column[i] = c;
  });
  const m = data.byUser;
  const indptr = new Int32Array(m.rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < m.rows; u++) {
    for (let e = m.indptr[u]!; e < m.indptr[u + 1]!; e++) {
      const c = column[m.indices[e]!]!;
      if (c < 0) continue;
      indices.push(c);
      values.push(m.values[e]!);
    }
    indptr[u + 1] = indices.length;
  }
  const items = new IdMap(Array.from(kept, (i) => data.items.id(i)));
  const byUser = { rows: m.rows, cols: n, indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
  return Interactions.fromSparse(data.users.clone(data.nUsers), items, byUser);
}
