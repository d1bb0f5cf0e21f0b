/**
 * What every item-to-item model (EASE, item-KNN, RP3beta) shares: training
 * is one computation of item-to-item weights (lib/models/base/item-weights.ts)
 * from the interactions, and a user is scored from their history through
 * those weights, so a live cart needs no fold-in and a partial fit of users
 * only replaces their histories. They have no user or item vectors (their
 * state has zero factors, plus `weights`), so no userVector, itemVector or
 * similarUsers: those belong to FactorModel.
 */
import { performance } from 'node:perf_hooks';
import type { Interactions } from '../../data/interactions.js';
import type { SparseRows } from '../../data/sparse.js';
import { ErrorCodes, MfrecError } from '../../errors.js';
import { Recommender, type CheckedHistory, type FactorState, type FoldedUser, type Trained } from '../base/recommender.js';
import { usersPerItem } from '../base/item-popularity.js';
import { itemItemContributions, type ItemWeights } from '../base/item-weights.js';
import type { ScoreParts } from '../base/explain.js';
import { knownItemIndices } from '../base/live-history.js';
import type { Side, SolvedRows } from '../base/partial-fit-plan.js';
import type { CancelFlag, FitControl } from '../base/training.js';
import { autoGrid, chooseOnValidation, type Candidate } from './validated-choice.js';

export abstract class ItemItemModel extends Recommender {
  /**
   * The options the last fit used, each 'auto' replaced by the value chosen
   * on validation (see validated-choice.ts); undefined before a fit.
   */
  fittedParams: Readonly<Record<string, unknown>> | undefined;
  /** The candidates the last fit measured to resolve its 'auto' options (empty when none was 'auto'). */
  autoChoice: Array<Candidate<Record<string, unknown>>> = [];

  /** The family's weights from the training interactions, with `params` (no 'auto' left). */
  protected abstract learnWeights(data: Interactions, params: Readonly<Record<string, unknown>>, cancel: CancelFlag): Promise<ItemWeights>;

  /** The values an option left at 'auto' is chosen among, per option name (none by default). */
  protected autoChoices(): Record<string, readonly unknown[]> {
    return {};
  }

  /** A model of the same family with `options`, to measure one candidate. */
  protected abstract sibling(options: Record<string, unknown>): ItemItemModel;

  /** The options with every 'auto' resolved: directly when there is one candidate, else on validation. */
  private async resolveAuto(data: Interactions, cancel: CancelFlag): Promise<Readonly<Record<string, unknown>>> {
    const grid = autoGrid(this.params, this.autoChoices());
    this.autoChoice = [];
    if (grid.length === 1) return { ...this.params, ...grid[0] };
    const threads = typeof this.params.threads === 'number' ? this.params.threads : 0;
    const fit = async (over: Record<string, unknown>, part: Interactions) => this.sibling({ ...this.params, ...over }).fit(part);
    const { chosen, measured } = await chooseOnValidation(data, grid, fit, threads, cancel);
    this.autoChoice = measured;
    return { ...this.params, ...chosen };
  }

  /** One step: the weights. Reported as one iteration, so progress and history work as for every model. */
  protected override async train(data: Interactions, control: FitControl, cancel: CancelFlag): Promise<Trained> {
    const start = performance.now();
    const params = await this.resolveAuto(data, cancel);
    const weights = await this.learnWeights(data, params, cancel);
    cancel.throwIfAborted();
    const report = { iteration: 1, seconds: (performance.now() - start) / 1000 };
    control.onIteration?.(report);
    cancel.throwIfAborted(); // an abort from onIteration still refuses the new weights
    this.fittedParams = Object.freeze(params);
    const state: FactorState = {
      factors: 0,
      users: data.users.clone(data.nUsers),
      items: data.items.clone(data.nItems),
      userFactors: new Float32Array(0),
      itemFactors: new Float32Array(0),
      seen: data.byUser,
      itemPopularity: usersPerItem(data.byUser),
      weights,
    };
    return { state, history: [report] };
  }

  /** A live history is scored as it is: recommend(user, { recalculate: true, interactions }) works for every user. */
  override get supportsRecalculate(): boolean {
    return true;
  }

  /** A score is a sum of weights over the history: explain() lists them exactly. */
  override get supportsExplain(): boolean {
    return true;
  }

  /** Item j of the history contributes W[j][i]. */
  protected override scoreParts(s: FactorState, u: number, i: number): ScoreParts {
    return { base: 0, perEntry: itemItemContributions(s.weights!, s.seen, u, i) };
  }

  /** partialFitUsers replaces the given users' histories (no solve needed); partialFitItems needs a new fit. */
  override get supportsPartialFit(): boolean {
    return true;
  }

  /** The history's known items, as the one-row history the ranking scores from; undefined without a known item. */
  protected override foldInUser(s: FactorState, history: CheckedHistory): FoldedUser | undefined {
    const indices = knownItemIndices(history.items, s.items);
    if (indices.length === 0) return undefined;
    const row: SparseRows = {
      rows: 1,
      cols: s.items.size,
      indptr: Int32Array.of(0, indices.length),
      indices,
      values: new Float32Array(indices.length).fill(1),
    };
    return { factors: new Float32Array(0), history: row };
  }

  /** Users: nothing to solve, their new histories are the update. Items: the weights of a new item need a new fit. */
  protected override async solveRows(_s: FactorState, side: Side): Promise<SolvedRows> {
    if (side === 'items') {
      throw new MfrecError(
        ErrorCodes.INVALID_ARGUMENT,
        `The ${this.type} model cannot fit items in part: its item-to-item weights come from all items at once; fit the model again`,
      );
    }
    return { factors: new Float32Array(0) };
  }
}
