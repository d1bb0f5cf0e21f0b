/**
 * The item metadata a model holds (item-catalog.ts) and the business rules
 * compiled against its catalogue (ranking-rules.ts): Recommender extends
 * this. See docs/rules.md.
 */
import type { RawId } from '../../data/id-map.js';
import { ItemCatalog, type ItemMetadata, type ItemMetadataInput } from './item-catalog.js';
import { compileRankingRules, type RankingRules, type RankingRulesSpec } from './ranking-rules.js';
import { StateReads } from './state-reads.js';

export abstract class CatalogReads extends StateReads {
  protected catalog = new ItemCatalog();

  /**
   * Replaces the item metadata (name, category, price, any small JSON per
   * item; see {@link ItemCatalog}) with `entries`: a Map by item id, or an
   * array of `{ item, ...metadata }`. Saved with the model, kept by fit and
   * partial fits (metadata belongs to item ids), dropped by forgetItem.
   * Checked as a whole: an invalid entry changes nothing.
   */
  setItemMetadata(entries: ItemMetadataInput): this {
    this.catalog.set(entries, 'setItemMetadata');
    return this;
  }

  /**
   * Merges fields into the item metadata in memory (stock, price changes),
   * without touching any file: each given field replaces that field, null
   * removes it. Rules compiled before keep what they read; compile again to
   * see the change.
   */
  updateItemMetadata(entries: ItemMetadataInput): this {
    this.catalog.update(entries, 'updateItemMetadata');
    return this;
  }

  /** The metadata of `item` (a copy), or undefined when it has none. */
  itemMetadata(item: RawId): ItemMetadata | undefined {
    return this.catalog.get(item);
  }

  /** The model's item metadata itself, for reading and updating in place. */
  get itemCatalog(): ItemCatalog {
    return this.catalog;
  }

  /**
   * Compiles business rules once for this model's catalogue, to pass as
   * `rules` to recommend, recommendBatch, recommendAll, similarItems and
   * similarItemsBatch: allowed items and exclusions as a bitmask, category
   * caps from the metadata's `category`, diversity (MMR). See
   * {@link RankingRulesSpec} and docs/rules.md. Rules are refused by a model
   * with another catalogue, including this one after its items changed.
   */
  compileRules(spec: RankingRulesSpec): RankingRules {
    return compileRankingRules(this.fitted().items, this.catalog, spec);
  }
}
