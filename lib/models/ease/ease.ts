/**
 * EASE (an item-to-item linear autoencoder with a closed form): the weights
 * B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹ over the binary
 * users × items matrix X, diagonal forced to 0. A user's score of item j is
 * Σᵢ x_ui·B[i][j]. Dense in items: fit() refuses catalogues past `maxItems`
 * (see the option for the memory it needs, and `topItems` for the way out).
 */
import type { Interactions } from '../../data/interactions.js';
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { Trained } from '../base/factor-model.js';
import type { ItemWeights } from '../base/item-weights.js';
import { allocateFloats, checkMemory, formatBytes } from '../base/memory-limit.js';
import type { CancelFlag, FitControl } from '../base/training.js';
import { binaryInteractions } from '../item-item/binary.js';
import { ItemItemModel } from '../item-item/item-item-model.js';
import { easeBackends } from './backend.js';
import { resolveEASEOptions, type EASEOptions, type EASEParams } from './options.js';
import { mostPopularItems } from './popular-items.js';

export { EASE_DEFAULTS, type EASEOptions, type EASEParams } from './options.js';

/** Bytes per items² a fit needs: the Gram matrix turned into its inverse, and B. */
const BYTES_PER_ITEM_PAIR = 8;

export class EASE extends ItemItemModel {
  readonly type = 'ease';
  readonly params: Readonly<EASEParams>;

  constructor(options?: EASEOptions) {
    super();
    this.params = Object.freeze(resolveEASEOptions(options));
  }

  /** The `topItems` restriction applies before anything else: the model's catalogue is those items. */
  protected override train(data: Interactions, control: FitControl, cancel: CancelFlag): Promise<Trained> {
    return super.train(this.params.topItems > 0 ? mostPopularItems(data, this.params.topItems) : data, control, cancel);
  }

  protected override checkFitMemory(data: Interactions): void {
    const n = this.params.topItems > 0 ? Math.min(this.params.topItems, data.nItems) : data.nItems;
    const bytes = BYTES_PER_ITEM_PAIR * n * n;
    if (n > this.params.maxItems) {
      throw new MfrecError(
        ErrorCodes.OUT_OF_MEMORY,
        `EASE.fit: ${n.toLocaleString('en-US')} items exceed maxItems (${this.params.maxItems.toLocaleString('en-US')}): ` +
          `EASE holds an items × items matrix and would need about ${formatBytes(bytes)}; ` +
          `train on the most popular items (topItems: ${this.params.maxItems}), raise maxItems if the memory is there, or use ALS`,
      );
    }
    checkMemory({
      where: 'EASE.fit',
      what: `${n} × ${n} item-to-item weights`,
      bytes,
      largestArray: n * n,
      remedy: 'train on fewer items (topItems) or use ALS',
    });
  }

  protected override sibling(options: Record<string, unknown>): EASE {
    return new EASE(options);
  }

  protected override async learnWeights(data: Interactions, params: Readonly<Record<string, unknown>>, cancel: CancelFlag): Promise<ItemWeights> {
    const n = data.nItems;
    const out = allocateFloats(n * n, `EASE's ${n} × ${n} weights`);
    const p = params as EASEParams;
    await easeBackends[p.backend]({ byUser: binaryInteractions(data.byUser), lambda: p.lambda, threads: p.threads, out, cancel: cancel.array });
    return { kind: 'dense', values: out };
  }
}
