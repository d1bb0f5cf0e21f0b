/**
 * Validation on the latest part of the training data: a search that scores
 * configurations on "what came next" picks what predicts the future, where a
 * random slice of each user's history rewards fitting the past.
 *
 * Users and items first seen in the latest part have no history in the part
 * the model trains on, so no configuration can rank or rate them from one:
 * their interactions are left out of the validation part, as a test set read
 * on its own is aligned to its training set (Interactions.alignTo), and the
 * metric is measured on the users and items the model knows.
 */
import type { Interactions } from '../data/interactions.js';
import { timeSplit, type Split } from '../data/split.js';
import { ErrorCodes, MfrecError } from '../errors.js';

/** The latest `testFraction` of `data`'s interactions by timestamp validate; those of users or items unseen before are dropped. */
export function latestPartSplit(data: Interactions, testFraction: number): Split {
  if (!data.hasTimestamps) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      "validation { kind: 'time' } needs interactions with timestamps, and these have none (read them with a timestamp column)",
    );
  }
  const { train, test } = timeSplit(data, { testFraction });
  const known = knownPart(test, train);
  if (known.nnz === 0) {
    throw new MfrecError(
      ErrorCodes.EMPTY_DATA,
      `validation { kind: 'time', testFraction: ${testFraction} }: none of the latest ${test.nnz} interactions is of a user and an item seen before them: nothing to validate on (a larger testFraction holds more)`,
    );
  }
  return { train, test: known };
}

/** The entries of `test` whose user and item both have an interaction in `train` (the two share id maps). */
function knownPart(test: Interactions, train: Interactions): Interactions {
  const trainRows = train.byUser.indptr;
  const itemSeen = new Uint8Array(Math.max(train.nItems, test.nItems));
  for (const i of train.byUser.indices) itemSeen[i] = 1;
  const users = test.userOfEntry;
  const items = test.byUser.indices;
  const keep: number[] = [];
  for (let e = 0; e < test.nnz; e++) {
    const u = users[e]!;
    const userSeen = u < train.nUsers && trainRows[u + 1]! > trainRows[u]!;
    if (userSeen && itemSeen[items[e]!]) keep.push(e);
  }
  return keep.length === test.nnz ? test : test.select(keep);
}
