/**
 * Does the data given to a report belong to the model? A model keeps the
 * interactions it was trained on, so two mistakes can be told, and are:
 * training data that is not what the model was trained on (its counts would
 * be shown as the model's), and held-out pairs the model was trained on
 * (they make every held-out figure look better than it is).
 */
import type { Interactions } from '../data/interactions.js';
import type { Recommender } from '../models/base/recommender.js';
import { isRatingModel } from '../models/registry.js';

export interface DataCheck {
  /** The model's own training record. */
  model: { users: number; items: number; interactions: number };
  /** Pairs of the training data the model was not trained on. */
  trainPairsNotInModel: number;
  /** Held-out pairs the model was trained on that count in the figures (see checkModelData). */
  testPairsInModel: number;
  /** One sentence per problem found; empty when the data belong to the model. */
  warnings: string[];
}

const fmt = (n: number) => n.toLocaleString('en-US');
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

/** Whether `data` holds the pair (u, i) of its own index space (rows hold sorted item indices). */
function hasPair(data: Interactions, u: number, i: number): boolean {
  const m = data.byUser;
  if (u >= m.rows) return false;
  let lo = m.indptr[u]!;
  let hi = m.indptr[u + 1]!;
  const end = hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (m.indices[mid]! < i) lo = mid + 1;
    else hi = mid;
  }
  return lo < end && m.indices[lo] === i;
}

/** Pairs of `data` (by raw id) that the model was trained on, and that `skip` (if given) does not exclude. */
function pairsTrainedOn(model: Recommender, data: Interactions, skip?: (u: number, i: number) => boolean): number {
  const m = data.byUser;
  let n = 0;
  for (let u = 0; u < m.rows; u++) {
    const user = data.users.id(u);
    for (let k = m.indptr[u]!; k < m.indptr[u + 1]!; k++) {
      const i = m.indices[k]!;
      if (!skip?.(u, i) && model.wasTrainedOn(user, data.items.id(i))) n++;
    }
  }
  return n;
}

/**
 * `test` shares `train`'s id maps. A ranking report ranks each user's items
 * outside their training items (of `train`), so a held-out pair that is also
 * in `train` never counts; only those the model was trained on beyond `train`
 * inflate its figures. Rating errors count every held-out pair.
 */
export function checkModelData(model: Recommender, train: Interactions, test: Interactions): DataCheck {
  const own = model.trainingSize;
  const trainPairsNotInModel = train.nnz - pairsTrainedOn(model, train);
  const ranked = !isRatingModel(model.type);
  const testPairsInModel = pairsTrainedOn(model, test, ranked ? (u, i) => hasPair(train, u, i) : undefined);
  const warnings: string[] = [];
  if (trainPairsNotInModel > 0 || train.nnz !== own.interactions) {
    warnings.push(
      `The training data is not what the model was trained on: the model holds ${fmt(own.interactions)} training interactions, ` +
        `the training data has ${fmt(train.nnz)}` +
        (trainPairsNotInModel ? `, ${fmt(trainPairsNotInModel)} of them not in the model` : '') +
        '. Figures that depend on the training data (seen items, popularity, counts) do not describe this model.',
    );
  }
  if (testPairsInModel > 0) {
    const counted = ranked ? ' (outside the training data given, so ranked as unseen)' : '';
    warnings.push(
      `${fmt(testPairsInModel)} of the ${fmt(test.nnz)} held-out interactions (${percent(testPairsInModel, test.nnz)})${counted} were in the model's training data: ` +
        'the model has seen these answers, so the held-out figures are better than an honest test would give.',
    );
  }
  return { model: own, trainPairsNotInModel, testPairsInModel, warnings };
}
