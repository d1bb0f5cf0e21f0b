/**
 * What every ranking evaluator does before it scores a user: check its
 * inputs, then, user by user, mark the training items (never recommended)
 * and the held-out items that are not training items (what counts as a hit).
 */
import { Interactions } from '../data/interactions.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid } from '../validate.js';
import type { UserScorer } from './ranking.js';

export function checkEvaluationInputs(scoreUser: unknown, train: unknown, test: unknown): asserts scoreUser is UserScorer {
  if (typeof scoreUser !== 'function') throw invalid('a function (user, out) => void', 'scoreUser', scoreUser);
  if (!(train instanceof Interactions)) throw invalid('an Interactions object', 'train', train);
  if (!(test instanceof Interactions)) throw invalid('an Interactions object', 'test', test);
  if (train.users !== test.users || train.items !== test.items) {
    throw invalid('test data sharing the id maps of train (as produced by a split)', 'test', test);
  }
  // Scores and lists index train's items: a held-out item added to the map after train was built could never be ranked.
  if (test.nItems > train.nItems) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `test holds items past train's ${train.nItems} (${test.nItems}): they were added to the shared item map after train was built; build train with every item in the map, or use evaluateTopK`,
    );
  }
}

/**
 * Walks the users of `test` who have at least one held-out item outside
 * their training items. Marks use a per-user stamp, so nothing is cleared
 * between users: `trainMark[i] === stamp` means item i is in the current
 * user's training row, `heldMark[i] === stamp` that it is held out (counted
 * once even if the test data repeats it); `heldItems` lists the held-out
 * items, the first `count` entries.
 */
export class HeldOutUsers {
  readonly trainMark: Int32Array;
  readonly heldMark: Int32Array;
  readonly heldItems: Int32Array;
  private readonly train: Interactions;
  private readonly test: Interactions;

  constructor(train: Interactions, test: Interactions) {
    this.train = train;
    this.test = test;
    this.trainMark = new Int32Array(train.nItems);
    this.heldMark = new Int32Array(train.nItems);
    this.heldItems = new Int32Array(train.nItems);
  }

  /** Calls `visit(user, stamp, count)` for each such user; returns how many there were. */
  forEach(visit: (user: number, stamp: number, count: number) => void): number {
    const tr = this.train.byUser;
    const te = this.test.byUser;
    let users = 0;
    for (let u = 0; u < te.rows; u++) {
      const stamp = u + 1;
      if (u < tr.rows) for (let e = tr.indptr[u]!; e < tr.indptr[u + 1]!; e++) this.trainMark[tr.indices[e]!] = stamp;
      let count = 0;
      for (let e = te.indptr[u]!; e < te.indptr[u + 1]!; e++) {
        const i = te.indices[e]!;
        if (this.trainMark[i] !== stamp && this.heldMark[i] !== stamp) {
          this.heldMark[i] = stamp;
          this.heldItems[count++] = i;
        }
      }
      if (count === 0) continue;
      users++;
      visit(u, stamp, count);
    }
    return users;
  }
}
