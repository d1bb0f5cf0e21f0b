/**
 * The reads every model answers from its trained state alone (ids, what it
 * was trained on, scores), apart from training and ranking: Recommender
 * extends this (and FactorModel adds the reads of vectors).
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { RawId } from '../../data/id-map.js';
import type { ModelType } from '../registry.js';
import { indexInfoOf, type IndexInfo } from './ann-index.js';
import { canScoreUser, hasTrainingRow, scoreAllItems, seenBy, type FactorState } from './factor-state.js';
import { rawId } from './recommend-options.js';

export abstract class StateReads {
  abstract readonly type: ModelType;
  protected state: FactorState | undefined;

  get isFitted(): boolean {
    return this.state !== undefined;
  }

  /** The trained state; throws ERR_MFREC_NOT_FITTED before the first successful fit. */
  protected fitted(): FactorState {
    if (this.state === undefined) {
      throw new MfrecError(ErrorCodes.NOT_FITTED, `The ${this.type} model has not been trained: call fit() or load a model first`);
    }
    return this.state;
  }

  /** The approximate index's options and whether it serves similarItems (docs/approximate.md); undefined without one. */
  get indexInfo(): IndexInfo | undefined {
    return indexInfoOf(this.state);
  }

  /** Raw ids of the users the model knows, in index order. */
  get userIds(): RawId[] {
    return this.fitted().users.toArray();
  }

  get itemIds(): RawId[] {
    return this.fitted().items.toArray();
  }

  /** The size of the training record the model keeps (what `filterSeen` filters): users, items, interactions. */
  get trainingSize(): { users: number; items: number; interactions: number } {
    const s = this.fitted();
    return { users: s.users.size, items: s.items.size, interactions: s.seen.indptr[s.seen.rows]! };
  }

  /**
   * Whether (user, item) is one of the interactions the model was trained on
   * (its record of what each user has seen): a held-out pair for which this
   * is true is no held-out pair. False for unknown ids.
   */
  wasTrainedOn(user: RawId, item: RawId): boolean {
    const s = this.fitted();
    const u = s.users.index(rawId('user', user));
    const i = s.items.index(rawId('item', item));
    if (u === undefined || i === undefined || u >= s.seen.rows) return false;
    return seenBy(s, u, i);
  }

  /**
   * Whether the model can score `user`: it knows the user and has training
   * interactions for them (or, in an imported model, a trained vector), so `recommend(user)` ranks with the model
   * (`source: 'model'`). False for a cold-start user, whose recommendations
   * are the popularity fallback. Throws ERR_MFREC_NOT_FITTED before a fit.
   */
  hasUser(user: RawId): boolean {
    const s = this.fitted();
    return canScoreUser(s, s.users.index(rawId('user', user)));
  }

  /**
   * The user's training interactions as the model keeps them (what
   * `filterSeen` filters): item ids and their values, in item index order.
   * Empty for a user the model does not know. With extra items appended it
   * is the history a live call folds in ("trained history plus a cart").
   */
  trainedHistory(user: RawId): { items: RawId[]; values: number[] } {
    const s = this.fitted();
    const u = s.users.index(rawId('user', user));
    if (!hasTrainingRow(s, u)) return { items: [], values: [] };
    const begin = s.seen.indptr[u!]!;
    const end = s.seen.indptr[u! + 1]!;
    return { items: Array.from(s.seen.indices.subarray(begin, end), (i) => s.items.id(i)), values: Array.from(s.seen.values.subarray(begin, end)) };
  }

  /** Whether `item` is in the model's catalogue (it can be recommended, and queried with similarItems). */
  hasItem(item: RawId): boolean {
    return this.fitted().items.index(rawId('item', item)) !== undefined;
  }

  /**
   * The model's score for every item (in item index order, see `itemIds`)
   * for a known user: the same scores `recommend` ranks, before any
   * filtering. Undefined for an unknown user. For custom re-ranking and
   * for evaluation.
   */
  scoreItems(user: RawId): Float32Array | undefined {
    const s = this.fitted();
    const u = s.users.index(rawId('user', user));
    return u === undefined ? undefined : scoreAllItems(s, u);
  }
}
