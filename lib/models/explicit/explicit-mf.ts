/**
 * Biased matrix factorization for explicit ratings (stars, scores):
 * r̂(u, i) = μ + b_u + b_i + p_u · q_i, trained by stochastic gradient descent
 * with L2 regularization on all cores (native/kernels/sgd.h).
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { RawId } from '../../data/id-map.js';
import { Interactions } from '../../data/interactions.js';
import type { SparseRows } from '../../data/sparse.js';
import { mae, rmse } from '../../metrics/rating.js';
import { native } from '../../addon/loader.js';
import { invalid } from '../../validate.js';
import type { ScoreParts } from '../base/explain.js';
import { FactorModel, type CheckedHistory, type FactorState, type FoldedUser, type Trained } from '../base/factor-model.js';
import type { Side, SolvedRows } from '../base/partial-fit-plan.js';
import { resolveRecommendOptions, type RecommendOptions, type Recommendation } from '../base/recommend-options.js';
import { rankFolded } from '../base/ranking.js';
import { yieldTurn, type CancelFlag, type FitControl } from '../base/training.js';
import { checkFolded, foldIn, foldInRows, type FoldedVector, type FoldInSide } from './fold-in.js';
import { sgdBackends } from './backend.js';
import { explicitScoreParts } from './explain.js';
import { checkFitMemory } from './memory.js';
import { validateParams, type ExplicitFitControl, type ExplicitMFOptions, type ExplicitMFParams, type ExplicitState } from './options.js';
import { checkRawId, indexOf, mapped, modelArrays, predictIndices, predictionRange, predictOne } from './predict.js';
import { diverged, learningRateAt, trainExplicit } from './train.js';

export {
  EXPLICIT_MF_DEFAULTS,
  type ExplicitBackend,
  type ExplicitFitControl,
  type ExplicitMFOptions,
  type ExplicitMFParams,
  type ExplicitState,
  type UnknownPolicy,
} from './options.js';

/** Rows a partial fit solves per event-loop turn (each a small Cholesky solve). */
const ROWS_PER_TURN = 64;

/**
 * Explicit-rating matrix factorization.
 *
 * @example
 * const model = new ExplicitMF({ factors: 64 });
 * await model.fit(Interactions.fromArrays(users, items, { values: stars }));
 * model.predict('alice', 'item-42'); // a star rating
 */
export class ExplicitMF extends FactorModel {
  readonly type = 'explicit' as const;
  /** The complete options (defaults filled in), JSON-serializable. */
  readonly params: Readonly<ExplicitMFParams>;
  declare protected state: ExplicitState | undefined;

  constructor(options?: ExplicitMFOptions) {
    super();
    this.params = Object.freeze(validateParams(options));
  }

  /**
   * Trains on `data` (values are the ratings) and resolves with the model.
   * Reports each epoch through `control.onIteration` (trainRmse: the running
   * RMSE of the epoch, each rating's error measured just before its update;
   * validationRmse when `control.validation` is given; seconds). Rejects with
   * ERR_MFREC_ABORTED on `control.signal`, ERR_MFREC_DIVERGED if training
   * produced non-finite values (lower learningRate), ERR_MFREC_BUSY if a fit
   * is already running; in every failure the previous model stays in place.
   */
  override fit(data: Interactions, control: ExplicitFitControl = {}): Promise<this> {
    return super.fit(data, control);
  }

  protected override fitControlNames(): readonly string[] {
    return ['onIteration', 'signal', 'validation'];
  }

  protected override checkFitControl(control: ExplicitFitControl): void {
    if (control.validation !== undefined && !(control.validation instanceof Interactions)) {
      throw invalid('an Interactions instance', 'validation', control.validation);
    }
    if (this.params.earlyStopping !== false && control.validation === undefined) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'earlyStopping needs a validation set: pass fit(data, { validation })');
    }
  }

  protected override checkFitMemory(data: Interactions): void {
    // The factor arrays are allocated on cache lines (aligned-factors.ts), so the native epoch
    // trains them in place: no copy of them while an epoch runs.
    const bestCopy = this.params.earlyStopping === false ? 0 : 1;
    checkFitMemory(data.nUsers, data.nItems, this.params.factors, data.nnz, 1 + bestCopy);
  }

  protected override train(data: Interactions, control: FitControl, cancel: CancelFlag): Promise<Trained> {
    return trainExplicit(this.params, data, control, cancel, this.threads());
  }

  protected override diverged(iteration: number): MfrecError {
    return diverged(iteration, learningRateAt(this.params, iteration));
  }

  /**
   * Predicted rating of `user` for `item`. Unknown ids follow the `unknown`
   * policy; the result is clamped to the training range when `clamp` is on.
   */
  predict(user: RawId, item: RawId): number {
    const s = this.fitted() as ExplicitState;
    const u = indexOf(s.users, 'user', checkRawId('user', user), this.params.unknown);
    const i = indexOf(s.items, 'item', checkRawId('item', item), this.params.unknown);
    return predictOne(modelArrays(s), u, i, predictionRange(s, this.params.clamp));
  }

  /** Predictions for the pairs (users[n], items[n]); large batches run in parallel natively. */
  predictMany(users: ArrayLike<RawId>, items: ArrayLike<RawId>): Float32Array {
    const s = this.fitted() as ExplicitState;
    for (const [name, a] of [
      ['users', users],
      ['items', items],
    ] as const) {
      if (a === null || typeof a !== 'object' || typeof (a as ArrayLike<RawId>).length !== 'number') {
        throw invalid('an array of ids', name, a);
      }
    }
    if (users.length !== items.length) throw invalid(`items of length ${users.length} (the length of users)`, 'items', items);
    const n = users.length;
    const u = new Int32Array(n);
    const i = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      u[k] = indexOf(s.users, 'user', checkRawId(`users[${k}]`, users[k]), this.params.unknown);
      i[k] = indexOf(s.items, 'item', checkRawId(`items[${k}]`, items[k]), this.params.unknown);
    }
    return predictIndices(modelArrays(s), u, i, predictionRange(s, this.params.clamp), this.threads());
  }

  /**
   * RMSE and MAE of the model's predictions on `test` (raw ids looked up in
   * the model; unknown ids follow the `unknown` policy).
   */
  async evaluate(test: Interactions): Promise<{ rmse: number; mae: number; count: number }> {
    const s = this.fitted() as ExplicitState;
    if (!(test instanceof Interactions)) throw invalid('an Interactions instance', 'test', test);
    if (test.nnz === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'Cannot evaluate on 0 ratings');
    const t = mapped(s, test, this.params.unknown);
    const predicted = predictIndices(modelArrays(s), t.u, t.i, predictionRange(s, this.params.clamp), this.threads());
    return { rmse: rmse(predicted, t.r), mae: mae(predicted, t.r), count: test.nnz };
  }

  /**
   * Folds a user in without retraining: solves their bias and factors from
   * `ratings` against the trained item vectors and biases, which stay fixed.
   * The result is the exact minimizer of training's objective for that one
   * user (squared errors plus the same penalties, frequency scaling
   * included): for a user the model was trained on it lands close to their
   * trained vector. The model is not changed; use the result with
   * {@link predictFor} and {@link recommendFor}.
   *
   * Ratings of items the model does not know are ignored (whatever the
   * `unknown` policy); a repeated item counts as several ratings. With no
   * known item left the result is a zero bias and zero factors, which
   * predicts like an unknown user (μ + b_i). Synchronous: about a
   * millisecond or less for a typical user at 128 factors (bench/README.md).
   */
  recalculateUser(ratings: { items: ArrayLike<RawId>; values: ArrayLike<number> }): FoldedVector {
    const s = this.fitted() as ExplicitState;
    return foldIn(this.foldInSide(s, 'user'), ratings, 'items');
  }

  /**
   * Folds an item in (a new product, or one whose ratings changed): its bias
   * and factors from `ratings` by users against the fixed user vectors and
   * biases, as {@link recalculateUser} does for users. Unknown users are ignored.
   */
  recalculateItem(ratings: { users: ArrayLike<RawId>; values: ArrayLike<number> }): FoldedVector {
    const s = this.fitted() as ExplicitState;
    return foldIn(this.foldInSide(s, 'item'), ratings, 'users');
  }

  /**
   * Predicted rating where either side (or both) may be a folded vector from
   * {@link recalculateUser} / {@link recalculateItem} instead of an id:
   * μ + b_u + b_i + p_u · q_i, computed exactly as predict() does (so a
   * folded vector equal to a trained one predicts the same), clamped when
   * `clamp` is on. Raw ids follow the `unknown` policy.
   */
  predictFor(user: RawId | FoldedVector, item: RawId | FoldedVector): number {
    const s = this.fitted() as ExplicitState;
    const m = modelArrays(s);
    let u: number;
    if (typeof user === 'object' && user !== null) {
      const f = checkFolded('user', user, s.factors);
      m.userFactors = f.factors;
      m.userBias = Float32Array.of(f.bias);
      u = 0;
    } else {
      u = indexOf(s.users, 'user', checkRawId('user', user), this.params.unknown);
    }
    let i: number;
    if (typeof item === 'object' && item !== null) {
      const f = checkFolded('item', item, s.factors);
      m.itemFactors = f.factors;
      m.itemBias = Float32Array.of(f.bias);
      i = 0;
    } else {
      i = indexOf(s.items, 'item', checkRawId('item', item), this.params.unknown);
    }
    return predictOne(m, u, i, predictionRange(s, this.params.clamp));
  }

  /**
   * Top-k items for a folded user, best first, scored as recommend() scores
   * a trained user (predicted ratings, not clamped). There is no "seen" list
   * to filter: pass the items the user rated as `exclude` to leave them out.
   * Takes `k`, `exclude` and `candidates` as recommend() does.
   */
  recommendFor(user: FoldedVector, options?: Pick<RecommendOptions, 'k' | 'exclude' | 'candidates'>): Recommendation[] {
    const s = this.fitted() as ExplicitState;
    const f = checkFolded('user', user, s.factors);
    const o = resolveRecommendOptions('recommendFor', options, s.items, ['k', 'exclude', 'candidates']);
    return rankFolded(s, '', f, undefined, o);
  }

  override get supportsRecalculate(): boolean {
    return true;
  }

  /**
   * Partial fits re-solve each given row exactly as recalculateUser /
   * recalculateItem do (bias and factors, the same penalties), against the
   * fixed other side. Pass each row's whole set of ratings; build `data` with
   * `aggregate: 'mean'` or `'last'` so a re-rated item counts once (the
   * default 'sum' adds ratings up). See Recommender.partialFitUsers.
   */
  override get supportsPartialFit(): boolean {
    return true;
  }

  /** Carts carry ratings: the fold-in solves from them. */
  protected override get foldInNeedsValues(): boolean {
    return true;
  }

  /** recommend()'s recalculate path: recalculateUser on the given ratings; undefined without a known item. */
  protected override foldInUser(s: FactorState, history: CheckedHistory): FoldedUser | undefined {
    if (history.values === undefined) {
      throw invalid('an array of ratings (the explicit model folds users in from ratings)', 'interactions.values', undefined);
    }
    if (!history.items.some((id) => s.items.has(id))) return undefined;
    return foldIn(this.foldInSide(s as ExplicitState, 'user'), history, 'items');
  }

  /** explain(): the fold-in's ridge regression, split over the ratings (explain.ts). */
  override get supportsExplain(): boolean {
    return true;
  }

  protected override scoreParts(s: FactorState, u: number, i: number): ScoreParts {
    const begin = s.seen.indptr[u]!;
    const end = s.seen.indptr[u + 1]!;
    const parts = explicitScoreParts(
      sgdBackends[this.params.backend],
      this.foldInSide(s as ExplicitState, 'user'),
      s.seen.indices.subarray(begin, end),
      s.seen.values.subarray(begin, end),
      i,
    );
    if (parts === undefined) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Cannot explain this score: the user's ratings give a system that does not solve (non-finite values?)`);
    }
    return parts;
  }

  protected override async solveRows(s: FactorState, side: Side, rows: SparseRows, _targets: Int32Array, cancel: CancelFlag): Promise<SolvedRows> {
    const fixed = this.foldInSide(s as ExplicitState, side === 'users' ? 'user' : 'item');
    const k = s.factors;
    const factors = new Float32Array(rows.rows * k);
    const bias = new Float32Array(rows.rows);
    for (let r = 0; r < rows.rows; r++) {
      // The solves run on the event loop: let an abort (and other work) in between batches of rows.
      if (r % ROWS_PER_TURN === 0 && r > 0) await yieldTurn(cancel);
      const begin = rows.indptr[r]!;
      const end = rows.indptr[r + 1]!;
      const v = foldInRows(fixed, rows.indices.subarray(begin, end), rows.values.subarray(begin, end));
      factors.set(v.factors, r * k);
      bias[r] = v.bias;
    }
    return { factors, bias };
  }

  /** The fixed side and penalties for folding in a user or an item. */
  private foldInSide(s: ExplicitState, kind: 'user' | 'item'): FoldInSide {
    const ratings = s.seen.indices.length;
    const user = kind === 'user';
    return {
      factors: s.factors,
      globalBias: s.globalBias,
      otherIds: user ? s.items : s.users,
      otherFactors: user ? s.itemFactors : s.userFactors,
      otherBias: user ? s.itemBias : s.userBias,
      meanCount: ratings / (user ? s.users.size : s.items.size),
      regularization: this.params.regularization,
      biasRegularization: this.params.biasRegularization,
    };
  }

  private threads(): number {
    return this.params.threads === 0 ? native().info().hardwareThreads : this.params.threads;
  }
}
