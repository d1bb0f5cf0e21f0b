/** ExplicitMF's id compaction: the model knows only ids with training ratings. */
import { IdMap } from '../../data/id-map.js';
import { Interactions } from '../../data/interactions.js';
import type { SparseRows } from '../../data/sparse.js';

/**
 * The training data in the model's compact index space (only ids with
 * ratings): `byUser` holds the ratings the grid is laid out from.
 */
export interface TrainingSet {
  users: IdMap;
  items: IdMap;
  byUser: SparseRows;
}

/**
 * Keeps only users and items with at least one rating (splits share the full
 * id maps, so a training set may list ids whose ratings all went to test):
 * the model then treats those as unknown instead of serving random vectors.
 * The usual case, every id rated, reuses the caller's arrays without a copy
 * (on S1 a copy of every entry cost 230 MB at the peak of a fit) and without
 * checking them again (an Interactions holds checked rows). Renumbering is
 * monotone, so the compacted rows list the entries in the same order.
 */
export function compact(data: Interactions): TrainingSet {
  const m = data.byUser;
  const userNew = new Int32Array(data.nUsers).fill(-1);
  const itemNew = new Int32Array(data.nItems).fill(-1);
  const users = new IdMap();
  const items = new IdMap();
  for (let r = 0; r < m.rows; r++) if (m.indptr[r + 1]! > m.indptr[r]!) userNew[r] = users.add(data.users.id(r));
  const seenItems = new Uint8Array(data.nItems);
  for (let k = 0; k < m.indices.length; k++) seenItems[m.indices[k]!] = 1;
  for (let c = 0; c < data.nItems; c++) if (seenItems[c]) itemNew[c] = items.add(data.items.id(c));
  if (users.size === data.nUsers && items.size === data.nItems) return { users, items, byUser: m };
  const u = new Int32Array(data.nnz);
  const i = new Int32Array(data.nnz);
  for (let r = 0; r < m.rows; r++) u.fill(userNew[r]!, m.indptr[r]!, m.indptr[r + 1]!);
  for (let k = 0; k < data.nnz; k++) i[k] = itemNew[m.indices[k]!]!;
  return { users, items, byUser: Interactions.fromIndices(users, items, u, i, m.values.slice(), m.timestamps).byUser };
}
