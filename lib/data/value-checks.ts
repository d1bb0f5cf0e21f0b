/**
 * Does what was read suit the model about to learn from it? A rating model
 * fed line counts, negative quantities fed to an implicit model as
 * confidence, a value column that holds ids, prices or timestamps: each
 * trains without failing and gives wrong answers (or diverges with a
 * message about the learning rate), so it is said before training starts.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { printable } from '../text/printable.js';
import { columnLabel } from './record-reader.js';
import type { ReadNote } from './read-options.js';
import type { ReadResult } from './read-delimited.js';

/**
 * What the model makes of the values: ratings to predict, confidence in
 * implicit feedback (ALS), or nothing but presence (BPR: every pair a positive).
 */
export type ValueUse = 'ratings' | 'confidence' | 'presence';

const NEGATIVE_MEANS: Record<Exclude<ValueUse, 'ratings'>, string> = {
  confidence: 'an implicit model reads them as dislikes held with confidence 1 + alpha·|value|',
  presence: 'a ranking model takes every pair as a positive, whatever its value',
};

/** Widest value range a rating scale plausibly has (1–5, 0–10, 0–100 points...). */
const RATING_SPAN = 100;
/** Values this large are timestamps or ids (Unix seconds since 1973 exceed it), not counts. */
const ID_LIKE = 1e8;

/**
 * Checks `read` for a model that uses its values as `use`. Throws
 * ERR_MFREC_INVALID_ARGUMENT for ratings without a value column; returns
 * warnings (kind 'negative-values' or 'values') for the rest.
 */
export function checkValuesFor(use: ValueUse, read: ReadResult, source: string): ReadNote[] {
  const { columns, names } = read.format;
  if (columns.value === null && columns.type === null) {
    if (use === 'ratings') {
      const listed = names ? ` (its columns: ${printable(names.join(', '))})` : '';
      throw new MfrecError(
        ErrorCodes.INVALID_ARGUMENT,
        `${source} has no value column${listed}: a rating model would learn from line counts; name the ratings with valueCol, or train an implicit model`,
      );
    }
    return [];
  }
  const notes: ReadNote[] = [];
  const what = columns.value === null ? 'the type weights' : printable(`${columnLabel(read.format, columns.value)} (read as the value)`);
  const values = read.interactions.byUser.values;
  let negative = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v < 0) negative++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (use !== 'ratings' && negative > 0) {
    notes.push({
      kind: 'negative-values',
      message:
        `${source}: ${negative} (user, item) pair(s) have a negative value in ${what} (returns, cancellations?): ` +
        `${NEGATIVE_MEANS[use]}; drop those lines, or combine them with the purchases they cancel (aggregate: sum)`,
    });
  }
  if (Math.max(Math.abs(min), Math.abs(max)) >= ID_LIKE) {
    notes.push({
      kind: 'values',
      message: `${source}: values of ${what} reach about ${(max >= ID_LIKE ? max : min).toPrecision(3)}: these look like timestamps or ids, not ${use === 'ratings' ? 'ratings' : 'counts'}; name the right column with valueCol`,
    });
  } else if (use === 'ratings' && max - min > RATING_SPAN) {
    notes.push({
      kind: 'values',
      message: `${source}: values of ${what} span ${min} to ${max}, no rating scale (ids, prices, quantities?); training may diverge; name the rating column with valueCol`,
    });
  }
  return notes;
}
