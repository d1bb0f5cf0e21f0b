/**
 * The top-k metrics of evaluateRanking (same definitions, docs/metrics.md)
 * computed from ready-made recommendation lists, one per user: whatever
 * produced them (a model's batch recommendations, a baseline, a program
 * outside mfrec), every list is scored by this one function. AUC needs a
 * score for every item, so it is left to evaluateRanking.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { Interactions } from '../data/interactions.js';
import { cutoff, invalid, knownOptions } from '../validate.js';
import { ListSums } from './list-sums.js';
import { checkEvaluationInputs, HeldOutUsers } from './held-out.js';
import type { RankingMetrics } from './ranking.js';

export type ListMetrics = Omit<RankingMetrics, 'auc'>;

/**
 * The list of dense user `user` (train's index space): dense item indices of
 * train, best first. Only the first k entries count; a −1 ends the list
 * early. Undefined (no list) counts as an empty list: zero hits.
 */
export type UserList = (user: number) => ArrayLike<number> | undefined;

/**
 * Evaluates per-user lists on held-out data. `train` and `test` share their
 * id maps (as splits produce them). The users evaluated are those of
 * evaluateRanking: with at least one held-out item outside their training
 * items. A list is scored as given: a training item in it is a slot without
 * a hit, and a list shorter than k keeps its missing slots empty (precision
 * still divides by k). An item index outside the catalogue or an item
 * listed twice is an error (a broken list, not a ranking).
 */
export function evaluateLists(listOf: UserList, train: Interactions, test: Interactions, options?: { k?: number }): ListMetrics {
  checkEvaluationInputs(listOf, train, test);
  const o = knownOptions('evaluateLists options', options, ['k']);
  const k = cutoff('k', o.k, train.nItems);
  const nItems = train.nItems;
  const walk = new HeldOutUsers(train, test);
  const held = walk.heldMark;
  const listed = new Int32Array(nItems);
  const sums = new ListSums(k, nItems);

  const users = walk.forEach((u, stamp, nHeld) => {
    const list = listOf(u) ?? [];
    for (let r = 0; r < Math.min(k, list.length); r++) {
      const i = list[r]!;
      if (i === -1) break;
      const where = () => `list of user ${String(train.users.id(u))}, position ${r}`;
      if (!Number.isInteger(i) || i < 0 || i >= nItems) throw invalid(`an item index in [0, ${nItems}) or −1`, where(), i);
      if (listed[i] === stamp) throw invalid('each item at most once', where(), train.items.id(i));
      listed[i] = stamp;
      sums.listed(i, r, held[i] === stamp);
    }
    sums.endUser(nHeld);
  });
  if (users === 0) {
    throw new MfrecError(ErrorCodes.EMPTY_DATA, 'evaluateLists: no user has a held-out item outside their training items');
  }
  return { ...sums.means(users), users, k };
}
