/**
 * RP3beta (a three-step random walk item → user → item, re-weighted by
 * popularity): W[i][j] = Σ_u P(u | i)^α · P(j | u)^α / popularity(j)^β over
 * the binary interactions, P(u | i) = 1 / (users of i) and
 * P(j | u) = 1 / (items of u), keeping each item's top `neighbours`, then
 * (`normalize`) scaling each item's kept row to sum to 1.
 */
import os from 'node:os';
import type { Interactions } from '../../data/interactions.js';
import type { SparseRows } from '../../data/sparse.js';
import type { ItemWeights } from '../base/item-weights.js';
import type { CancelFlag } from '../base/training.js';
import { ItemItemModel } from '../item-item/item-item-model.js';
import { checkNeighbourMemory, neighbourWeights } from '../item-item/neighbours.js';
import { RP3BETA_AUTO, resolveRP3betaOptions, type RP3betaOptions, type RP3betaParams } from './options.js';

export { RP3BETA_AUTO, RP3BETA_DEFAULTS, type RP3betaOptions, type RP3betaParams } from './options.js';

/** `m` with every entry of row r set to (1 / length of row r)^α: a row-stochastic transition matrix raised to α. */
function transitions(m: SparseRows, alpha: number): SparseRows {
  const values = new Float32Array(m.indices.length);
  for (let r = 0; r < m.rows; r++) {
    const begin = m.indptr[r]!;
    const end = m.indptr[r + 1]!;
    values.fill((1 / (end - begin)) ** alpha, begin, end);
  }
  return { rows: m.rows, cols: m.cols, indptr: m.indptr, indices: m.indices, values };
}

/** Each row of sparse weights scaled in place to sum to 1 (rows summing to 0 stay as they are). */
function normalizeRows(w: Extract<ItemWeights, { kind: 'sparse' }>): void {
  for (let r = 0; r + 1 < w.indptr.length; r++) {
    let sum = 0;
    for (let e = w.indptr[r]!; e < w.indptr[r + 1]!; e++) sum += w.values[e]!;
    if (sum > 0) for (let e = w.indptr[r]!; e < w.indptr[r + 1]!; e++) w.values[e] = w.values[e]! / sum;
  }
}

export class RP3beta extends ItemItemModel {
  readonly type = 'rp3beta';
  readonly params: Readonly<RP3betaParams>;

  constructor(options?: RP3betaOptions) {
    super();
    this.params = Object.freeze(resolveRP3betaOptions(options));
  }

  protected override checkFitMemory(data: Interactions): void {
    const k = this.params.neighbours === 'auto' ? Math.max(...RP3BETA_AUTO.neighbours) : this.params.neighbours;
    checkNeighbourMemory('RP3beta.fit', data.nItems, k, this.params.threads || os.availableParallelism());
  }

  protected override autoChoices(): Record<string, readonly unknown[]> {
    return RP3BETA_AUTO;
  }

  protected override sibling(options: Record<string, unknown>): RP3beta {
    return new RP3beta(options);
  }

  protected override async learnWeights(data: Interactions, params: Readonly<Record<string, unknown>>, cancel: CancelFlag): Promise<ItemWeights> {
    const p = params as RP3betaParams & { alpha: number; beta: number; neighbours: number };
    const byItem = data.byItem;
    const colScale = new Float32Array(data.nItems);
    for (let j = 0; j < data.nItems; j++) {
      const users = byItem.indptr[j + 1]! - byItem.indptr[j]!;
      colScale[j] = users > 0 ? users ** -p.beta : 0;
    }
    const product = {
      byItem: transitions(byItem, p.alpha),
      byUser: transitions(data.byUser, p.alpha),
      colScale,
      shrink: 0,
      k: p.neighbours,
      threads: p.threads,
    };
    const weights = await neighbourWeights(product, p.backend, cancel);
    if (p.normalize && weights.kind === 'sparse') normalizeRows(weights);
    return weights;
  }
}
