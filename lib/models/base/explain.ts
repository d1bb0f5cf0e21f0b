/**
 * explain(user, item): a known user's score for an item split into what each
 * item of the user's training history contributes (see docs/explain.md for
 * the derivation per model family). Each family computes one number per
 * history entry; this module checks the arguments, sorts and cuts to the
 * top `n`, and keeps the sum exact by reporting what the cut left out.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { RawId } from '../../data/id-map.js';
import { integer, knownOptions } from '../../validate.js';
import { hasTrainingRow, type FactorState } from './factor-state.js';
import { rawId } from './recommend-options.js';

export interface ExplainOptions {
  /** Contributions to list, the largest first: an integer >= 1. Default 10. */
  n?: number;
}

export interface Contribution {
  /** One item of the user's training history. */
  item: RawId;
  /** What it adds to the score (negative: it pulls the score down). */
  contribution: number;
}

export interface Explanation {
  user: RawId;
  item: RawId;
  /**
   * The score explained: `base + Σ contributions + rest`. For the item-to-item
   * models it is the score recommend() ranks; for ALS and the explicit model
   * it is the score of the user folded in from their training history (the
   * score recommend(user, { recalculate: true }) gives with that history),
   * close to but not bit-equal to the trained vector's score.
   */
  score: number;
  /** The part of the score no history item explains: μ + b_i for the explicit model, 0 otherwise. */
  base: number;
  /** The top `n` contributions, largest first (ties by history order). */
  contributions: Contribution[];
  /** The sum of the contributions left out by `n` (0 when every history item is listed). */
  rest: number;
  /** Items in the user's training history (the contributions there are in all). */
  historySize: number;
}

/** What a family computes: the base, and one contribution per entry of user row `u` of `s.seen`. */
export interface ScoreParts {
  base: number;
  perEntry: Float64Array;
}

/** The default number of contributions listed. */
const DEFAULT_N = 10;

/**
 * Checks explain()'s arguments against `s` and builds the explanation from
 * `parts(u, i)`, the family's decomposition for user row `u` and item `i`.
 */
export function explainScore(s: FactorState, user: unknown, item: unknown, options: unknown, parts: (u: number, i: number) => ScoreParts): Explanation {
  const userId = rawId('user', user);
  const itemId = rawId('item', item);
  const o = knownOptions('explain', options, ['n']);
  const n = o.n === undefined ? DEFAULT_N : integer('n', o.n, 1);
  const u = s.users.index(userId);
  if (!hasTrainingRow(s, u)) {
    const why = u === undefined ? 'is unknown to the model' : 'has no training interactions';
    throw new MfrecError(ErrorCodes.UNKNOWN_ID, `explain: user ${JSON.stringify(userId)} ${why}: only a trained history can be explained`);
  }
  const i = s.items.index(itemId);
  if (i === undefined) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `explain: item ${JSON.stringify(itemId)} is unknown to the model`);
  const { base, perEntry } = parts(u, i);
  const begin = s.seen.indptr[u]!;
  const order = Array.from(perEntry.keys()).sort((a, b) => perEntry[b]! - perEntry[a]! || a - b);
  let total = 0;
  for (const c of perEntry) total += c;
  const contributions = order.slice(0, n).map((e) => ({ item: s.items.id(s.seen.indices[begin + e]!), contribution: perEntry[e]! }));
  let rest = 0;
  for (const e of order.slice(n)) rest += perEntry[e]!;
  return { user: userId, item: itemId, score: base + total, base, contributions, rest, historySize: perEntry.length };
}

/** The error of a model type whose scores have no decomposition over the history. */
export function cannotExplain(type: string, why: string): MfrecError {
  return new MfrecError(ErrorCodes.INVALID_ARGUMENT, `The ${type} model cannot explain a score: ${why}`);
}
