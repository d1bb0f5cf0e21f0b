/**
 * Biased matrix factorization for explicit ratings (stars, scores):
 * r̂(u, i) = μ + b_u + b_i + p_u · q_i, trained by stochastic gradient descent
 * with L2 regularization on all cores (native/kernels/sgd.h).
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import { checkMemory, formatBytes } from '../base/memory-limit.js';
import { IdMap, type RawId } from '../../data/id-map.js';
import { Interactions } from '../../data/interactions.js';
import { rowOfEntries } from '../../data/sparse.js';
import { mae, rmse } from '../../metrics/rating.js';
import { native } from '../../addon/loader.js';
import { allocateGrid, initFactors, predictOne, type SgdGrid, type SgdModelArrays } from '../../twins/sgd.js';
import { boolean, integer, invalid, knownOptions, number, oneOf, seed as checkSeed } from '../../validate.js';
import { FactorModel, type CheckedHistory, type FactorState, type FoldedUser } from '../base/factor-model.js';
import type { Side, SolvedRows } from '../base/partial-fit-plan.js';
import type { SparseRows } from '../../data/sparse.js';
import { resolveRecommendOptions, type RecommendOptions, type Recommendation } from '../base/recommend-options.js';
import { sgdBackend } from './backend.js';
import { usersPerItem } from '../popularity/popularity.js';
import { sgdGridBlocks, usefulSgdThreads } from './sgd-grid.js';
import { blockRows, permuteModel, renumber } from './sgd-rows.js';
import { sgdNative, type SgdBinding } from '../../addon/sgd.js';
import { checkFolded, foldIn, foldInRows, type FoldedVector, type FoldInSide } from './fold-in.js';
import { BIAS_PENALTY_EXPONENT, penaltyScale, VECTOR_PENALTY_EXPONENT } from './frequency-penalty.js';
import { CancelFlag, runIterations, type FitControl, type IterationReport } from '../base/training.js';

/** What predict() does with a user or item that had no training ratings. */
export type UnknownPolicy = 'bias' | 'error';

/** Where fit() runs its epochs: the native kernel, or its pure-TypeScript twin. */
export type ExplicitBackend = 'native' | 'js';

export interface ExplicitMFOptions {
  /** Length of the user and item vectors. Integer in [1, 1000000]. Default 128. */
  factors?: number;
  /** Epochs (passes over the training ratings). Integer in [1, 100000]. Default 80. */
  iterations?: number;
  /** SGD step size of the first epoch. In (0, 1]. Default 0.01. */
  learningRate?: number;
  /**
   * L2 penalty on the user and item vectors, per rating, for a row with the
   * average number of ratings (see the frequency scaling below). In [0, 10]. Default 0.11.
   */
  regularization?: number;
  /**
   * L2 penalty on the user and item biases, per rating for a row with the
   * average number of ratings; a row's total bias penalty does not grow with
   * its count. In [0, 10]. Default 0.04.
   */
  biasRegularization?: number;
  /** Each epoch's step is the previous one's times this factor. In (0, 1]. Default 0.98. */
  learningRateDecay?: number;
  /** Standard deviation of the initial vector entries (normal, mean 0). In [0, 10]. Default 0.02. */
  initStd?: number;
  /**
   * Threads to train and predict with; 0 means all hardware threads. Integer in [0, 256]. Default 0.
   * Training uses no more threads than the data can keep busy (2t + 1 users and items and
   * about 512 ratings per grid block, see `usefulSgdThreads`): small data trains on one thread.
   */
  threads?: number;
  /**
   * Seed of every random choice (initial vectors, grid, visiting order). A
   * uint32. Default 42. With `threads: 1` (or data small enough to train on
   * one thread) the same seed gives bit-identical models.
   */
  seed?: number;
  /**
   * Stop when the validation RMSE (fit's `validation` set, required then) has
   * not improved by more than `minDelta` (default 0) for `patience` epochs in
   * a row, and keep the best epoch's model. Default false.
   */
  earlyStopping?: { patience: number; minDelta?: number } | false;
  /**
   * Users or items without training ratings. 'bias' (default): fall back to
   * the biases, so an unknown user gets μ + b_i, an unknown item μ + b_u and
   * both unknown μ. 'error': predict, predictMany and evaluate (and fit's
   * validation) throw ERR_MFREC_UNKNOWN_ID.
   */
  unknown?: UnknownPolicy;
  /** Clamp predictions to the range of the training ratings. Default true. */
  clamp?: boolean;
  /**
   * 'native' (default): epochs run in the native kernel on `threads` threads,
   * off the event loop. 'js': epochs run in the pure-TypeScript twin
   * (lib/twins/sgd.ts) on the event loop, one epoch per turn, always
   * with the one-thread schedule (`threads` is ignored while training), so a
   * 'js' fit equals a 'native' fit with `threads: 1` and the same seed. Meant
   * for reproducing the native-versus-JavaScript comparison
   * (bench/explicit-backends.mjs): an epoch takes about 12 times as long as
   * on one native thread. Predictions run natively either way.
   */
  backend?: ExplicitBackend;
}

/** The complete options, defaults filled in: plain JSON. */
export interface ExplicitMFParams {
  factors: number;
  iterations: number;
  learningRate: number;
  regularization: number;
  biasRegularization: number;
  learningRateDecay: number;
  initStd: number;
  threads: number;
  seed: number;
  earlyStopping: { patience: number; minDelta: number } | false;
  unknown: UnknownPolicy;
  clamp: boolean;
  backend: ExplicitBackend;
}

/**
 * Defaults chosen on the MovieLens 100K folds (mean RMSE about 0.905) and
 * checked on MovieLens latest-small: many factors held small by a fairly
 * strong penalty, a small initialization, and a step that decays over 80
 * epochs until training has converged (more epochs no longer change the result).
 */
export const EXPLICIT_MF_DEFAULTS: Readonly<ExplicitMFParams> = Object.freeze({
  factors: 128,
  iterations: 80,
  learningRate: 0.01,
  regularization: 0.11,
  biasRegularization: 0.04,
  learningRateDecay: 0.98,
  initStd: 0.02,
  threads: 0,
  seed: 42,
  earlyStopping: false,
  unknown: 'bias',
  clamp: true,
  backend: 'native',
});

const OPTION_NAMES = Object.keys(EXPLICIT_MF_DEFAULTS);

/** The explicit model's state: the shared factor state with its biases present. */
export interface ExplicitState extends FactorState {
  globalBias: number;
  userBias: Float32Array;
  itemBias: Float32Array;
}

/** fit()'s control options: the shared ones plus a validation set. */
export interface ExplicitFitControl extends FitControl {
  /** Ratings to measure after each epoch (validationRmse); raw ids mapped through the model. */
  validation?: Interactions;
}

function validateParams(options: unknown): ExplicitMFParams {
  const o = knownOptions('ExplicitMF', options, OPTION_NAMES);
  const d = EXPLICIT_MF_DEFAULTS;
  const pick = <T>(key: keyof ExplicitMFParams, check: (name: string, v: unknown) => T): T =>
    o[key] === undefined ? (d[key] as T) : check(key, o[key]);
  return {
    factors: pick('factors', (n, v) => integer(n, v, 1, 1_000_000)),
    iterations: pick('iterations', (n, v) => integer(n, v, 1, 100_000)),
    learningRate: pick('learningRate', (n, v) => number(n, v, { min: 0, max: 1, exclusiveMin: true })),
    regularization: pick('regularization', (n, v) => number(n, v, { min: 0, max: 10 })),
    biasRegularization: pick('biasRegularization', (n, v) => number(n, v, { min: 0, max: 10 })),
    learningRateDecay: pick('learningRateDecay', (n, v) => number(n, v, { min: 0, max: 1, exclusiveMin: true })),
    initStd: pick('initStd', (n, v) => number(n, v, { min: 0, max: 10 })),
    threads: pick('threads', (n, v) => integer(n, v, 0, 256)),
    seed: pick('seed', checkSeed),
    earlyStopping: pick('earlyStopping', earlyStoppingOf),
    unknown: pick('unknown', (n, v) => oneOf(n, v, ['bias', 'error'] as const)),
    clamp: pick('clamp', boolean),
    backend: pick('backend', (n, v) => oneOf(n, v, ['native', 'js'] as const)),
  };
}

function earlyStoppingOf(name: string, value: unknown): ExplicitMFParams['earlyStopping'] {
  if (value === false) return false;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('false or { patience, minDelta? }', name, value);
  }
  const o = knownOptions(name, value, ['patience', 'minDelta']);
  return {
    patience: integer(`${name}.patience`, o.patience, 1),
    minDelta: o.minDelta === undefined ? 0 : number(`${name}.minDelta`, o.minDelta, { min: 0 }),
  };
}

function checkRawId(name: string, id: unknown): RawId {
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return id;
  throw invalid('a string or finite number id', name, id);
}

/** Rows a partial fit solves per event-loop turn (each a small Cholesky solve). */
const ROWS_PER_TURN = 64;

/**
 * Refuses, before allocating anything, a model whose arrays would not fit:
 * a factor matrix beyond the typed-array limit, or a total beyond the memory
 * this process may use (memory-limit.ts).
 */
function checkFitMemory(nUsers: number, nItems: number, factors: number, nnz: number, copies: number): void {
  const factorBytes = (nUsers + nItems) * (factors + 1) * 4;
  checkMemory({
    where: 'ExplicitMF.fit',
    what: `${nUsers} users and ${nItems} items × ${factors} factors (${formatBytes(factorBytes)} per copy of the model, ${copies} copies while training)`,
    bytes: factorBytes * copies + nnz * 12 * 2,
    largestArray: Math.max(nUsers, nItems) * factors,
    remedy: 'use fewer factors',
  });
}

/**
 * The training data in the model's compact index space (only ids with
 * ratings): `data.byUser` holds the ratings the grid is laid out from.
 */
interface TrainingSet {
  users: IdMap;
  items: IdMap;
  data: Interactions;
}

/**
 * Keeps only users and items with at least one rating (splits share the full
 * id maps, so a training set may list ids whose ratings all went to test):
 * the model then treats those as unknown instead of serving random vectors.
 * The usual case, every id rated, reuses the caller's arrays without a copy
 * (on S1 a copy of every entry cost 230 MB at the peak of a fit). Renumbering
 * is monotone, so the compacted rows list the entries in the same order.
 */
function compact(data: Interactions): TrainingSet {
  const m = data.byUser;
  const userNew = new Int32Array(data.nUsers).fill(-1);
  const itemNew = new Int32Array(data.nItems).fill(-1);
  const users = new IdMap();
  const items = new IdMap();
  for (let r = 0; r < m.rows; r++) if (m.indptr[r + 1]! > m.indptr[r]!) userNew[r] = users.add(data.users.id(r));
  const seenItems = new Uint8Array(data.nItems);
  for (let k = 0; k < m.indices.length; k++) seenItems[m.indices[k]!] = 1;
  for (let c = 0; c < data.nItems; c++) if (seenItems[c]) itemNew[c] = items.add(data.items.id(c));
  if (users.size === data.nUsers && items.size === data.nItems) return { users, items, data: Interactions.fromSparse(users, items, m) };
  const u = new Int32Array(data.nnz);
  const i = new Int32Array(data.nnz);
  for (let r = 0; r < m.rows; r++) u.fill(userNew[r]!, m.indptr[r]!, m.indptr[r + 1]!);
  for (let k = 0; k < data.nnz; k++) i[k] = itemNew[m.indices[k]!]!;
  return { users, items, data: Interactions.fromIndices(users, items, u, i, m.values.slice(), m.timestamps) };
}

/**
 * Per-row multipliers of the per-rating penalty that give a total penalty
 * ∝ n^exponent, normalized to 1 for a row with the average count, so that
 * `regularization` keeps its usual per-rating meaning on typical rows.
 */
function frequencyScales(byUser: SparseRows): {
  userFactors: Float32Array;
  itemFactors: Float32Array;
  userBias: Float32Array;
  itemBias: Float32Array;
} {
  const perUser = Float64Array.from({ length: byUser.rows }, (_, r) => byUser.indptr[r + 1]! - byUser.indptr[r]!);
  const perItem = usersPerItem(byUser);
  const scale = (counts: Float64Array | Float32Array, exponent: number): Float32Array => {
    const mean = byUser.indices.length / counts.length;
    return Float32Array.from(counts, (n) => penaltyScale(n, mean, exponent));
  };
  return {
    userFactors: scale(perUser, VECTOR_PENALTY_EXPONENT),
    itemFactors: scale(perItem, VECTOR_PENALTY_EXPONENT),
    userBias: scale(perUser, BIAS_PENALTY_EXPONENT),
    itemBias: scale(perItem, BIAS_PENALTY_EXPONENT),
  };
}

/**
 * Fills the grid from the ratings by user. The user of each entry is spelled
 * out only for the layout's duration: held for the whole fit (or cached on the
 * caller's data) it would cost 4 bytes per rating at the fit's peak.
 */
async function layOut(
  sgd: ReturnType<typeof sgdBackend>,
  byUser: SparseRows,
  options: { nUsers: number; nItems: number; seed: number },
  grid: SgdGrid,
): Promise<void> {
  await sgd.sgdLayout(rowOfEntries(byUser), byUser.indices, byUser.values, options, grid);
}

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
  protected declare state: ExplicitState | undefined;

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
  fit(data: Interactions, control: ExplicitFitControl = {}): Promise<this> {
    return this.guard.run('fit', () => this.train(data, control));
  }

  private async train(data: Interactions, control: ExplicitFitControl): Promise<this> {
    const c = knownOptions('fit control', control, ['onIteration', 'signal', 'validation']) as ExplicitFitControl;
    if (!(data instanceof Interactions)) throw invalid('an Interactions instance', 'data', data);
    if (data.nnz === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'Cannot fit ExplicitMF on 0 ratings');
    if (c.onIteration !== undefined && typeof c.onIteration !== 'function') {
      throw invalid('a function', 'onIteration', c.onIteration);
    }
    if (c.validation !== undefined && !(c.validation instanceof Interactions)) {
      throw invalid('an Interactions instance', 'validation', c.validation);
    }
    const p = this.params;
    if (p.earlyStopping !== false && c.validation === undefined) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'earlyStopping needs a validation set: pass fit(data, { validation })');
    }
    const cancel = new CancelFlag(c.signal);
    try {
      cancel.throwIfAborted();
      const k = p.factors;
      checkFitMemory(data.nUsers, data.nItems, k, data.nnz, p.earlyStopping === false ? 1 : 2);
      const set = compact(data);
      const nUsers = set.users.size;
      const nItems = set.items.size;

      const ratings = set.data.byUser.values;
      let sum = 0;
      for (let x = 0; x < ratings.length; x++) sum += ratings[x]!;
      const model: SgdModelArrays = {
        factors: k,
        globalBias: Math.fround(sum / ratings.length),
        userFactors: new Float32Array(nUsers * k),
        itemFactors: new Float32Array(nItems * k),
        userBias: new Float32Array(nUsers),
        itemBias: new Float32Array(nItems),
      };
      initFactors(model, p.initStd, p.seed);
      const scales = frequencyScales(set.data.byUser);
      model.userRegularization = scales.userFactors;
      model.itemRegularization = scales.itemFactors;
      model.userBiasRegularization = scales.userBias;
      model.itemBiasRegularization = scales.itemBias;

      // The twin always replays the one-thread schedule (on the one-thread grid).
      const threads = p.backend === 'js' ? 1 : usefulSgdThreads(this.threads(), nUsers, nItems, data.nnz);
      const blocks = sgdGridBlocks(threads, nUsers, nItems, k);
      const grid = allocateGrid(data.nnz, blocks);
      const sgd = sgdBackend(p.backend);
      await layOut(sgd, set.data.byUser, { nUsers, nItems, seed: p.seed }, grid);
      // Training runs on rows grouped by block (sgd-rows.ts: no false sharing
      // between threads, fewer misses), which changes no arithmetic.
      const rows = blockRows(grid, nUsers, nItems);
      renumber(grid.users, rows.users);
      renumber(grid.items, rows.items);
      const training = permuteModel(model, rows, true);

      const draft = this.makeState(set, training);
      const validation = c.validation === undefined ? undefined : this.mapped(draft, c.validation);
      if (validation !== undefined) {
        renumber(validation.u, rows.users);
        renumber(validation.i, rows.items);
      }
      const es = p.earlyStopping;
      let best: { rmse: number; arrays: SgdModelArrays } | undefined;
      let sinceBest = 0;

      await runIterations(
        p.iterations,
        c,
        cancel,
        async (it) => {
          const learningRate = p.learningRate * p.learningRateDecay ** (it - 1);
          const step = {
            learningRate,
            regularization: p.regularization,
            biasRegularization: p.biasRegularization,
            threads,
            seed: p.seed,
            epoch: it - 1,
          };
          const sse = await sgd.sgdEpoch(grid, training, step, cancel.array);
          if (!Number.isFinite(sse)) throw diverged(it, learningRate);
          const fields: Omit<IterationReport, 'iteration' | 'seconds'> = { trainRmse: Math.sqrt(sse / data.nnz) };
          if (validation !== undefined) {
            const predicted = this.predictIndices(draft, validation.u, validation.i, threads, sgd);
            const v = rmse(predicted, validation.r);
            if (!Number.isFinite(v)) throw diverged(it, learningRate);
            fields.validationRmse = v;
          }
          return fields;
        },
        (report) => {
          if (es === false || report.validationRmse === undefined) return false;
          if (best === undefined || report.validationRmse < best.rmse - es.minDelta) {
            best = { rmse: report.validationRmse, arrays: copyArrays(training) };
            sinceBest = 0;
            return false;
          }
          return ++sinceBest >= es.patience;
        },
      );
      const final = permuteModel(best?.arrays ?? training, rows, false);
      draft.userFactors = final.userFactors;
      draft.itemFactors = final.itemFactors;
      draft.userBias = final.userBias;
      draft.itemBias = final.itemBias;
      for (const a of [draft.userFactors, draft.itemFactors, draft.userBias, draft.itemBias]) {
        if (!allFinite(a)) throw diverged(p.iterations, p.learningRate);
      }
      this.state = draft;
      return this;
    } finally {
      cancel.dispose();
    }
  }

  private makeState(set: TrainingSet, model: SgdModelArrays): ExplicitState {
    const itemPopularity = usersPerItem(set.data.byUser);
    return {
      factors: model.factors,
      users: set.users,
      items: set.items,
      userFactors: model.userFactors,
      itemFactors: model.itemFactors,
      globalBias: model.globalBias,
      userBias: model.userBias,
      itemBias: model.itemBias,
      seen: set.data.byUser,
      itemPopularity,
    };
  }

  /**
   * Range predictions are clamped to (open when `clamp` is off): that of the
   * training ratings, read from `seen`, so a saved and loaded state has it too.
   */
  private range(s: ExplicitState): { min: number; max: number } {
    if (!this.params.clamp) return { min: -Infinity, max: Infinity };
    let r = ratingRanges.get(s);
    if (r === undefined) {
      let min = Infinity;
      let max = -Infinity;
      for (const v of s.seen.values) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      r = { min, max };
      ratingRanges.set(s, r);
    }
    return r;
  }

  private arrays(s: ExplicitState): SgdModelArrays {
    return {
      factors: s.factors,
      globalBias: s.globalBias,
      userFactors: s.userFactors,
      itemFactors: s.itemFactors,
      userBias: s.userBias,
      itemBias: s.itemBias,
    };
  }

  private predictIndices(s: ExplicitState, u: Int32Array, i: Int32Array, threads: number, sgd: SgdBinding = sgdNative()): Float32Array {
    const out = new Float32Array(u.length);
    // Small batches are not worth waking threads for.
    const t = u.length < 16384 ? 1 : threads;
    return sgd.sgdPredict(this.arrays(s), u, i, out, { ...this.range(s), threads: t });
  }

  private unknownId(kind: 'user' | 'item', id: RawId): MfrecError {
    return new MfrecError(
      ErrorCodes.UNKNOWN_ID,
      `Unknown ${kind} ${JSON.stringify(id)}: it had no training ratings (the model's unknown policy is 'error')`,
    );
  }

  /** Dense index of a raw id, -1 for unknown under the 'bias' policy. */
  private indexOf(map: IdMap, kind: 'user' | 'item', id: RawId): number {
    const index = map.index(id);
    if (index !== undefined) return index;
    if (this.params.unknown === 'error') throw this.unknownId(kind, id);
    return -1;
  }

  /** Test interactions as model indices (per row and per column, not per entry). */
  private mapped(s: ExplicitState, test: Interactions): { u: Int32Array; i: Int32Array; r: Float32Array } {
    const m = test.byUser;
    const itemIndex = new Int32Array(test.nItems);
    for (let c = 0; c < test.nItems; c++) itemIndex[c] = -2; // not looked up yet
    const u = new Int32Array(test.nnz);
    const i = new Int32Array(test.nnz);
    for (let row = 0; row < m.rows; row++) {
      const start = m.indptr[row]!;
      const end = m.indptr[row + 1]!;
      if (start === end) continue;
      const user = this.indexOf(s.users, 'user', test.users.id(row));
      for (let k = start; k < end; k++) {
        const col = m.indices[k]!;
        if (itemIndex[col] === -2) itemIndex[col] = this.indexOf(s.items, 'item', test.items.id(col));
        u[k] = user;
        i[k] = itemIndex[col]!;
      }
    }
    return { u, i, r: m.values };
  }

  /**
   * Predicted rating of `user` for `item`. Unknown ids follow the `unknown`
   * policy; the result is clamped to the training range when `clamp` is on.
   */
  predict(user: RawId, item: RawId): number {
    const s = this.fitted() as ExplicitState;
    const u = this.indexOf(s.users, 'user', checkRawId('user', user));
    const i = this.indexOf(s.items, 'item', checkRawId('item', item));
    const { min, max } = this.range(s);
    return predictOne(this.arrays(s), u, i, min, max);
  }

  /** Predictions for the pairs (users[n], items[n]); large batches run in parallel natively. */
  predictMany(users: ArrayLike<RawId>, items: ArrayLike<RawId>): Float32Array {
    const s = this.fitted() as ExplicitState;
    for (const [name, a] of [['users', users], ['items', items]] as const) {
      if (a === null || typeof a !== 'object' || typeof (a as ArrayLike<RawId>).length !== 'number') {
        throw invalid('an array of ids', name, a);
      }
    }
    if (users.length !== items.length) throw invalid(`items of length ${users.length} (the length of users)`, 'items', items);
    const n = users.length;
    const u = new Int32Array(n);
    const i = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      u[k] = this.indexOf(s.users, 'user', checkRawId(`users[${k}]`, users[k]));
      i[k] = this.indexOf(s.items, 'item', checkRawId(`items[${k}]`, items[k]));
    }
    return this.predictIndices(s, u, i, this.threads());
  }

  /**
   * RMSE and MAE of the model's predictions on `test` (raw ids looked up in
   * the model; unknown ids follow the `unknown` policy).
   */
  async evaluate(test: Interactions): Promise<{ rmse: number; mae: number; count: number }> {
    const s = this.fitted() as ExplicitState;
    if (!(test instanceof Interactions)) throw invalid('an Interactions instance', 'test', test);
    if (test.nnz === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'Cannot evaluate on 0 ratings');
    const t = this.mapped(s, test);
    const predicted = this.predictIndices(s, t.u, t.i, this.threads());
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
    const m = this.arrays(s);
    let u: number;
    if (typeof user === 'object' && user !== null) {
      const f = checkFolded('user', user, s.factors);
      m.userFactors = f.factors;
      m.userBias = Float32Array.of(f.bias);
      u = 0;
    } else {
      u = this.indexOf(s.users, 'user', checkRawId('user', user));
    }
    let i: number;
    if (typeof item === 'object' && item !== null) {
      const f = checkFolded('item', item, s.factors);
      m.itemFactors = f.factors;
      m.itemBias = Float32Array.of(f.bias);
      i = 0;
    } else {
      i = this.indexOf(s.items, 'item', checkRawId('item', item));
    }
    const { min, max } = this.range(s);
    return predictOne(m, u, i, min, max);
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
    return this.rankFolded(s, '', f, undefined, o);
  }

  override get supportsRecalculate(): boolean {
    return true;
  }

  /**
   * Partial fits re-solve each given row exactly as recalculateUser /
   * recalculateItem do (bias and factors, the same penalties), against the
   * fixed other side. Pass each row's whole set of ratings; build `data` with
   * `aggregate: 'mean'` or `'last'` so a re-rated item counts once (the
   * default 'sum' adds ratings up). See FactorModel.partialFitUsers.
   */
  override get supportsPartialFit(): boolean {
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

  protected override async solveRows(s: FactorState, side: Side, rows: SparseRows, _targets: Int32Array, cancel: CancelFlag): Promise<SolvedRows> {
    const fixed = this.foldInSide(s as ExplicitState, side === 'users' ? 'user' : 'item');
    const k = s.factors;
    const factors = new Float32Array(rows.rows * k);
    const bias = new Float32Array(rows.rows);
    for (let r = 0; r < rows.rows; r++) {
      // The solves run on the event loop: let an abort (and other work) in between batches of rows.
      if (r % ROWS_PER_TURN === 0 && r > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        cancel.throwIfAborted();
      }
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

const ratingRanges = new WeakMap<ExplicitState, { min: number; max: number }>();

function copyArrays(m: SgdModelArrays): SgdModelArrays {
  return {
    ...m,
    userFactors: m.userFactors.slice(),
    itemFactors: m.itemFactors.slice(),
    userBias: m.userBias.slice(),
    itemBias: m.itemBias.slice(),
  };
}

function allFinite(a: Float32Array): boolean {
  for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k]!)) return false;
  return true;
}

function diverged(iteration: number, learningRate: number): MfrecError {
  return new MfrecError(
    ErrorCodes.DIVERGED,
    `Training diverged at epoch ${iteration} (non-finite values with learningRate ${learningRate}): ` +
      `lower learningRate or raise regularization`,
  );
}
