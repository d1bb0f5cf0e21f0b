/**
 * Implicit-feedback matrix factorization by alternating least squares
 * (Hu, Koren & Volinsky 2008), for views, clicks, purchases and other
 * signals where only "what happened, and how much" is known.
 *
 * Every observed (user, item, value) gets a confidence
 * `c = 1 + alpha·|value|` ('linear') or `c = 1 + alpha·log(1 + |value|/epsilon)`
 * ('log') and a preference of 1, or 0 when the value is negative: a negative
 * value means "confidently not wanted" (a return, a dislike), as in Python's
 * `implicit`. Every unobserved pair has confidence 1 and preference 0. Each
 * iteration solves all user vectors with the item vectors fixed, then all
 * item vectors with the user vectors fixed, minimising
 * `Σ c·(p − x_u·y_i)² + Σ λ_u‖x_u‖² + Σ λ_i‖y_i‖²` over all pairs.
 *
 * Users are users: fit() takes {@link Interactions}, which knows its
 * orientation, so user and item roles cannot be swapped by mistake.
 */
import os from 'node:os';
import { ErrorCodes, MfrecError } from '../../errors.js';
import { checkMemory } from '../base/memory-limit.js';
import { Interactions } from '../../data/interactions.js';
import { longestRow, type SparseRows } from '../../data/sparse.js';
import { Rng } from '../../random.js';
import { boolean, integer, invalid, knownOptions, number, oneOf, seed } from '../../validate.js';
import { FactorModel, type CheckedHistory, type FactorState, type FoldedUser } from '../base/factor-model.js';
import { ALS_BACKENDS, alsBackend, type AlsBackend, type AlsBackendName } from './backend.js';
import { GramCache, historyRow, type ItemHistory, type UserHistory } from './fold-in.js';
import type { AlsKernelOptions } from '../../addon/als.js';
import type { Side, SolvedRows } from '../base/partial-fit-plan.js';
import { CancelFlag, runIterations, type FitControl, type IterationReport } from '../base/training.js';

export type { AlsBackendName } from './backend.js';
export type { ItemHistory, UserHistory } from './fold-in.js';
export type { PartialFitControl } from '../base/factor-model.js';

export interface ImplicitALSOptions {
  /** Length of each user and item vector. Default 64; integer in [1, 65536]. */
  factors?: number;
  /** Alternating sweeps (users, then items). Default 15; integer in [1, 100000]. */
  iterations?: number;
  /**
   * L2 regularization λ, >= 0. Default 0.25 with `scaleRegularization` (a
   * user with n interactions gets λ·(1 + n)); with `scaleRegularization: false`
   * λ is used as is for every row, and values around 10–20 suit MovieLens-sized data.
   */
  regularization?: number;
  /** Confidence slope: how much more an observed pair weighs than an unobserved one. Default 2; >= 0. */
  alpha?: number;
  /** How values become confidence: 'linear' (default) or 'log' (for counts with long tails). */
  confidence?: 'linear' | 'log';
  /** Scale of the 'log' confidence, c = 1 + alpha·log(1 + |value|/epsilon). Default 1; > 0. */
  epsilon?: number;
  /** 'cg' (default): a few conjugate-gradient steps per row; 'cholesky': exact solves (about 2–3× slower). */
  solver?: 'cg' | 'cholesky';
  /** Conjugate-gradient steps per row and half-sweep, warm-started from the previous vector. Default 3. */
  cgSteps?: number;
  /**
   * Frequency-scaled regularization (Rendle et al. 2021): row r with n_r
   * observed entries gets λ·(1 + n_r) instead of λ, so heavy users and
   * popular items are not under-regularized relative to rare ones. Default true.
   */
  scaleRegularization?: boolean;
  /** Compute the training loss after every iteration (reported as trainLoss; costs about one CG step). Default false. */
  calculateLoss?: boolean;
  /** Worker threads; 0 (default) means all hardware threads. The 'js' backend always uses one. */
  threads?: number;
  /** Seed of the initial factors (uint32). Default 1. With one thread, results are bit-reproducible. */
  seed?: number;
  /**
   * Where the arithmetic runs: 'native' (default; C++ kernels, threads,
   * OpenBLAS) or 'js' (the pure-TypeScript implementation of the same
   * algorithm, one thread on the event loop, yielding between iterations).
   * Both give the same factors to float rounding; 'js' exists to compare the
   * two and to run where the addon cannot load.
   */
  backend?: AlsBackendName;
}


export type ImplicitALSParams = Required<ImplicitALSOptions>;

/**
 * Defaults, chosen on MovieLens 100K as implicit data (precision@10 0.426 on a
 * 75/25 per-user split, see bench/ml100k-ranking.mjs; the neighbourhood
 * λ 0.15–0.3, alpha 1–4, 32–128 factors stays within 0.41–0.43) and meant to
 * transfer to purchase data:
 * - frequency-scaled regularization ties λ to each row's activity, so one λ
 *   suits shops with a few very active customers and many one-time buyers
 *   (a fixed λ must be re-tuned whenever the activity distribution changes);
 * - alpha 2 makes one purchase weigh three times a non-purchase; larger alpha
 *   lost accuracy here, and with quantities as values a moderate slope keeps
 *   bulk orders from dominating (or use confidence 'log' for raw counts);
 * - 64 factors and 15 iterations: accuracy is flat from 32 to 128 factors,
 *   and 64 keeps training and scoring cheap on catalogues of 10⁴–10⁵ items;
 * - 3 warm-started CG steps match exact Cholesky solves in accuracy at a
 *   third of the cost.
 */
export const IMPLICIT_ALS_DEFAULTS: Readonly<ImplicitALSParams> = Object.freeze({
  factors: 64,
  iterations: 15,
  regularization: 0.25,
  alpha: 2,
  confidence: 'linear',
  epsilon: 1,
  solver: 'cg',
  cgSteps: 3,
  scaleRegularization: true,
  calculateLoss: false,
  threads: 0,
  seed: 1,
  backend: 'native',
});

const OPTION_NAMES = Object.keys(IMPLICIT_ALS_DEFAULTS) as (keyof ImplicitALSParams)[];

/** Checks every option and fills in the defaults. */
export function resolveImplicitALSOptions(options?: ImplicitALSOptions): ImplicitALSParams {
  const o = knownOptions('ImplicitALS options', options, OPTION_NAMES);
  const pick = <K extends keyof ImplicitALSParams>(key: K): unknown => (o[key] === undefined ? IMPLICIT_ALS_DEFAULTS[key] : o[key]);
  return {
    factors: integer('factors', pick('factors'), 1, 65536),
    iterations: integer('iterations', pick('iterations'), 1, 100000),
    regularization: number('regularization', pick('regularization'), { min: 0 }),
    alpha: number('alpha', pick('alpha'), { min: 0 }),
    confidence: oneOf('confidence', pick('confidence'), ['linear', 'log'] as const),
    epsilon: number('epsilon', pick('epsilon'), { min: 0, exclusiveMin: true }),
    solver: oneOf('solver', pick('solver'), ['cg', 'cholesky'] as const),
    cgSteps: integer('cgSteps', pick('cgSteps'), 1, 1000),
    scaleRegularization: boolean('scaleRegularization', pick('scaleRegularization')),
    calculateLoss: boolean('calculateLoss', pick('calculateLoss')),
    threads: integer('threads', pick('threads'), 0, 256),
    seed: seed('seed', pick('seed')),
    backend: oneOf('backend', pick('backend'), ALS_BACKENDS),
  };
}

/** The resolved options in the kernels' shape. */
export function kernelOptions(p: ImplicitALSParams): AlsKernelOptions {
  return {
    factors: p.factors,
    regularization: p.regularization,
    alpha: p.alpha,
    confidence: p.confidence === 'log' ? 1 : 0,
    epsilon: p.epsilon,
    solver: p.solver === 'cholesky' ? 1 : 0,
    cgSteps: p.cgSteps,
    scaleRegularization: p.scaleRegularization,
    threads: p.threads,
  };
}

/** Items gathered per BLAS rank update in the native Cholesky solver. */
const CHOLESKY_BLOCK_ROWS = 128;

/**
 * Bytes a fit needs beyond the data, refused up front with
 * ERR_MFREC_OUT_OF_MEMORY when it cannot be allocated: factor matrices larger
 * than a typed array can hold, or more than the memory this process may use
 * (memory-limit.ts).
 */
function checkFitMemory(data: Interactions, p: ImplicitALSParams): void {
  const k = p.factors;
  const threads = p.threads === 0 ? os.availableParallelism() : p.threads;
  const longest = Math.max(longestRow(data.byUser.indptr), longestRow(data.byItem.indptr));
  const perThread = 2 * longest + 3 * k + (p.solver === 'cholesky' ? 2 * k * k + Math.min(longest, CHOLESKY_BLOCK_ROWS) * k : 0);
  const factorElements = (data.nUsers + data.nItems) * k;
  checkMemory({
    where: 'ImplicitALS.fit',
    what: `${data.nUsers} users and ${data.nItems} items × ${k} factors, plus ${threads} thread buffers`,
    bytes: 4 * (factorElements + k * k + threads * perThread),
    largestArray: Math.max(data.nUsers, data.nItems) * k,
    remedy: 'use fewer factors or threads',
  });
}

function allocate(elements: number, what: string): Float32Array {
  try {
    return new Float32Array(elements);
  } catch (e) {
    throw new MfrecError(ErrorCodes.OUT_OF_MEMORY, `Could not allocate ${(elements * 4).toLocaleString('en-US')} bytes for ${what}`, { cause: e });
  }
}

/**
 * Small random starting vectors, N(0, 0.01²) per coordinate, from independent
 * streams for users and items (the same values in the TypeScript twin and in
 * tests that replay a fit).
 */
export function initialFactors(rows: number, factors: number, seedValue: number, stream: number, what: string): Float32Array {
  const out = allocate(rows * factors, what);
  const rng = Rng.stream(seedValue, stream);
  for (let j = 0; j < out.length; j++) out[j] = 0.01 * rng.normal();
  return out;
}

function allFinite(a: Float32Array): boolean {
  for (let j = 0; j < a.length; j++) if (!Number.isFinite(a[j]!)) return false;
  return true;
}

function diverged(what: string): MfrecError {
  return new MfrecError(
    ErrorCodes.DIVERGED,
    `ImplicitALS ${what} produced non-finite factors (the least-squares system is not positive definite): set regularization > 0`,
  );
}

export class ImplicitALS extends FactorModel {
  readonly type = 'als';
  /** The resolved hyperparameters (JSON-serializable). */
  readonly params: Readonly<ImplicitALSParams>;
  /** Reports of the last successful fit, one per iteration. */
  history: IterationReport[] = [];
  private readonly backend: AlsBackend;
  /** YᵀY and XᵀX of the current state, for fold-ins (never saved). */
  private readonly grams: GramCache;

  constructor(options?: ImplicitALSOptions) {
    super();
    this.params = Object.freeze(resolveImplicitALSOptions(options));
    this.backend = alsBackend(this.params.backend);
    this.grams = new GramCache(this.backend);
  }

  /** Kernel options of the exact row solves behind fold-in and partial fits. */
  private foldInOptions(threads: number): AlsKernelOptions {
    return { ...kernelOptions(this.params), solver: 1, threads };
  }

  /**
   * Trains on `data` (its byUser/byItem views give the orientation). Resolves
   * with the model; rejects with ERR_MFREC_BUSY while another fit runs,
   * ERR_MFREC_ABORTED when `control.signal` aborts (the previous state is
   * kept), ERR_MFREC_DIVERGED when factors become non-finite, and
   * ERR_MFREC_OUT_OF_MEMORY when the factors cannot be allocated.
   */
  async fit(data: Interactions, control: FitControl = {}): Promise<this> {
    if (!(data instanceof Interactions)) throw invalid('an Interactions object', 'data', data);
    const c = knownOptions('ImplicitALS.fit control', control, ['onIteration', 'signal']) as FitControl;
    if (c.onIteration !== undefined && typeof c.onIteration !== 'function') throw invalid('a function', 'onIteration', c.onIteration);
    return this.guard.run('fit', async () => {
      const cancel = new CancelFlag(c.signal);
      try {
        if (data.nnz === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'ImplicitALS.fit needs at least one interaction');
        const p = this.params;
        checkFitMemory(data, p);
        const byUser = data.byUser;
        const byItem = data.byItem;
        const userFactors = initialFactors(data.nUsers, p.factors, p.seed, 0, 'user factors');
        const itemFactors = initialFactors(data.nItems, p.factors, p.seed, 1, 'item factors');
        const kernel = kernelOptions(p);
        const backend = this.backend;
        const reports = await runIterations(p.iterations, c, cancel, async (iteration) => {
          await backend.iteration(byUser, byItem, userFactors, itemFactors, kernel, cancel);
          if (!allFinite(userFactors) || !allFinite(itemFactors)) {
            throw new MfrecError(
              ErrorCodes.DIVERGED,
              `ImplicitALS diverged at iteration ${iteration} (non-finite factors): raise regularization or lower alpha`,
            );
          }
          if (!p.calculateLoss) return {};
          return { trainLoss: await backend.loss(byUser, byItem, userFactors, itemFactors, kernel, cancel) };
        });
        const itemPopularity = new Float32Array(data.nItems);
        for (let i = 0; i < data.nItems; i++) itemPopularity[i] = byItem.indptr[i + 1]! - byItem.indptr[i]!;
        const state: FactorState = {
          factors: p.factors,
          users: data.users.clone(data.nUsers),
          items: data.items.clone(data.nItems),
          userFactors,
          itemFactors,
          seen: byUser,
          itemPopularity,
        };
        this.state = state;
        this.history = reports;
        return this;
      } finally {
        cancel.dispose();
      }
    });
  }

  /**
   * Solves a user's factors from their current interactions against the
   * fixed item factors: the exact least-squares step of training for one row
   * (same confidence, same regularization, λ·(1 + n) with
   * `scaleRegularization` where n counts the distinct known items), against
   * YᵀY cached after the first call on each trained state. This is how a live
   * shopper who is not in the model, or whose history changed since
   * training, is scored: the result is not stored (see partialFitUsers).
   *
   * Pass the user's whole history. Item ids the model does not know are
   * skipped; repeated ids add their values. With no known item the result is
   * the zero vector, which scores every item 0: recommend popular items to
   * such a user instead. Synchronous; about 25–40 µs for 64 factors and a
   * 50–100-item history on the native backend, 0.2–0.5 ms on 'js'
   * (bench/fold-in.mjs), plus the one-time YᵀY of the catalogue on the first
   * call on each trained state (0.7 ms for 3,706 items × 64 factors).
   *
   * Throws ERR_MFREC_NOT_FITTED before training, ERR_MFREC_INVALID_ARGUMENT /
   * ERR_MFREC_UNKNOWN_OPTION for malformed input, and ERR_MFREC_DIVERGED if the
   * system is singular (possible only with regularization 0).
   */
  recalculateUser(interactions: UserHistory): Float32Array {
    const s = this.fitted();
    return this.foldIn(s, historyRow('ImplicitALS.recalculateUser interactions', interactions, 'items', s.items), 'items');
  }

  /** The mirror of {@link recalculateUser}: an item's factors from the users who interacted with it, against the fixed user factors. */
  recalculateItem(interactions: ItemHistory): Float32Array {
    const s = this.fitted();
    return this.foldIn(s, historyRow('ImplicitALS.recalculateItem interactions', interactions, 'users', s.users), 'users');
  }

  private foldIn(s: FactorState, row: SparseRows, fixed: Side): Float32Array {
    const x = new Float32Array(s.factors);
    if (row.indices.length === 0) return x; // the exact minimiser with nothing observed, without computing YᵀY
    const y = fixed === 'items' ? s.itemFactors : s.userFactors;
    this.backend.solveRowsSync(row, y, this.grams.of(s, fixed), x, this.foldInOptions(1));
    if (!allFinite(x)) throw diverged(fixed === 'items' ? 'recalculateUser' : 'recalculateItem');
    return x;
  }

  override get supportsRecalculate(): boolean {
    return true;
  }

  /**
   * Partial fits re-solve rows exactly as recalculateUser / recalculateItem
   * do (see FactorModel.partialFitUsers for the contract). Costs on
   * MovieLens-1M-sized data: docs/live-updates.md.
   */
  override get supportsPartialFit(): boolean {
    return true;
  }

  /** recommend()'s recalculate path: the exact row solve of recalculateUser; undefined without a known item. */
  protected override foldInUser(s: FactorState, history: CheckedHistory): FoldedUser | undefined {
    const row = historyRow('interactions', history, 'items', s.items);
    return row.indices.length === 0 ? undefined : { factors: this.foldIn(s, row, 'items') };
  }

  protected override async solveRows(s: FactorState, side: Side, rows: SparseRows, _targets: Int32Array, cancel: CancelFlag): Promise<SolvedRows> {
    const users = side === 'users';
    const fixed: Side = users ? 'items' : 'users';
    const solved = allocate(rows.rows * s.factors, `${rows.rows} solved rows`);
    const y = users ? s.itemFactors : s.userFactors;
    await this.backend.solveRows(rows, y, this.grams.of(s, fixed), solved, this.foldInOptions(this.params.threads), cancel);
    cancel.throwIfAborted();
    if (!allFinite(solved)) throw diverged(users ? 'partialFitUsers' : 'partialFitItems');
    return { factors: solved };
  }

  /** A new state keeps the YᵀY of the side it did not change (partial fits and forgetting touch one side). */
  protected override replaceState(previous: FactorState, next: FactorState, unchanged: Side): void {
    this.grams.carry(previous, next, unchanged);
    super.replaceState(previous, next, unchanged);
  }
}
