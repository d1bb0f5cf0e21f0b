/**
 * What every model shares (factor models, lib/models/base/factor-model.ts,
 * and item-to-item models, lib/models/item-item/), written once, as a table of
 * contents: the learned state (factor-state.ts, read in state-reads.ts), the
 * fit() contract with its busy guard (each model supplies train()), and the
 * reads and live updates, each in its own module (recommend.ts, ranking.ts,
 * similar.ts, live-updates.ts; item metadata and compiled rules in
 * catalog-reads.ts). Models with a fold-in implement foldInUser()
 * (declared by supportsRecalculate) and solveRows() (supportsPartialFit).
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { RawId } from '../../data/id-map.js';
import type { Interactions } from '../../data/interactions.js';
import type { SparseRows } from '../../data/sparse.js';
import { encodeFactorModel } from '../../persist/factor-state.js';
import { writeModelFile } from '../../persist/model-file.js';
import { packageVersion } from '../../version.js';
import type { BatchRecommendations } from './batch-recommendations.js';
import { cannotExplain, explainScore, type Explanation, type ExplainOptions, type ScoreParts } from './explain.js';
import { checkFitArguments, checkPartialFitArguments, type PartialFitControl } from './fit-arguments.js';
import { resolveBuildIndexOptions, withCarriedIndex, withIndex, type BuildIndexOptions } from './ann-index.js';
import { trainingSummary, type FactorState } from './factor-state.js';
import { weightArrays } from './item-weights.js';
import type { CheckedHistory, FoldedUser } from './live-history.js';
import { forgottenItem, forgottenUser, partialFitRows } from './live-updates.js';
import { partiallyFitted, type Side, type SolvedRows } from './partial-fit-plan.js';
import { recommendAll, recommendBatch, recommendFor, type LiveRecommendOptions, type RecommendAllOptions } from './recommend.js';
import { rawId, type BatchRecommendOptions, type Recommendation } from './recommend-options.js';
import { similarItems, similarItemsBatch, type SimilarItemsBatchOptions, type SimilarItemsOptions } from './similar.js';
import { nativeAllFinite } from '../../addon/finite.js';
import { allFinite, BusyGuard, cancellable, CancelFlag, type FitControl, type IterationReport } from './training.js';
import { CatalogReads } from './catalog-reads.js';
import type { ItemCatalog } from './item-catalog.js';

export type { PartialFitControl } from './fit-arguments.js';
export type { Contribution, Explanation, ExplainOptions } from './explain.js';
export type { BatchRecommendOptions, RecommendOptions, Recommendation, RecommendationSource } from './recommend-options.js';
export type { CheckedHistory, FoldedUser, LiveInteractions } from './live-history.js';
export type { Side, SolvedRows } from './partial-fit-plan.js';
export type { FactorState } from './factor-state.js';
export type { LiveRecommendOptions, RecommendAllOptions } from './recommend.js';
export type { SimilarItemsOptions, SimilarItemsBatchOptions, SimilarUsersOptions } from './similar.js';
export type { ModelType } from '../registry.js';
export { BatchRecommendations } from './batch-recommendations.js';
export { ItemCatalog, type ItemMetadata, type ItemMetadataInput } from './item-catalog.js';
export { RankingRules, type RankingRulesSpec } from './ranking-rules.js';
export { inverseNorms } from './similar.js';

/** What a model's train() hands back to fit(): the new state and one report per iteration. */
export interface Trained<S extends FactorState = FactorState> {
  state: S;
  history: IterationReport[];
}

export abstract class Recommender extends CatalogReads {
  /** The complete, defaulted hyperparameters (JSON-serializable; saved with the model). Factor models have `factors` and `iterations`; item-to-item models neither (one step). */
  abstract readonly params: Readonly<Record<string, unknown> & { factors?: number; iterations?: number }>;
  /** Reports of the last successful fit, one per iteration. */
  history: IterationReport[] = [];
  protected readonly guard = new BusyGuard();

  /** True while fit() runs; reads keep serving the previous state meanwhile. */
  get isTraining(): boolean {
    return this.guard.busy;
  }

  /**
   * Trains on `data` and resolves with the model. The contract, the same for
   * every model: arguments are checked first (a bad one is reported as such,
   * even while another fit runs), then ERR_MFREC_BUSY while a fit, partial
   * fit or forget runs, ERR_MFREC_OUT_OF_MEMORY before allocating what
   * cannot be, ERR_MFREC_ABORTED on `control.signal`, ERR_MFREC_DIVERGED
   * when the factors become non-finite. Each iteration is reported through
   * `control.onIteration`. The new state replaces the previous one only when
   * training succeeded; in every failure the previous model stays.
   */
  async fit(data: Interactions, control: FitControl = {}): Promise<this> {
    const c = checkFitArguments<FitControl>(this.constructor.name, data, control, this.fitControlNames());
    this.checkFitControl(c);
    return this.guard.run('fit', async () => {
      const cancel = new CancelFlag(c.signal);
      try {
        cancel.throwIfAborted();
        this.checkFitMemory(data);
        const trained = await this.train(data, c, cancel);
        const s = trained.state;
        const arrays = [s.userFactors, s.itemFactors, s.userBias, s.itemBias, ...weightArrays(s.weights)].filter((a) => a !== undefined);
        // Natively (S2's factors in a quarter of the loop's time), unless the model runs on the js backend.
        if (!(this.params.backend === 'js' ? allFinite : nativeAllFinite)(...arrays)) throw this.diverged(trained.history.length);
        this.state = s;
        this.history = trained.history;
        return this;
      } finally {
        cancel.dispose();
      }
    });
  }

  /** The names fit()'s control object may hold. */
  protected fitControlNames(): readonly string[] {
    return ['onIteration', 'signal'];
  }

  /** Model-specific checks of fit()'s control, before the guard. */
  protected checkFitControl(_control: FitControl): void {}

  /** Refuses, before allocating, a fit whose arrays cannot exist (ERR_MFREC_OUT_OF_MEMORY, see memory-limit.ts). Every model overrides it. */
  protected checkFitMemory(_data: Interactions): void {}

  /**
   * The model's training: iterations from its initial factors (see
   * runIterations), resolving with the new state. Every model overrides it;
   * the default (a subclass that sets its state otherwise) refuses to train.
   */
  protected train(_data: Interactions, _control: FitControl, _cancel: CancelFlag): Promise<Trained> {
    return Promise.reject(new MfrecError(ErrorCodes.INVALID_ARGUMENT, `The ${this.type} model cannot be trained with fit()`));
  }

  /** The ERR_MFREC_DIVERGED error of a fit whose values became non-finite at `iteration`. */
  protected diverged(iteration: number): MfrecError {
    return new MfrecError(ErrorCodes.DIVERGED, `The ${this.type} model diverged at iteration ${iteration} (non-finite factors)`);
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
   *
   * With `cart` (a known user's live cart), the user is folded in over their
   * trained history plus the cart's items; see {@link LiveRecommendOptions.cart}.
   */
  recommend(user: RawId, options?: LiveRecommendOptions): Recommendation[] {
    return recommendFor(
      this.fitted(),
      user,
      options,
      (s, history) => {
        if (!this.supportsRecalculate) throw this.unsupported('recalculate a user from interactions');
        return this.foldInUser(s, history);
      },
      this.foldInNeedsValues,
    );
  }

  /** Whether the fold-in reads values as ratings (so a cart must carry them). */
  protected get foldInNeedsValues(): boolean {
    return false;
  }

  /**
   * Top-k items for many users at once, off the event loop and in parallel
   * (`threads`, default all hardware threads). Row r of the result belongs to
   * `users[r]`; see {@link BatchRecommendations}. Aborting `signal` rejects
   * with ERR_MFREC_ABORTED, also while the kernel runs.
   */
  async recommendBatch(users: ArrayLike<RawId>, options?: BatchRecommendOptions): Promise<BatchRecommendations> {
    return recommendBatch(this.fitted(), users, options);
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
    return recommendAll(this.fitted(), options);
  }

  /**
   * The k items most similar to `item` by cosine similarity of their factor
   * vectors, excluding the item itself. An unknown item throws ERR_MFREC_UNKNOWN_ID.
   */
  similarItems(item: RawId, options?: SimilarItemsOptions): Recommendation[] {
    return similarItems(this.fitted(), item, options);
  }

  /**
   * {@link similarItems} for many items at once, off the event loop and in
   * parallel (`threads`, default all hardware threads). Row r of the result
   * holds the neighbours of `items[r]` (the result's `users` / `queries` are
   * the query items; `coldStart` is all 0). Any unknown item rejects with
   * ERR_MFREC_UNKNOWN_ID; aborting `signal` rejects with ERR_MFREC_ABORTED.
   */
  async similarItemsBatch(items: ArrayLike<RawId>, options?: SimilarItemsBatchOptions): Promise<BatchRecommendations> {
    return similarItemsBatch(this.fitted(), items, options);
  }

  /**
   * A known user's score for `item` split into what each item of their
   * training history contributes, the `n` largest first (docs/explain.md):
   * `score = base + Σ contributions + rest`. Exact for the item-to-item
   * models (a contribution is the weight W[j][i]); for ALS and the explicit
   * model it decomposes the score of the user folded in from their training
   * history. Throws ERR_MFREC_INVALID_ARGUMENT on a model type without a
   * decomposition (`supportsExplain` false: BPR), ERR_MFREC_UNKNOWN_ID for
   * an unknown item or a user without training interactions.
   */
  explain(user: RawId, item: RawId, options?: ExplainOptions): Explanation {
    const s = this.fitted();
    if (!this.supportsExplain) throw cannotExplain(this.type, this.whyNoExplain());
    return explainScore(s, user, item, options, (u, i) => this.scoreParts(s, u, i));
  }

  /** Whether {@link explain} works for this model type. */
  get supportsExplain(): boolean {
    return false;
  }

  /** Why explain() is refused (a model type without a decomposition says why). */
  protected whyNoExplain(): string {
    return 'this model type has no decomposition of its scores over a history';
  }

  /** The family's decomposition of user row `u`'s score of item `i` (see explain.ts). Called only when supportsExplain. */
  protected scoreParts(_s: FactorState, _u: number, _i: number): ScoreParts {
    throw cannotExplain(this.type, this.whyNoExplain());
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

  private unsupported(what: string): MfrecError {
    return new MfrecError(ErrorCodes.INVALID_ARGUMENT, `The ${this.type} model cannot ${what}: this model type has no fold-in`);
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
    const c = checkPartialFitArguments(label, data, control);
    return this.guard.run(where, async () => {
      const s = this.fitted();
      if (!this.supportsPartialFit) throw this.unsupported('fit part of the model');
      const plan = partialFitRows(s, side, data, label);
      // The new state is installed only once the solve finished and no abort came meanwhile.
      const solved = await cancellable(c.signal, async (cancel) => this.solveRows(s, side, plan.rows, plan.targets, cancel));
      this.state = await withCarriedIndex(s, partiallyFitted(s, side, plan, solved));
      return this;
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
      this.state = await withCarriedIndex(this.fitted(), forgottenUser(this.fitted(), id));
      return this;
    });
  }

  /**
   * Removes an item from the model: its id, factor row (and bias), its
   * popularity, its metadata and every user's record of it. It is then never recommended
   * nor listed as similar, and a model saved afterwards does not contain the
   * id. Same errors as {@link forgetUser}.
   */
  async forgetItem(item: RawId): Promise<this> {
    const id = rawId('item', item);
    return this.guard.run('forgetItem', async () => {
      this.state = await withCarriedIndex(this.fitted(), forgottenItem(this.fitted(), id));
      this.catalog.delete(id);
      return this;
    });
  }

  /** Builds the approximate top-K index `approximate: true` searches (docs/approximate.md: options, updates, errors), off the event loop. */
  async buildIndex(options?: BuildIndexOptions): Promise<this> {
    const o = resolveBuildIndexOptions(options);
    return this.guard.run('buildIndex', async () => {
      this.state = await withIndex(this.fitted(), o);
      return this;
    });
  }

  /**
   * Writes the model to `file` atomically (see docs/model-format.md): the
   * hyperparameters, id maps, factors, the training interactions needed
   * to filter seen items, and the item metadata. Load it back with {@link loadModel}.
   */
  async save(file: string): Promise<void> {
    const state = this.fitted();
    const extra = { training: trainingSummary(state), ...(this.catalog.size > 0 ? { itemMetadata: this.catalog.toJSON() } : {}) };
    const contents = encodeFactorModel({ type: this.type, params: { ...this.params }, state, extra }, packageVersion());
    await writeModelFile(file, contents);
  }

  /** Installs a state read from a model file (used by loadModel). */
  static restore<T extends Recommender>(model: T, state: FactorState, catalog?: ItemCatalog): T {
    if (state.factors !== (model.params.factors ?? 0)) {
      throw new MfrecError(ErrorCodes.CORRUPT_FILE, `Model file factors (${state.factors}) disagree with its hyperparameters`);
    }
    model.state = state;
    if (catalog !== undefined) model.catalog = catalog;
    return model;
  }

  /** Waits for in-flight training to settle, then drops the state. */
  async dispose(): Promise<void> {
    await this.guard.idle();
    this.state = undefined;
  }
}
