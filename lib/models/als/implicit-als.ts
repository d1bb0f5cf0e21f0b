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
import type { Interactions } from '../../data/interactions.js';
import { longestRow, type SparseRows } from '../../data/sparse.js';
import type { AlsKernelOptions } from '../../addon/als.js';
import type { ScoreParts } from '../base/explain.js';
import { FactorModel, type CheckedHistory, type FactorState, type FoldedUser, type Trained } from '../base/factor-model.js';
import { normalFactors } from '../base/initial-factors.js';
import { usersPerItem } from '../base/item-popularity.js';
import { allocateFloats, checkMemory } from '../base/memory-limit.js';
import type { Side, SolvedRows } from '../base/partial-fit-plan.js';
import { allFinite, runIterations, type CancelFlag, type FitControl } from '../base/training.js';
import { alsBackends, type AlsBackend } from './backend.js';
import { alsScoreParts } from './explain.js';
import { gramCache, historyRow, type ItemHistory, type UserHistory } from './fold-in.js';
import { kernelOptions, resolveImplicitALSOptions, type ImplicitALSOptions, type ImplicitALSParams } from './options.js';

export type { AlsBackendName } from './backend.js';
export type { ItemHistory, UserHistory } from './fold-in.js';
export type { PartialFitControl } from '../base/factor-model.js';
export { IMPLICIT_ALS_DEFAULTS, kernelOptions, resolveImplicitALSOptions, type ImplicitALSOptions, type ImplicitALSParams } from './options.js';

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

/**
 * Small random starting vectors, N(0, 0.01²) per coordinate, from independent
 * streams for users and items (the same values in the TypeScript twin and in
 * tests that replay a fit).
 */
export function initialFactors(rows: number, factors: number, seedValue: number, stream: number, what: string): Float32Array {
  return normalFactors(rows, factors, 0.01, seedValue, stream, what);
}

/** A fold-in or partial fit whose solve came out non-finite. */
function solveDiverged(what: string): MfrecError {
  return new MfrecError(
    ErrorCodes.DIVERGED,
    `ImplicitALS ${what} produced non-finite factors (the least-squares system is not positive definite): set regularization > 0`,
  );
}

export class ImplicitALS extends FactorModel {
  readonly type = 'als';
  /** The resolved hyperparameters (JSON-serializable). */
  readonly params: Readonly<ImplicitALSParams>;
  private readonly backend: AlsBackend;
  /** YᵀY of a factor matrix, for fold-ins and partial fits (never saved; see gramCache). */
  private readonly gram: (factors: Float32Array, rows: number, k: number) => ReturnType<AlsBackend['gram']>;

  constructor(options?: ImplicitALSOptions) {
    super();
    this.params = Object.freeze(resolveImplicitALSOptions(options));
    this.backend = alsBackends[this.params.backend];
    this.gram = gramCache(this.backend);
  }

  /** YᵀY of `side`'s factors in `s`. */
  private gramOf(s: FactorState, side: Side): ReturnType<AlsBackend['gram']> {
    return side === 'users' ? this.gram(s.userFactors, s.users.size, s.factors) : this.gram(s.itemFactors, s.items.size, s.factors);
  }

  /** Kernel options of the exact row solves behind fold-in and partial fits. */
  private foldInOptions(threads: number): AlsKernelOptions {
    return { ...kernelOptions(this.params), solver: 1, threads };
  }

  protected override checkFitMemory(data: Interactions): void {
    checkFitMemory(data, this.params);
  }

  /** Alternating sweeps from the seeded starting vectors; trainLoss after each with `calculateLoss`. */
  protected override async train(data: Interactions, control: FitControl, cancel: CancelFlag): Promise<Trained> {
    const p = this.params;
    const byUser = data.byUser;
    const byItem = data.byItem;
    const userFactors = initialFactors(data.nUsers, p.factors, p.seed, 0, 'user factors');
    const itemFactors = initialFactors(data.nItems, p.factors, p.seed, 1, 'item factors');
    const kernel = kernelOptions(p);
    const backend = this.backend;
    const history = await runIterations(p.iterations, control, cancel, async (iteration) => {
      await backend.iteration(byUser, byItem, userFactors, itemFactors, kernel, cancel);
      if (!backend.allFinite(userFactors, itemFactors)) throw this.diverged(iteration);
      if (!p.calculateLoss) return {};
      return { trainLoss: await backend.loss(byUser, byItem, userFactors, itemFactors, kernel, cancel) };
    });
    const state: FactorState = {
      factors: p.factors,
      users: data.users.clone(data.nUsers),
      items: data.items.clone(data.nItems),
      userFactors,
      itemFactors,
      seen: byUser,
      itemPopularity: usersPerItem(byUser),
    };
    return { state, history };
  }

  protected override diverged(iteration: number): MfrecError {
    return new MfrecError(ErrorCodes.DIVERGED, `ImplicitALS diverged at iteration ${iteration} (non-finite factors): raise regularization or lower alpha`);
  }

  /**
   * Solves a user's factors from their current interactions against the
   * fixed item factors: the exact least-squares step of training for one row
   * (same confidence, same regularization, λ·(1 + n)^ν with
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
   * (bench/standalone/fold-in.mjs), plus the one-time YᵀY of the catalogue on the first
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
    this.backend.solveRowsSync(row, y, this.gramOf(s, fixed), x, this.foldInOptions(1));
    if (!allFinite(x)) throw solveDiverged(fixed === 'items' ? 'recalculateUser' : 'recalculateItem');
    return x;
  }

  override get supportsRecalculate(): boolean {
    return true;
  }

  /**
   * Partial fits re-solve rows exactly as recalculateUser / recalculateItem
   * do (see Recommender.partialFitUsers for the contract). Costs on
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

  /** explain(): the fold-in's solve, split over the history (explain.ts). */
  override get supportsExplain(): boolean {
    return true;
  }

  protected override scoreParts(s: FactorState, u: number, i: number): ScoreParts {
    const parts = alsScoreParts(this.backend, s, this.gramOf(s, 'items'), kernelOptions(this.params), u, i);
    if (parts === undefined) throw solveDiverged('explain');
    return parts;
  }

  protected override async solveRows(s: FactorState, side: Side, rows: SparseRows, _targets: Int32Array, cancel: CancelFlag): Promise<SolvedRows> {
    const users = side === 'users';
    const fixed: Side = users ? 'items' : 'users';
    const solved = allocateFloats(rows.rows * s.factors, `${rows.rows} solved rows`);
    const y = users ? s.itemFactors : s.userFactors;
    await this.backend.solveRows(rows, y, this.gramOf(s, fixed), solved, this.foldInOptions(this.params.threads), cancel);
    cancel.throwIfAborted();
    if (!allFinite(solved)) throw solveDiverged(users ? 'partialFitUsers' : 'partialFitItems');
    return { factors: solved };
  }
}
