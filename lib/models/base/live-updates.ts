/**
 * The live updates every factor model offers on top of its own solver: the
 * plan of a partial fit (which rows, the EMPTY_DATA rule) and forgetting a
 * user or an item. Each returns a new state; the model installs it in one
 * assignment, so readers never see a half-updated model.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { RawId } from '../../data/id-map.js';
import type { Interactions } from '../../data/interactions.js';
import type { FactorState } from './factor-state.js';
import { withoutItem, withoutUser } from './forget.js';
import { planRows, type RowPlan, type Side } from './partial-fit-plan.js';

/** The rows a partial fit of `side` re-solves from `data`; EMPTY_DATA when none has an interaction with the fixed side. */
export function partialFitRows(s: FactorState, side: Side, data: Interactions, label: string): RowPlan {
  const plan =
    side === 'users' ? planRows(s.users, s.items, data.byUser, data.users, data.items) : planRows(s.items, s.users, data.byItem, data.items, data.users);
  if (plan.rows.indices.length === 0) {
    throw new MfrecError(ErrorCodes.EMPTY_DATA, `${label} needs at least one interaction with ${side === 'users' ? 'items' : 'users'} the model knows`);
  }
  return plan;
}

/** `s` without the user `id`; ERR_MFREC_UNKNOWN_ID when the model does not know it. */
export function forgottenUser(s: FactorState, id: RawId): FactorState {
  const u = s.users.index(id);
  if (u === undefined) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown user ${JSON.stringify(id)}: nothing to forget`);
  return withoutUser(s, u);
}

/** `s` without the item `id`; ERR_MFREC_UNKNOWN_ID when the model does not know it. */
export function forgottenItem(s: FactorState, id: RawId): FactorState {
  const i = s.items.index(id);
  if (i === undefined) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown item ${JSON.stringify(id)}: nothing to forget`);
  return withoutItem(s, i);
}
