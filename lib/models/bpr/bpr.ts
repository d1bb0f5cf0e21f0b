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
import { checkMemory } from '../base/memory-limit.js';
import { Interactions } from '../../data/interactions.js';
import { Rng } from '../../random.js';
import { boolean, integer, invalid, knownOptions, number, oneOf, seed } from '../../validate.js';
import { bprEpochTwin } from '../../twins/bpr.js';
import { bprAddon, type BprEpochArgs, type BprEpochStats } from '../../addon/bpr.js';
import { rowOfEntries, type SparseRows } from '../../data/sparse.js';
import { foldInBprItem, foldInBprUser } from './fold-in.js';
import { FactorModel, type CheckedHistory, type FactorState, type FoldedUser } from '../base/factor-model.js';
import { knownItemIndices } from '../base/live-history.js';
import { columnCounts, type Side, type SolvedRows } from '../base/partial-fit-plan.js';
import { usersPerItem } from '../popularity/popularity.js';
import { CancelFlag, runIterations, type FitControl, type IterationReport } from '../base/training.js';

export interface BPROptions {
  /** Length of each user and item vector. Default 64; integer in [1, 65536]. */
  factors?: number;
  /** Epochs; each draws as many triples as there are interactions. Default 100; integer in [1, 100000]. */
  iterations?: number;
  /** SGD step size. Default 0.03; > 0 and <= 10. */
  learningRate?: number;
  /** L2 regularization on the vectors and item biases touched by each step. Default 0.02; >= 0. */
  regularization?: number;
  /**
   * Worker threads; 0 (default) means all hardware threads. Threads update
   * the shared vectors without locks, so only a one-thread fit is reproducible.
   */
  threads?: number;
  /** Seed of the initial vectors and of the sampling (uint32). Default 1. */
  seed?: number;
  /**
   * Redraw a negative item the user has interacted with (default true).
   * false samples negatives blindly: slightly faster, slightly noisier.
   */
  verifyNegative?: boolean;
  /**
   * Where the epochs run: 'native' (default) is the C++ kernel, off the event
   * loop and in parallel; 'js' is its pure-TypeScript twin (lib/twins/bpr.ts)
   * on the event loop, one thread whatever `threads` says (the event loop is
   * released between epochs). With `threads: 1` and the same seed both draw
   * the same samples and agree up to the last bits of exp().
   */
  backend?: 'native' | 'js';
}

export type BPRParams = Required<BPROptions>;

/**
 * Defaults, chosen on MovieLens 100K as implicit data (every rating a
 * positive, 75/25 per-user split, seen items filtered; bench/ml100k-ranking.mjs):
 * precision@10 0.387–0.395 with one thread and seeds 1–3 (0.227 for
 * popularity), a 0.4 s fit.
 * A smaller step with more epochs was steadier than 0.05–0.1 for 30–60
 * epochs (0.34–0.37); regularization 0.02 beat 0.005–0.01 (overfits) and
 * 0.03–0.05 (underfits); 64 and 128 factors scored alike.
 */
export const BPR_DEFAULTS: Readonly<BPRParams> = Object.freeze({
  factors: 64,
  iterations: 100,
  learningRate: 0.03,
  regularization: 0.02,
  threads: 0,
  seed: 1,
  verifyNegative: true,
  backend: 'native',
});

const OPTION_NAMES = Object.keys(BPR_DEFAULTS) as (keyof BPRParams)[];
const BPR_BACKENDS = ['native', 'js'] as const;

/** Checks every option and fills in the defaults. */
export function resolveBPROptions(options?: BPROptions): BPRParams {
  const o = knownOptions('BPR options', options, OPTION_NAMES);
  const pick = <K extends keyof BPRParams>(key: K): unknown => (o[key] === undefined ? BPR_DEFAULTS[key] : o[key]);
  return {
    factors: integer('factors', pick('factors'), 1, 65536),
    iterations: integer('iterations', pick('iterations'), 1, 100000),
    learningRate: number('learningRate', pick('learningRate'), { min: 0, exclusiveMin: true, max: 10 }),
    regularization: number('regularization', pick('regularization'), { min: 0 }),
    threads: integer('threads', pick('threads'), 0, 256),
    seed: seed('seed', pick('seed')),
    verifyNegative: boolean('verifyNegative', pick('verifyNegative')),
    backend: oneOf('backend', pick('backend'), BPR_BACKENDS),
  };
}

/** Standard deviation of the initial vector coordinates, relative to 1/√factors. */
const INIT_SCALE = 0.1;

/**
 * Starting vectors with coordinates N(0, (0.1/√factors)²), from independent
 * streams of the seed for users (0) and items (1), so scores start near 0
 * whatever the number of factors.
 */
export function bprInitialFactors(rows: number, factors: number, seedValue: number, stream: number): Float32Array {
  const rng = Rng.stream(seedValue, stream);
  const sd = INIT_SCALE / Math.sqrt(factors);
  const out = new Float32Array(rows * factors);
  for (let j = 0; j < out.length; j++) out[j] = sd * rng.normal();
  return out;
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

function allFinite(...arrays: Float32Array[]): boolean {
  for (const a of arrays) for (let j = 0; j < a.length; j++) if (!Number.isFinite(a[j]!)) return false;
  return true;
}

/** One epoch on the chosen backend; both update the arrays in place and return the epoch's statistics. */
function epochRunner(backend: BPRParams['backend'], cancel: CancelFlag): (args: BprEpochArgs) => Promise<BprEpochStats> {
  if (backend === 'native') {
    const addon = bprAddon();
    return (args) => addon.bprEpoch(args);
  }
  return async (args) => {
    // The twin holds the event loop for a whole epoch: yield first so that
    // timers, I/O and an abort fired meanwhile get their turn between epochs.
    await new Promise<void>((resolve) => setImmediate(resolve));
    cancel.throwIfAborted();
    return bprEpochTwin(args);
  };
}

export class BPR extends FactorModel {
  readonly type = 'bpr';
  /** The resolved hyperparameters (JSON-serializable). */
  readonly params: Readonly<BPRParams>;
  /**
   * Reports of the last successful fit, one per epoch. trainLoss is the mean
   * BPR loss −ln σ(x_uij) over the epoch's samples, each measured just before
   * its update (ln 2 ≈ 0.693 at the start; lower is better).
   */
  history: IterationReport[] = [];

  constructor(options?: BPROptions) {
    super();
    this.params = Object.freeze(resolveBPROptions(options));
  }

  /**
   * Trains on `data`. Resolves with the model; rejects with ERR_MFREC_BUSY
   * while another fit runs, ERR_MFREC_ABORTED when `control.signal` aborts
   * (the previous state is kept), ERR_MFREC_EMPTY_DATA without interactions,
   * ERR_MFREC_DIVERGED when the vectors become non-finite (lower learningRate).
   */
  async fit(data: Interactions, control: FitControl = {}): Promise<this> {
    if (!(data instanceof Interactions)) throw invalid('an Interactions object', 'data', data);
    const c = knownOptions('BPR.fit control', control, ['onIteration', 'signal']) as FitControl;
    if (c.onIteration !== undefined && typeof c.onIteration !== 'function') throw invalid('a function', 'onIteration', c.onIteration);
    return this.guard.run('fit', async () => {
      const cancel = new CancelFlag(c.signal);
      try {
        if (data.nnz === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'BPR.fit needs at least one interaction');
        const p = this.params;
        checkFitMemory(data.nUsers, data.nItems, p.factors);
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
        const runEpoch = epochRunner(p.backend, cancel);
        const diverged = (epoch: number) =>
          new MfrecError(ErrorCodes.DIVERGED, `BPR diverged at epoch ${epoch} (non-finite factors): lower learningRate`);
        const reports = await runIterations(p.iterations, c, cancel, async (epoch) => {
          const stats = await runEpoch({ ...args, epoch });
          const trainLoss = stats.samples > 0 ? stats.loss / stats.samples : 0;
          if (!Number.isFinite(trainLoss)) throw diverged(epoch);
          return { trainLoss };
        });
        if (!allFinite(args.userFactors, args.itemFactors, args.itemBias)) throw diverged(reports.length);
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
        this.state = state;
        this.history = reports;
        return this;
      } finally {
        cancel.dispose();
      }
    });
  }

  /**
   * BPR folds users and items in by replaying training's SGD on that one
   * row against the fixed other side (lib/models/bpr/fold-in.ts): for a
   * user, `iterations` epochs of as many samples as they have items; cost
   * O(iterations · n · factors) on the event loop: 4–7 ms for 100 epochs,
   * 50–100 items and 64 factors, far more than ALS's exact solve (see
   * docs/live-updates.md). Values are ignored, as in fit().
   */
  override get supportsRecalculate(): boolean {
    return true;
  }

  /** Partial fits solve each given row with the same fold-in (see FactorModel.partialFitUsers). */
  override get supportsPartialFit(): boolean {
    return true;
  }

  protected override foldInUser(s: FactorState, history: CheckedHistory): FoldedUser | undefined {
    const positives = knownItemIndices(history.items, s.items);
    if (positives.length === 0) return undefined;
    return { factors: this.checked(foldInBprUser(this.params, s.itemFactors, this.itemBiasOf(s), positives), 'recommend') };
  }

  protected override async solveRows(s: FactorState, side: Side, rows: SparseRows, targets: Int32Array, cancel: CancelFlag): Promise<SolvedRows> {
    const k = s.factors;
    const factors = new Float32Array(rows.rows * k);
    const where = side === 'users' ? 'partialFitUsers' : 'partialFitItems';
    const itemBias = this.itemBiasOf(s);
    const bias = side === 'items' ? new Float32Array(rows.rows) : undefined;
    const context = side === 'items'
      ? { userFactors: s.userFactors, itemFactors: s.itemFactors, itemBias, seen: s.seen, userOfEntry: rowOfEntries(s.seen), columnCounts: columnCounts(s.seen) }
      : undefined;
    for (let r = 0; r < rows.rows; r++) {
      // The fold-ins run on the event loop: let an abort (and other work) in now and then.
      if (r > 0 && r % ROWS_PER_TURN === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        cancel.throwIfAborted();
      }
      const row = rows.indices.subarray(rows.indptr[r]!, rows.indptr[r + 1]!);
      if (context === undefined) {
        factors.set(this.checked(foldInBprUser(this.params, s.itemFactors, itemBias, row), where), r * k);
      } else {
        const target = targets[r]!;
        const item = foldInBprItem(this.params, context, row, target < s.items.size ? target : -1);
        factors.set(this.checked(item.factors, where), r * k);
        if (!Number.isFinite(item.bias)) throw this.diverged(where);
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
    if (!allFinite(x)) throw this.diverged(where);
    return x;
  }

  private diverged(where: string): MfrecError {
    return new MfrecError(ErrorCodes.DIVERGED, `BPR ${where} produced non-finite factors: lower learningRate`);
  }
}

/** Rows a partial fit folds in per event-loop turn. */
const ROWS_PER_TURN = 64;
