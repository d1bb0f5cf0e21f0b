/**
 * What every matrix-factorization model shares, written once: the learned
 * state (a vector per user and per item, plus optional biases), the training
 * guard, and everything computed from the factors alone (recommendations,
 * similar items and users, persistence). Subclasses implement only fit().
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { IdMap, RawId } from '../data/id-map.js';
import type { SparseRows } from '../data/sparse.js';
import { BusyGuard } from './training.js';

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

  /** Waits for in-flight training to settle, then drops the state. */
  async dispose(): Promise<void> {
    await this.guard.idle();
    this.state = undefined;
  }
}
