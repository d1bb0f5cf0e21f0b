/**
 * Bayesian personalized ranking (Rendle et al. 2009) for implicit feedback:
 * learns user and item vectors (plus an item bias) so that, for each user,
 * items they interacted with score above items they did not. Trained by
 * stochastic gradient ascent on ln σ(x_uij), x_uij = u·(v_i − v_j) + b_i − b_j,
 * over sampled triples (user u, interacted item i, uniformly drawn item j the
 * user has not interacted with), in parallel over threads. Each epoch takes
 * every stored pair once as (u, i), user by user in a shuffled order, which
 * keeps the rows a stretch of samples touches in cache (native/kernels/bpr.h).
 *
 * Values in the data are ignored: every stored (user, item) pair is a positive.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { Interactions } from '../../data/interactions.js';
import { rowOfEntries, type SparseRows } from '../../data/sparse.js';
import type { BprEpochArgs } from '../../addon/bpr.js';
import { FactorModel, type CheckedHistory, type FactorState, type FoldedUser, type Trained } from '../base/factor-model.js';
import { normalFactors } from '../base/initial-factors.js';
import { usersPerItem } from '../base/item-popularity.js';
import { knownItemIndices } from '../base/live-history.js';
import { checkMemory } from '../base/memory-limit.js';
import { columnCounts, type Side, type SolvedRows } from '../base/partial-fit-plan.js';
import { allFinite, runIterations, yieldTurn, type CancelFlag, type FitControl } from '../base/training.js';
import { bprBackends, type BprBackend } from './backend.js';
import { resolveBPROptions, type BPROptions, type BPRParams } from './options.js';

export { BPR_DEFAULTS, resolveBPROptions, type BPROptions, type BPRParams } from './options.js';

/** Standard deviation of the initial vector coordinates, relative to 1/√factors. */
const INIT_SCALE = 0.1;

/**
 * Starting vectors with coordinates N(0, (0.1/√factors)²), from independent
 * streams of the seed for users (0) and items (1), so scores start near 0
 * whatever the number of factors.
 */
export function bprInitialFactors(rows: number, factors: number, seedValue: number, stream: number): Float32Array {
  return normalFactors(rows, factors, INIT_SCALE / Math.sqrt(factors), seedValue, stream, stream === 0 ? 'user factors' : 'item factors');
}

/**
 * Refuses, before allocating anything, factor matrices that cannot exist: one
 * beyond the typed-array limit, or all of them beyond the memory this process
 * may use (memory-limit.ts). Otherwise the allocation fails with an untyped
 * RangeError, or succeeds and pushes the machine into swap or the container
 * into its out-of-memory killer.
 */
function checkFitMemory(users: number, items: number, factors: number): void {
  checkMemory({
    where: 'BPR.fit',
    what: `${users} users and ${items} items × ${factors} factors`,
    bytes: 4 * ((users + items) * factors + items),
    largestArray: Math.max(users, items) * factors,
    remedy: 'use fewer factors',
  });
}

export class BPR extends FactorModel {
  readonly type = 'bpr';
  /** The resolved hyperparameters (JSON-serializable). */
  readonly params: Readonly<BPRParams>;
  private readonly backend: BprBackend;

  constructor(options?: BPROptions) {
    super();
    this.params = Object.freeze(resolveBPROptions(options));
    this.backend = bprBackends[this.params.backend];
  }

  protected override checkFitMemory(data: Interactions): void {
    checkFitMemory(data.nUsers, data.nItems, this.params.factors);
  }

  /**
   * Epochs of sampled triples from the seeded starting vectors. trainLoss is
   * the mean BPR loss −ln σ(x_uij) over the epoch's samples, each measured
   * just before its update (ln 2 ≈ 0.693 at the start; lower is better).
   */
  protected override async train(data: Interactions, control: FitControl, cancel: CancelFlag): Promise<Trained> {
    const p = this.params;
    const byUser = data.byUser;
    const args: BprEpochArgs = {
      indptr: byUser.indptr,
      indices: byUser.indices,
      users: data.nUsers,
      items: data.nItems,
      factors: p.factors,
      userFactors: bprInitialFactors(data.nUsers, p.factors, p.seed, 0),
      itemFactors: bprInitialFactors(data.nItems, p.factors, p.seed, 1),
      itemBias: new Float32Array(data.nItems),
      learningRate: p.learningRate,
      regularization: p.regularization,
      seed: p.seed,
      epoch: 0,
      threads: p.threads,
      verifyNegative: p.verifyNegative,
      cancel: cancel.array,
    };
    const history = await runIterations(p.iterations, control, cancel, async (epoch) => {
      const stats = await this.backend.epoch({ ...args, epoch }, cancel);
      const trainLoss = stats.samples > 0 ? stats.loss / stats.samples : 0;
      if (!Number.isFinite(trainLoss)) throw this.diverged(epoch);
      return { trainLoss };
    });
    const state: FactorState = {
      factors: p.factors,
      users: data.users.clone(data.nUsers),
      items: data.items.clone(data.nItems),
      userFactors: args.userFactors,
      itemFactors: args.itemFactors,
      itemBias: args.itemBias,
      seen: byUser,
      itemPopularity: usersPerItem(byUser),
    };
    return { state, history };
  }

  protected override diverged(epoch: number): MfrecError {
    return new MfrecError(ErrorCodes.DIVERGED, `BPR diverged at epoch ${epoch} (non-finite factors): lower learningRate`);
  }

  /**
   * BPR folds users and items in by replaying training's SGD on that one
   * row against the fixed other side (native/kernels/bpr_fold_in.h on the
   * native backend, its twin lib/models/bpr/fold-in.ts on 'js'): for a
   * user, `iterations` epochs of as many samples as they have items; cost
   * O(iterations · n · factors), synchronous (see docs/live-updates.md for
   * figures). Values are ignored, as in fit().
   */
  override get supportsRecalculate(): boolean {
    return true;
  }

  /** Partial fits solve each given row with the same fold-in (see Recommender.partialFitUsers). */
  override get supportsPartialFit(): boolean {
    return true;
  }

  /** BPR learns by sampled gradient steps: its scores have no closed form over the history to decompose (explain() refuses). */
  protected override whyNoExplain(): string {
    return 'BPR learns its vectors by sampled gradient steps, so a score has no exact split over the history (use ALS or an item-to-item model)';
  }

  protected override foldInUser(s: FactorState, history: CheckedHistory): FoldedUser | undefined {
    const positives = knownItemIndices(history.items, s.items);
    if (positives.length === 0) return undefined;
    return { factors: this.checked(this.backend.foldInUser(this.params, s.itemFactors, this.itemBiasOf(s), positives), 'recommend') };
  }

  protected override async solveRows(s: FactorState, side: Side, rows: SparseRows, targets: Int32Array, cancel: CancelFlag): Promise<SolvedRows> {
    const k = s.factors;
    const factors = new Float32Array(rows.rows * k);
    const where = side === 'users' ? 'partialFitUsers' : 'partialFitItems';
    const itemBias = this.itemBiasOf(s);
    const bias = side === 'items' ? new Float32Array(rows.rows) : undefined;
    const context =
      side === 'items'
        ? {
            userFactors: s.userFactors,
            itemFactors: s.itemFactors,
            itemBias,
            seen: s.seen,
            userOfEntry: rowOfEntries(s.seen),
            columnCounts: columnCounts(s.seen),
          }
        : undefined;
    for (let r = 0; r < rows.rows; r++) {
      // The fold-ins run on the event loop: let an abort (and other work) in now and then.
      if (r > 0 && r % ROWS_PER_TURN === 0) await yieldTurn(cancel);
      const row = rows.indices.subarray(rows.indptr[r]!, rows.indptr[r + 1]!);
      if (context === undefined) {
        factors.set(this.checked(this.backend.foldInUser(this.params, s.itemFactors, itemBias, row), where), r * k);
      } else {
        const target = targets[r]!;
        const item = this.backend.foldInItem(this.params, context, row, target < s.items.size ? target : -1);
        factors.set(this.checked(item.factors, where), r * k);
        if (!Number.isFinite(item.bias)) throw this.foldInDiverged(where);
        bias![r] = item.bias;
      }
    }
    return bias === undefined ? { factors } : { factors, bias };
  }

  /** Item biases of a BPR state (a state from a file always has them; a zero vector otherwise). */
  private itemBiasOf(s: FactorState): Float32Array {
    return s.itemBias ?? new Float32Array(s.items.size);
  }

  private checked(x: Float32Array, where: string): Float32Array {
    if (!allFinite(x)) throw this.foldInDiverged(where);
    return x;
  }

  private foldInDiverged(where: string): MfrecError {
    return new MfrecError(ErrorCodes.DIVERGED, `BPR ${where} produced non-finite factors: lower learningRate`);
  }
}

/** Rows a partial fit folds in per event-loop turn. */
const ROWS_PER_TURN = 64;
