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
import { resolveItemKNNOptions, type ItemKNNOptions, type ItemKNNParams } from './options.js';
import { weightedMatrices } from './weighting.js';

export { ITEMKNN_DEFAULTS, type ItemKNNOptions, type ItemKNNParams } from './options.js';

export class ItemKNN extends ItemItemModel {
  readonly type = 'itemknn';
  readonly params: Readonly<ItemKNNParams>;

  constructor(options?: ItemKNNOptions) {
    super();
    this.params = Object.freeze(resolveItemKNNOptions(options));
  }

  protected override checkFitMemory(data: Interactions): void {
    checkNeighbourMemory('ItemKNN.fit', data.nItems, this.params.neighbours, this.params.threads || os.availableParallelism());
  }

  protected override learnWeights(data: Interactions, cancel: CancelFlag): Promise<ItemWeights> {
    const p = this.params;
    const weighted = weightedMatrices(data.byItem, data.byUser, p);
    return neighbourWeights({ ...weighted, shrink: p.shrink, k: p.neighbours, threads: p.threads }, p.backend, cancel);
  }
}
