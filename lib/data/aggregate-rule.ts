/**
 * The rule that combines repeated (user, item) pairs when the caller leaves
 * it to the reader: counts add up, ratings stay on their scale.
 */
import { printable } from '../text/printable.js';
import { normalizeName } from './detect-format.js';
import type { Aggregate } from './interactions.js';
import type { ReadFormat } from './read-options.js';

/** Value column names that count things: repeated lines add up. */
const COUNT_NAMES = new Set([
  'count',
  'counts',
  'quantity',
  'qty',
  'plays',
  'playcount',
  'clicks',
  'views',
  'amount',
  'weight',
  'confidence',
  'frequency',
  'freq',
  'times',
  'units',
]);

export interface AggregateRule {
  aggregate: Aggregate;
  /** Why this rule, in words, for the read's notes. */
  why: string;
}

export function resolveAggregate(requested: 'auto' | Aggregate, format: ReadFormat): AggregateRule {
  if (requested !== 'auto') return { aggregate: requested, why: 'as asked' };
  const { columns, names } = format;
  if (columns.value === null) return { aggregate: 'sum', why: 'no value column: lines are counted; pass aggregate to choose another rule' };
  if (columns.type !== null) return { aggregate: 'sum', why: 'weighted interaction types add up; pass aggregate to choose another rule' };
  const name = names?.[columns.value];
  if (name !== undefined && COUNT_NAMES.has(normalizeName(name))) {
    return { aggregate: 'sum', why: `'${printable(name)}' counts: values add up; pass aggregate to choose another rule` };
  }
  return columns.time !== null
    ? { aggregate: 'last', why: 'values taken for ratings keep their scale: the latest one counts; pass aggregate: sum to add them' }
    : { aggregate: 'mean', why: 'values taken for ratings keep their scale: their mean counts; pass aggregate: sum to add them' };
}
