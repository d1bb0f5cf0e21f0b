/**
 * Item-KNN: each item's `neighbours` most similar items (cosine, TF-IDF,
 * BM25 or plain co-occurrence, with optional shrinkage), from a sparse
 * product that never builds the dense items × items matrix. A user's score
 * of item j sums j's similarity to every item of their history.
 */
import os from 'node:os';
import type { Interactions } from '../../data/interactions.js';
import type { ItemWeights } from '../base/item-weights.js';
import type { CancelFlag } from '../base/training.js';
import { ItemItemModel } from '../item-item/item-item-model.js';
import { checkNeighbourMemory, neighbourWeights } from '../item-item/neighbours.js';
import { ITEMKNN_AUTO, resolveItemKNNOptions, type ItemKNNOptions, type ItemKNNParams } from './options.js';
import { weightedMatrices } from './weighting.js';

export { ITEMKNN_AUTO, ITEMKNN_DEFAULTS, type ItemKNNOptions, type ItemKNNParams } from './options.js';

export class ItemKNN extends ItemItemModel {
  readonly type = 'itemknn';
  readonly params: Readonly<ItemKNNParams>;

  constructor(options?: ItemKNNOptions) {
    super();
    this.params = Object.freeze(resolveItemKNNOptions(options));
  }

  protected override checkFitMemory(data: Interactions): void {
    const k = this.params.neighbours === 'auto' ? Math.max(...ITEMKNN_AUTO.neighbours) : this.params.neighbours;
    checkNeighbourMemory('ItemKNN.fit', data.nItems, k, this.params.threads || os.availableParallelism());
  }

  protected override autoChoices(): Record<string, readonly unknown[]> {
    return ITEMKNN_AUTO;
  }

  protected override sibling(options: Record<string, unknown>): ItemKNN {
    return new ItemKNN(options);
  }

  protected override learnWeights(data: Interactions, params: Readonly<Record<string, unknown>>, cancel: CancelFlag): Promise<ItemWeights> {
    const p = params as ItemKNNParams & { neighbours: number; shrink: number };
    const weighted = weightedMatrices(data.byItem, data.byUser, p);
    return neighbourWeights({ ...weighted, shrink: p.shrink, k: p.neighbours, threads: p.threads }, p.backend, cancel);
  }
}
