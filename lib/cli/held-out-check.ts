/**
 * Rating errors count every --test rating: one whose (user, item) pair is
 * also in TRAIN was trained on, and makes RMSE and MAE look better than an
 * honest test would. (Ranking metrics leave a user's training items out, so
 * such pairs do not count there.)
 */
import type { Interactions } from '../data/interactions.js';

/** Warns on stderr when test pairs (matched by raw id) are also in train; returns how many are. */
export function warnTestPairsInTrain(train: Interactions, test: Interactions, testFile: string): number {
  const m = test.byUser;
  const seen = new Set<number>();
  let shared = 0;
  for (let u = 0; u < m.rows; u++) {
    const tu = train.users.index(test.users.id(u));
    if (tu === undefined) continue;
    seen.clear();
    const row = train.byUser;
    for (let k = row.indptr[tu]!; k < row.indptr[tu + 1]!; k++) seen.add(row.indices[k]!);
    for (let k = m.indptr[u]!; k < m.indptr[u + 1]!; k++) {
      const ti = train.items.index(test.items.id(m.indices[k]!));
      if (ti !== undefined && seen.has(ti)) shared++;
    }
  }
  if (shared > 0) {
    process.stderr.write(
      `mfrec: warning: ${shared} of the ${test.nnz} ratings of ${testFile} (${((100 * shared) / test.nnz).toFixed(1)}%) are also in the training data: ` +
        'the model was trained on them, so RMSE and MAE are better than an honest test would give (mfrec split makes disjoint files)\n',
    );
  }
  return shared;
}
