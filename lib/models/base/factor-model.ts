/**
 * What every matrix-factorization model shares, written once: the learned
 * state (a vector per user and per item, plus optional biases), the training
 * guard, and everything computed from the factors alone (recommendations,
 * similar items and users, persistence), and the live updates built on a
 * model's own solver: recommending for a recalculated user, partial fits and
 * forgetting. Subclasses implement fit() and, as capabilities, the hooks
 * foldInUser() (declared by supportsRecalculate) and solveRows() (declared
 * by supportsPartialFit).
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { IdMap, RawId } from '../../data/id-map.js';
import { Interactions } from '../../data/interactions.js';
import type { SparseRows } from '../../data/sparse.js';
import { DEFAULT_K, integer, invalid, knownOptions, MAX_K } from '../../validate.js';
import { withoutItem, withoutUser } from './forget.js';
import { knownItemIndices, takeRecalculate, type CheckedHistory, type FoldedUser, type LiveInteractions } from './live-history.js';
import { partiallyFitted, planRows, type Side, type SolvedRows } from './partial-fit-plan.js';
import { BatchRecommendations } from './batch-recommendations.js';
import { countsToShares, rankByPopularity } from './popular-ranking.js';
import { checkMemory } from './memory-limit.js';
import {
  RECOMMEND_OPTION_NAMES,
  rankedCount,
  rawId,
  rawIds,
  resolveRecommendOptions,
  takeSignal,
  type BatchRecommendOptions,
  type RecommendOptions,
  type Recommendation,
  type ResolvedRecommendOptions,
} from './recommend-options.js';
import { topkAddon, type TopKArgs } from '../../addon/topk.js';
import { BusyGuard, CancelFlag } from './training.js';
import { encodeFactorModel } from '../../persist/factor-state.js';
import { writeModelFile } from '../../persist/model-file.js';
import { packageVersion } from '../../version.js';

export type { BatchRecommendOptions, RecommendOptions, Recommendation, RecommendationSource } from './recommend-options.js';
export type { CheckedHistory, FoldedUser, LiveInteractions } from './live-history.js';
export type { Side, SolvedRows } from './partial-fit-plan.js';

/** recommend()'s options: the ranking options, plus recalculating the user from a given history. */
export interface LiveRecommendOptions extends RecommendOptions {
  /**
   * Solve the user's vector from `interactions` against the fixed item
   * factors (the model's fold-in) instead of using the trained one, known
   * user or not. Needs a model with `supportsRecalculate`. Default false.
   */
  recalculate?: boolean;
  /**
   * With `recalculate: true`: the user's current, whole history. Item ids the
   * model does not know are skipped. `filterSeen` then filters these items
   * (not the training record). Explicit models need `values` (ratings).
   */
  interactions?: LiveInteractions;
}

/** Options of partialFitUsers and partialFitItems. */
export interface PartialFitControl {
  /** Cancels the update; the promise rejects with ERR_MFREC_ABORTED and the model keeps its previous state. */
  signal?: AbortSignal;
}
export { BatchRecommendations } from './batch-recommendations.js';

export interface RecommendAllOptions extends BatchRecommendOptions {
  /** Users per yielded block, integer >= 1. Default 1024. Memory stays at one block's results. */
  blockSize?: number;
}

export interface SimilarItemsOptions {
  /** Number of neighbours, integer >= 1. Default 10. */
  k?: number;
  /** Only consider these items; unknown ids are skipped. */
  candidates?: RawId[];
}

export interface SimilarItemsBatchOptions extends SimilarItemsOptions {
  /** Threads, 0 = all hardware threads. Default 0. */
  threads?: number;
  /** Cancels the call: its Promise then rejects with ERR_MFREC_ABORTED. */
  signal?: AbortSignal;
}

const SIMILAR_ITEMS_OPTION_NAMES = ['k', 'candidates'] as const;

export interface SimilarUsersOptions {
  /** Number of neighbours, integer >= 1. Default 10. */
  k?: number;
}

/** The state a trained factor model holds. Arrays are row-major, `factors` floats per row. */
export interface FactorState {
  factors: number;
  users: IdMap;
  items: IdMap;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  /** Explicit-rating models: global mean μ and per-user / per-item biases. */
  globalBias?: number;
  userBias?: Float32Array;
  itemBias?: Float32Array;
  /** The training interactions by user: what "seen" means for filtering. */
  seen: SparseRows;
  /** Number of training users per item: the popularity used for cold start. */
  itemPopularity: Float32Array;
}

export type ModelType = 'explicit' | 'als' | 'bpr';

export abstract class FactorModel {
  abstract readonly type: ModelType;
  /** The complete, defaulted hyperparameters (JSON-serializable; saved with the model). */
  abstract readonly params: Readonly<object>;
  protected state: FactorState | undefined;
  protected readonly guard = new BusyGuard();

  get isFitted(): boolean {
    return this.state !== undefined;
  }

  /** True while fit() runs; reads keep serving the previous state meanwhile. */
  get isTraining(): boolean {
    return this.guard.busy;
  }

  /** The trained state; throws ERR_MFREC_NOT_FITTED before the first successful fit. */
  protected fitted(): FactorState {
    if (this.state === undefined) {
      throw new MfrecError(ErrorCodes.NOT_FITTED, `The ${this.type} model has not been trained: call fit() or load a model first`);
    }
    return this.state;
  }

  get factors(): number {
    return this.fitted().factors;
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
    // Rows hold strictly increasing item indices (checked when a model file is read).
    let lo = s.seen.indptr[u]!;
    let hi = s.seen.indptr[u + 1]!;
    const end = hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s.seen.indices[mid]! < i) lo = mid + 1;
      else hi = mid;
    }
    return lo < end && s.seen.indices[lo] === i;
  }

  /**
   * Whether the model can score `user`: it knows the user and has training
   * interactions for them, so `recommend(user)` ranks with the model
   * (`source: 'model'`). False for a cold-start user, whose recommendations
   * are the popularity fallback. Throws ERR_MFREC_NOT_FITTED before a fit.
   */
  hasUser(user: RawId): boolean {
    const s = this.fitted();
    const u = s.users.index(rawId('user', user));
    return u !== undefined && u < s.seen.rows && s.seen.indptr[u + 1]! > s.seen.indptr[u]!;
  }

  /** Whether `item` is in the model's catalogue (it can be recommended, and queried with similarItems). */
  hasItem(item: RawId): boolean {
    return this.fitted().items.index(rawId('item', item)) !== undefined;
  }

  /** A copy of one user's factor vector (undefined for an unknown user). */
  userVector(user: RawId): Float32Array | undefined {
    const s = this.fitted();
    const u = s.users.index(user);
    return u === undefined ? undefined : s.userFactors.slice(u * s.factors, (u + 1) * s.factors);
  }

  itemVector(item: RawId): Float32Array | undefined {
    const s = this.fitted();
    const i = s.items.index(item);
    return i === undefined ? undefined : s.itemFactors.slice(i * s.factors, (i + 1) * s.factors);
  }

  /**
   * Top-k items for one user, best first, computed synchronously.
   *
   * Scores are dot products of user and item vectors, plus the item bias when
   * the model has one; explicit models also add the global and user biases,
   * so scores are predicted ratings. A user the model does not know, or one
   * without training interactions, gets the most popular items (scores are
   * then popularity counts) unless `coldStart: 'error'`.
   *
   * With `recalculate: true` the user's vector is solved from
   * `interactions` (their current history) against the fixed item factors,
   * without changing the model, known user or not; `filterSeen` then leaves
   * out the given items. A history without any item the model knows is a
   * cold start. A model type without fold-in (`supportsRecalculate` false)
   * throws ERR_MFREC_INVALID_ARGUMENT.
   */
  recommend(user: RawId, options?: LiveRecommendOptions): Recommendation[] {
    const s = this.fitted();
    const id = rawId('user', user);
    const { history, rest } = takeRecalculate('recommend', options, RECOMMEND_OPTION_NAMES);
    const o = resolveRecommendOptions('recommend', rest, s.items);
    if (history !== undefined) return this.recommendRecalculated(s, id, history, o);
    return this.rankRows(s, [id], Int32Array.of(this.warmIndex(s, id, o)), o, o.threads ?? 1, true).row(0);
  }

  /**
   * Whether this model type can fold a user in from a history: what
   * `recommend(user, { recalculate: true, interactions })` and the CLI's
   * `recommend --history` need. Models that can override foldInUser.
   */
  get supportsRecalculate(): boolean {
    return false;
  }

  /** Whether this model type implements partialFitUsers / partialFitItems. */
  get supportsPartialFit(): boolean {
    return false;
  }

  /**
   * The model's fold-in: a user vector (and bias, for models with user
   * biases) solved from `history` against the fixed item side of `s`, or
   * undefined when the history holds no item the model knows. Called only
   * when supportsRecalculate is true.
   */
  protected foldInUser(_s: FactorState, _history: CheckedHistory): FoldedUser | undefined {
    throw this.unsupported('recalculate a user from interactions');
  }

  /**
   * The model's partial-fit solver: one vector (and bias, on a side with
   * biases) per row of `rows` (histories as indices of the other, fixed
   * side), as fit() would solve that row with the other side fixed.
   * `targets[r]` is the row's index on its side once the fit is applied (at
   * or past the current size for a new id). Called only when
   * supportsPartialFit is true, under the busy guard.
   */
  protected solveRows(_s: FactorState, _side: Side, _rows: SparseRows, _targets: Int32Array, _cancel: CancelFlag): Promise<SolvedRows> {
    throw this.unsupported('fit part of the model');
  }

  /**
   * Installs `next` in place of `previous` in one assignment. `unchanged` is
   * the side whose factors `next` shares with `previous`, for models that
   * keep caches derived from one side's factors.
   */
  protected replaceState(_previous: FactorState, next: FactorState, _unchanged: Side): void {
    this.state = next;
  }

  private unsupported(what: string): MfrecError {
    return new MfrecError(ErrorCodes.INVALID_ARGUMENT, `The ${this.type} model cannot ${what}: this model type has no fold-in`);
  }

  private recommendRecalculated(s: FactorState, id: RawId, history: CheckedHistory, o: ResolvedRecommendOptions): Recommendation[] {
    if (!this.supportsRecalculate) throw this.unsupported('recalculate a user from interactions');
    const folded = this.foldInUser(s, history);
    if (folded === undefined) {
      if (o.coldStart === 'error') {
        throw new MfrecError(ErrorCodes.UNKNOWN_ID, `User ${JSON.stringify(id)}'s interactions hold no item the model knows (coldStart: 'error')`);
      }
      return this.rankRows(s, [id], Int32Array.of(-1), o, 1, true).row(0);
    }
    return this.rankFolded(s, id, folded, o.filterSeen ? knownItemIndices(history.items, s.items) : undefined, o);
  }

  /**
   * Ranks items for a folded user exactly as for a trained one (the same
   * kernel and score), leaving out `seen` (sorted item indices) when given.
   */
  protected rankFolded(s: FactorState, id: RawId, folded: FoldedUser, seen: Int32Array | undefined, o: ResolvedRecommendOptions): Recommendation[] {
    const filter = seen ?? new Int32Array(0);
    const { userBias: _trained, ...shared } = s;
    const view: FactorState = {
      ...shared,
      userFactors: folded.factors,
      seen: { rows: 1, cols: s.items.size, indptr: Int32Array.of(0, filter.length), indices: filter, values: new Float32Array(filter.length) },
    };
    if (folded.bias !== undefined) view.userBias = Float32Array.of(folded.bias);
    return this.rankRows(view, [id], Int32Array.of(0), { ...o, filterSeen: seen !== undefined }, o.threads ?? 1, true).row(0);
  }

  /**
   * Grows the model for new or changed users and re-solves only their rows
   * against the fixed item side with the model's own solver; every other
   * vector stays as it is, bit for bit.
   *
   * IMPORTANT: pass each given user's WHOLE history (all their interactions),
   * not just the new ones: each row is re-solved from what you pass alone, and
   * the model's record of what the user has seen is replaced by it.
   *
   * The users updated are those with at least one interaction in `data`;
   * users the model does not know are appended in the order of `data.users`
   * (new users start with bias 0 on models with user biases, then solved).
   * Interactions with items the model does not know are skipped: add such
   * items first with partialFitItems. Item popularity follows the new
   * histories. The new state replaces the old one in one assignment once
   * everything succeeded, so readers never see a half-updated model; the
   * cost is copying the factor matrices and the training matrix, so batch
   * updates rather than calling this per click.
   *
   * Rejects with ERR_MFREC_NOT_FITTED before training, ERR_MFREC_BUSY while a
   * fit, partial fit or forget runs, ERR_MFREC_EMPTY_DATA when `data` has no
   * interaction with a known item, ERR_MFREC_ABORTED on `control.signal`
   * (state unchanged), ERR_MFREC_INVALID_ARGUMENT on a model type without
   * partial fits (`supportsPartialFit` false), and what the model's solver
   * raises (ERR_MFREC_DIVERGED for a singular system).
   */
  async partialFitUsers(data: Interactions, control: PartialFitControl = {}): Promise<this> {
    return this.partialFit('users', data, control);
  }

  /**
   * The mirror of {@link partialFitUsers} for items (new products, or items
   * whose audience changed), solved against the fixed user side. Pass each
   * given item's WHOLE history; interactions of users the model does not
   * know are skipped.
   */
  async partialFitItems(data: Interactions, control: PartialFitControl = {}): Promise<this> {
    return this.partialFit('items', data, control);
  }

  private async partialFit(side: Side, data: Interactions, control: PartialFitControl): Promise<this> {
    const where = side === 'users' ? 'partialFitUsers' : 'partialFitItems';
    const label = `${this.constructor.name}.${where}`;
    if (!(data instanceof Interactions)) throw invalid('an Interactions object', 'data', data);
    const c = knownOptions(`${label} control`, control, ['signal']) as PartialFitControl;
    return this.guard.run(where, async () => {
      const cancel = new CancelFlag(c.signal);
      try {
        const s = this.fitted();
        if (!this.supportsPartialFit) throw this.unsupported('fit part of the model');
        const users = side === 'users';
        const fixed: Side = users ? 'items' : 'users';
        const plan = users
          ? planRows(s.users, s.items, data.byUser, data.users, data.items)
          : planRows(s.items, s.users, data.byItem, data.items, data.users);
        if (plan.rows.indices.length === 0) {
          throw new MfrecError(ErrorCodes.EMPTY_DATA, `${label} needs at least one interaction with ${fixed} the model knows`);
        }
        cancel.throwIfAborted();
        const solved = await this.solveRows(s, side, plan.rows, plan.targets, cancel);
        cancel.throwIfAborted();
        this.replaceState(s, partiallyFitted(s, side, plan, solved), fixed);
        return this;
      } finally {
        cancel.dispose();
      }
    });
  }

  /**
   * Removes a user and every record of them from the model: the id, the
   * factor row (and bias), the training interactions that filter their seen
   * items, and their contribution to item popularity. A model saved
   * afterwards does not contain the id. Users after them move up one index.
   * The other rows' learned vectors, shaped in training partly by this
   * user's data, stay until the next fit.
   *
   * Rejects with ERR_MFREC_UNKNOWN_ID for an id the model does not know,
   * ERR_MFREC_BUSY while a fit or partial fit runs (whose result would bring
   * the user back), ERR_MFREC_NOT_FITTED before training.
   */
  async forgetUser(user: RawId): Promise<this> {
    const id = rawId('user', user);
    return this.guard.run('forgetUser', async () => {
      const s = this.fitted();
      const u = s.users.index(id);
      if (u === undefined) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown user ${JSON.stringify(id)}: nothing to forget`);
      this.replaceState(s, withoutUser(s, u), 'items');
      return this;
    });
  }

  /**
   * Removes an item from the model: its id, factor row (and bias), its
   * popularity and every user's record of it. It is then never recommended
   * nor listed as similar, and a model saved afterwards does not contain the
   * id. Same errors as {@link forgetUser}.
   */
  async forgetItem(item: RawId): Promise<this> {
    const id = rawId('item', item);
    return this.guard.run('forgetItem', async () => {
      const s = this.fitted();
      const i = s.items.index(id);
      if (i === undefined) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown item ${JSON.stringify(id)}: nothing to forget`);
      this.replaceState(s, withoutItem(s, i), 'users');
      return this;
    });
  }

  /**
   * Top-k items for many users at once, off the event loop and in parallel
   * (`threads`, default all hardware threads). Row r of the result belongs to
   * `users[r]`; see {@link BatchRecommendations}. Aborting `signal` rejects
   * with ERR_MFREC_ABORTED, also while the kernel runs.
   */
  async recommendBatch(users: ArrayLike<RawId>, options?: BatchRecommendOptions): Promise<BatchRecommendations> {
    const s = this.fitted();
    const list = rawIds('users', users);
    const { signal, rest } = takeSignal('recommendBatch', options, [...RECOMMEND_OPTION_NAMES, 'signal']);
    const o = resolveRecommendOptions('recommendBatch', rest, s.items);
    const ids = Array.from(list);
    const rows = Int32Array.from(ids, (id) => this.warmIndex(s, id, o));
    return cancellable(signal, (cancel) => this.rankRows(s, ids, rows, o, o.threads ?? 0, false, cancel));
  }

  /**
   * Recommendations for every user the model knows, in index order, yielded
   * in blocks of `blockSize` users so memory stays flat however many users
   * there are. Uses the state at call time even if a fit() finishes meanwhile.
   * Options are validated when this is called, not at the first iteration.
   * Users without training interactions follow `coldStart` (under 'error'
   * the iteration rejects at the first block holding one). Aborting `signal`
   * rejects the pending or next block with ERR_MFREC_ABORTED.
   */
  recommendAll(options?: RecommendAllOptions): AsyncIterableIterator<BatchRecommendations> {
    const s = this.fitted();
    const { signal, rest } = takeSignal('recommendAll', options, [...RECOMMEND_OPTION_NAMES, 'blockSize', 'signal']);
    const blockSize = rest.blockSize === undefined ? 1024 : integer('blockSize', rest.blockSize, 1);
    delete rest.blockSize;
    const o = resolveRecommendOptions('recommendAll', rest, s.items);
    const blocks = async function* (model: FactorModel): AsyncIterableIterator<BatchRecommendations> {
      const n = s.users.size;
      for (let start = 0; start < n; start += blockSize) {
        const end = Math.min(n, start + blockSize);
        const ids: RawId[] = [];
        const rows = new Int32Array(end - start);
        for (let u = start; u < end; u++) {
          const id = s.users.id(u);
          ids.push(id);
          rows[u - start] = model.warmIndex(s, id, o);
        }
        yield await cancellable(signal, (cancel) => model.rankRows(s, ids, rows, o, o.threads ?? 0, false, cancel));
      }
    };
    return blocks(this);
  }

  /**
   * The k items most similar to `item` by cosine similarity of their factor
   * vectors, excluding the item itself. An unknown item throws ERR_MFREC_UNKNOWN_ID.
   */
  similarItems(item: RawId, options?: SimilarItemsOptions): Recommendation[] {
    const s = this.fitted();
    const id = rawId('item', item);
    const o = resolveRecommendOptions('similarItems', options, s.items, SIMILAR_ITEMS_OPTION_NAMES);
    const i = knownItem(s, id);
    return this.similar(s.itemFactors, s.factors, i, o.k, o.candidates).map(([j, score]) => ({ item: s.items.id(j), score, source: 'model' as const }));
  }

  /**
   * {@link similarItems} for many items at once, off the event loop and in
   * parallel (`threads`, default all hardware threads). Row r of the result
   * holds the neighbours of `items[r]` (the result's `users` / `queries` are
   * the query items; `coldStart` is all 0). Any unknown item rejects with
   * ERR_MFREC_UNKNOWN_ID; aborting `signal` rejects with ERR_MFREC_ABORTED.
   */
  async similarItemsBatch(items: ArrayLike<RawId>, options?: SimilarItemsBatchOptions): Promise<BatchRecommendations> {
    const s = this.fitted();
    const list = rawIds('items', items);
    const { signal, rest } = takeSignal('similarItemsBatch', options, [...SIMILAR_ITEMS_OPTION_NAMES, 'threads', 'signal']);
    const o = resolveRecommendOptions('similarItemsBatch', rest, s.items, [...SIMILAR_ITEMS_OPTION_NAMES, 'threads']);
    const ids = Array.from(list);
    const rows = Int32Array.from(ids, (id) => knownItem(s, id));
    const width = similarWidth(o.k, o.candidates, s.items.size);
    checkResultMemory('similarItemsBatch', rows.length, width);
    const out = { items: new Int32Array(rows.length * width), scores: new Float32Array(rows.length * width) };
    return cancellable(signal, async (cancel) => {
      if (width > 0 && rows.length > 0) {
        await topkAddon().topk(similarArgs(s.itemFactors, s.factors, rows, width, o.candidates, o.threads ?? 0, out, cancel));
      }
      return new BatchRecommendations(ids, width, out.items, out.scores, new Uint8Array(rows.length), s.items);
    });
  }

  /**
   * The k users most similar to `user` by cosine similarity of their factor
   * vectors, excluding the user. An unknown user throws ERR_MFREC_UNKNOWN_ID.
   */
  similarUsers(user: RawId, options?: SimilarUsersOptions): Array<{ user: RawId; score: number }> {
    const s = this.fitted();
    const id = rawId('user', user);
    const raw = knownOptions('similarUsers', options, ['k']);
    const k = raw.k === undefined ? DEFAULT_K : integer('k', raw.k, 1, MAX_K);
    const u = s.users.index(id);
    if (u === undefined || u >= s.seen.rows) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown user ${JSON.stringify(id)}`);
    return this.similar(s.userFactors, s.factors, u, k, undefined).map(([j, score]) => ({ user: s.users.id(j), score }));
  }

  /**
   * The user's row index when the model can score them; −1 for a cold user
   * (unknown, or no training interactions), or an error under 'error'.
   */
  private warmIndex(s: FactorState, id: RawId, o: ResolvedRecommendOptions): number {
    const u = s.users.index(id);
    if (u !== undefined && u < s.seen.rows && s.seen.indptr[u + 1]! > s.seen.indptr[u]!) return u;
    if (o.coldStart === 'error') {
      const why = u === undefined ? 'is unknown to the model' : 'has no training interactions';
      throw new MfrecError(ErrorCodes.UNKNOWN_ID, `User ${JSON.stringify(id)} ${why} (coldStart: 'error')`);
    }
    return -1;
  }

  /**
   * Ranks items for rows (−1 = cold start) with the kernel, on this thread
   * (sync) or off it (then `cancel` is the kernel's cancellation flag).
   */
  private rankRows(
    s: FactorState,
    ids: RawId[],
    rows: Int32Array,
    o: ResolvedRecommendOptions,
    threads: number,
    sync: true,
  ): BatchRecommendations;
  private rankRows(
    s: FactorState,
    ids: RawId[],
    rows: Int32Array,
    o: ResolvedRecommendOptions,
    threads: number,
    sync: false,
    cancel: Int32Array,
  ): Promise<BatchRecommendations>;
  private rankRows(
    s: FactorState,
    ids: RawId[],
    rows: Int32Array,
    o: ResolvedRecommendOptions,
    threads: number,
    sync: boolean,
    cancel?: Int32Array,
  ): BatchRecommendations | Promise<BatchRecommendations> {
    const n = rows.length;
    const width = Math.min(o.k, rankedCount(o, s.items.size));
    checkResultMemory('recommendations', n, width);
    const items = new Int32Array(n * width);
    const scores = new Float32Array(n * width);
    const cold = Uint8Array.from(rows, (u) => (u < 0 ? 1 : 0));
    const warm = rows.filter((u) => u >= 0);
    const finish = (): BatchRecommendations => {
      if (warm.length < n) this.fillCold(s, o, rows, width, items, scores);
      return new BatchRecommendations(ids, width, items, scores, cold, s.items);
    };
    if (width === 0 || warm.length === 0) return sync ? finish() : Promise.resolve(finish());
    // With cold rows present the kernel writes the warm rows compactly first.
    const direct = warm.length === n;
    const args: TopKArgs = {
      query: s.userFactors,
      rows: warm,
      rowOffset: s.userBias,
      offset: s.globalBias ?? 0,
      target: s.itemFactors,
      factors: s.factors,
      colBias: s.itemBias,
      filterIndptr: o.filterSeen ? s.seen.indptr : undefined,
      filterIndices: o.filterSeen ? s.seen.indices : undefined,
      excludeSelf: false,
      exclude: o.exclude,
      candidates: o.candidates,
      k: width,
      threads,
      items: direct ? items : new Int32Array(warm.length * width),
      scores: direct ? scores : new Float32Array(warm.length * width),
      cancel,
    };
    const scatter = (): BatchRecommendations => {
      if (!direct) {
        let w = 0;
        for (let r = 0; r < n; r++) {
          if (rows[r]! < 0) continue;
          items.set(args.items.subarray(w * width, (w + 1) * width), r * width);
          scores.set(args.scores.subarray(w * width, (w + 1) * width), r * width);
          w++;
        }
      }
      return finish();
    };
    if (sync) {
      topkAddon().topkSync(args);
      return scatter();
    }
    return topkAddon().topk(args).then(scatter);
  }

  /** Cold rows get the popular items under the same exclusions and candidates (nothing seen to filter), scored by their share of training users. */
  private fillCold(s: FactorState, o: ResolvedRecommendOptions, rows: Int32Array, width: number, items: Int32Array, scores: Float32Array): void {
    let first = -1;
    for (let r = 0; r < rows.length; r++) {
      if (rows[r]! >= 0) continue;
      if (first < 0) {
        rankByPopularity(s.itemPopularity, o, undefined, items, scores, r * width, width);
        countsToShares(s.seen, scores, r * width, width);
        first = r;
      } else {
        items.copyWithin(r * width, first * width, (first + 1) * width);
        scores.copyWithin(r * width, first * width, (first + 1) * width);
      }
    }
  }

  /** Cosine top-k of row `q` of `vectors` among the other rows: [index, similarity] pairs. */
  private similar(vectors: Float32Array, factors: number, q: number, k: number, candidates: Int32Array | undefined): Array<[number, number]> {
    const width = similarWidth(k, candidates, vectors.length / factors);
    if (width === 0) return [];
    const out = { items: new Int32Array(width), scores: new Float32Array(width) };
    topkAddon().topkSync(similarArgs(vectors, factors, Int32Array.of(q), width, candidates, 1, out, undefined));
    const pairs: Array<[number, number]> = [];
    for (let j = 0; j < width && out.items[j]! >= 0; j++) pairs.push([out.items[j]!, out.scores[j]!]);
    return pairs;
  }

  /**
   * Writes the model to `file` atomically (see docs/model-format.md): the
   * hyperparameters, id maps, factors and the training interactions needed
   * to filter seen items. Load it back with {@link loadModel}.
   */
  async save(file: string): Promise<void> {
    const state = this.fitted();
    const values = state.seen.values;
    let min = Infinity;
    let max = -Infinity;
    for (let k = 0; k < values.length; k++) {
      min = Math.min(min, values[k]!);
      max = Math.max(max, values[k]!);
    }
    const training = {
      users: state.users.size,
      items: state.items.size,
      interactions: values.length,
      valueRange: values.length ? [min, max] : null,
      savedAt: new Date().toISOString(),
    };
    const contents = encodeFactorModel({ type: this.type, params: { ...this.params }, state, extra: { training } }, packageVersion());
    await writeModelFile(file, contents);
  }

  /** Installs a state read from a model file (used by loadModel). */
  static restore<T extends FactorModel>(model: T, state: FactorState): T {
    if (state.factors !== (model.params as { factors?: number }).factors) {
      throw new MfrecError(ErrorCodes.CORRUPT_FILE, `Model file factors (${state.factors}) disagree with its hyperparameters`);
    }
    model.state = state;
    return model;
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
    if (u === undefined) return undefined;
    const f = s.factors;
    const out = new Float32Array(s.items.size);
    const offset = (s.globalBias ?? 0) + (s.userBias?.[u] ?? 0);
    const x = s.userFactors.subarray(u * f, (u + 1) * f);
    for (let i = 0; i < out.length; i++) {
      let dot = 0;
      const base = i * f;
      for (let p = 0; p < f; p++) dot += x[p]! * s.itemFactors[base + p]!;
      out[i] = dot + offset + (s.itemBias?.[i] ?? 0);
    }
    return out;
  }

  /** Waits for in-flight training to settle, then drops the state. */
  async dispose(): Promise<void> {
    await this.guard.idle();
    this.state = undefined;
  }
}

/**
 * Runs asynchronous work under an optional AbortSignal: rejects with
 * ERR_MFREC_ABORTED when the signal is (or becomes) aborted before the work
 * settles, handing the work the flag the native kernels poll.
 */
async function cancellable<T>(signal: AbortSignal | undefined, work: (cancel: Int32Array) => Promise<T>): Promise<T> {
  const cancel = new CancelFlag(signal);
  try {
    cancel.throwIfAborted();
    const result = await work(cancel.array);
    // An abort that arrives after the kernel finished still wins: the caller asked to stop.
    cancel.throwIfAborted();
    return result;
  } finally {
    cancel.dispose();
  }
}

function knownItem(s: FactorState, id: RawId): number {
  const i = s.items.index(id);
  if (i === undefined) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown item ${JSON.stringify(id)}`);
  return i;
}

/** Slots per similarity row: k, capped by the candidates or the other rows (the query itself counts, then pads). */
function similarWidth(k: number, candidates: Int32Array | undefined, rows: number): number {
  return Math.min(k, candidates ? candidates.length : rows);
}

/** A cosine top-K request: rows of `vectors` against all rows of `vectors`, the query row left out. */
function similarArgs(
  vectors: Float32Array,
  factors: number,
  rows: Int32Array,
  width: number,
  candidates: Int32Array | undefined,
  threads: number,
  out: { items: Int32Array; scores: Float32Array },
  cancel: Int32Array | undefined,
): TopKArgs {
  const inverse = inverseNorms(vectors, factors);
  return {
    query: vectors,
    rows,
    rowScale: inverse,
    offset: 0,
    target: vectors,
    factors,
    colScale: inverse,
    excludeSelf: true,
    candidates,
    k: width,
    threads,
    items: out.items,
    scores: out.scores,
    cancel,
  };
}

const inverseNormCache = new WeakMap<Float32Array, Float32Array>();

/**
 * 1/‖row‖ for every row (0 for a zero row, whose cosine with anything is
 * then 0). Cached per factor array: a fit replaces the arrays, never edits them.
 */
export function inverseNorms(vectors: Float32Array, factors: number): Float32Array {
  let inv = inverseNormCache.get(vectors);
  if (inv === undefined) {
    const n = vectors.length / factors;
    inv = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      let sum = 0;
      for (let p = r * factors; p < (r + 1) * factors; p++) sum += vectors[p]! * vectors[p]!;
      inv[r] = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    }
    inverseNormCache.set(vectors, inv);
  }
  return inv;
}

/** Refuses a result of `rows` × `width` (item, score) pairs that cannot be allocated (memory-limit.ts). */
function checkResultMemory(where: string, rows: number, width: number): void {
  checkMemory({
    where,
    what: `${rows} rows of ${width} items`,
    bytes: rows * width * 8,
    largestArray: rows * width,
    remedy: 'ask for fewer users per call (blockSize) or a smaller k',
  });
}
