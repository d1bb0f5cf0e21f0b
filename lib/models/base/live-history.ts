/**
 * The `recalculate` / `interactions` options of recommend(): a live user's
 * current history, checked once for every model type before the model's
 * fold-in sees it.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { IdMap, RawId } from '../../data/id-map.js';
import type { SparseRows } from '../../data/sparse.js';
import { boolean, invalid, knownOptions } from '../../validate.js';
import { rawIds } from './recommend-options.js';

/** A user's current interactions: item ids and, optionally, one value per item (default 1). */
export interface LiveInteractions {
  items: ArrayLike<RawId>;
  values?: ArrayLike<number>;
}

/** A history after checking: ids are strings or finite numbers, values (when given) finite and as many as the ids. */
export interface CheckedHistory {
  items: RawId[];
  values?: number[];
}

/** A vector solved from a history against the fixed other side (a fold-in); `bias` for models with biases on that side. */
export interface FoldedUser {
  /** The row's factor vector, `factors` long. */
  factors: Float32Array;
  /** The row's bias (b_u or b_i). */
  bias?: number;
  /** Item-to-item models: the history itself (one row of known items), which is what they score from. */
  history?: SparseRows;
}

/**
 * The one check of a history every live call takes (recommend's
 * interactions, the fold-ins' ratings and interactions): an object
 * `{ [key]: ids, values }` whose ids are strings or finite numbers and whose
 * values, required or optional, are finite numbers, as many as the ids.
 * `where` names the object in messages, `field` prefixes the names of its fields.
 */
export function checkIdsAndValues(
  where: string,
  field: string,
  value: unknown,
  key: 'items' | 'users',
  valuesRequired: boolean,
): { ids: RawId[]; values: number[] | undefined } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`an object { ${key}, values${valuesRequired ? '' : '?'} }`, where, value);
  }
  const o = knownOptions(where, value, [key, 'values']);
  const ids = Array.from(rawIds(`${field}${key}`, o[key]));
  if (o.values === undefined && !valuesRequired) return { ids, values: undefined };
  const v = o.values as ArrayLike<unknown>;
  if (v === null || typeof v !== 'object' || typeof v.length !== 'number') throw invalid('an array of numbers', `${field}values`, v);
  if (v.length !== ids.length) throw invalid(`${field}values of length ${ids.length} (the length of ${field}${key})`, `${field}values`, v);
  const values: number[] = [];
  for (let j = 0; j < v.length; j++) {
    const x = v[j];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw invalid('a finite number', `${field}values[${j}]`, x);
    values.push(x);
  }
  return { ids, values };
}

export function checkHistory(name: string, value: unknown): CheckedHistory {
  const { ids, values } = checkIdsAndValues(name, `${name}.`, value, 'items', false);
  return values === undefined ? { items: ids } : { items: ids, values };
}

/** recommend()'s live-history options, checked: a history that replaces the trained one, or a cart added to it. */
export interface LiveOptions {
  /** With `recalculate: true`: the user's whole current history. */
  history: CheckedHistory | undefined;
  /** `cart`: items added on top of the user's trained history (ids checked, values when given finite). */
  cart: CheckedHistory | undefined;
  rest: Record<string, unknown> | undefined;
}

/**
 * Splits recommend()'s own `recalculate`, `interactions` and `cart` from the
 * ranking options. Returns the checked history when the call recalculates;
 * the two go together (one without the other is refused rather than
 * ignored). `cart` adds to the trained history, so it cannot be combined
 * with `recalculate`, which replaces it (put the cart's items in
 * `interactions` instead).
 */
export function takeLiveOptions(where: string, options: unknown, known: readonly string[]): LiveOptions {
  const raw = knownOptions(where, options, [...known, 'recalculate', 'interactions', 'cart']);
  const { recalculate, interactions, cart: rawCart, ...rest } = raw;
  const ranking = options === undefined ? undefined : rest;
  const on = recalculate === undefined ? false : boolean('recalculate', recalculate);
  const cart = rawCart === undefined ? undefined : checkCart(rawCart);
  if (!on) {
    if (interactions !== undefined) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${where}: interactions are used only with recalculate: true (pass both, or neither)`);
    }
    return { history: undefined, cart, rest: ranking };
  }
  if (cart !== undefined) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `${where}: cart adds to the trained history and recalculate replaces it: pass one of them (put the cart's items in interactions)`,
    );
  }
  if (interactions === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${where}: recalculate: true needs interactions { items, values? }: the user's current history`);
  }
  return { history: checkHistory('interactions', interactions), cart: undefined, rest: ranking };
}

/** A cart: an array of item ids, or `{ items, values? }` as interactions take (values are ratings for the explicit model). */
function checkCart(value: unknown): CheckedHistory {
  if (Array.isArray(value)) return { items: Array.from(rawIds('cart', value)) };
  return checkHistory('cart', value);
}

/**
 * The history a cart is folded in over: user row `u`'s training
 * interactions (none for a user without them) followed by the cart's items.
 * An item in both appears twice, which each fold-in reads as it reads a
 * repeated id (ALS and the explicit model add the observation, the others
 * count the item once). Values default to 1 where the cart has none.
 */
export function historyPlusCart(s: { seen: SparseRows; items: IdMap }, u: number | undefined, cart: CheckedHistory): CheckedHistory {
  const items: RawId[] = [];
  const values: number[] = [];
  if (u !== undefined && u < s.seen.rows) {
    for (let e = s.seen.indptr[u]!; e < s.seen.indptr[u + 1]!; e++) {
      items.push(s.items.id(s.seen.indices[e]!));
      values.push(s.seen.values[e]!);
    }
  }
  cart.items.forEach((id, j) => (items.push(id), values.push(cart.values?.[j] ?? 1)));
  return { items, values };
}

/** Dense indices of the history's items the model knows, sorted and without repeats: what the user has seen. */
export function knownItemIndices(items: readonly RawId[], ids: IdMap): Int32Array {
  const found = new Set<number>();
  for (const id of items) {
    const i = ids.index(id);
    if (i !== undefined) found.add(i);
  }
  return Int32Array.from(found).sort();
}
