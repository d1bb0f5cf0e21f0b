/**
 * The native item-to-item ranking kernel (native/kernels/item_item_topk.h)
 * as TypeScript sees it; its twin is lib/twins/item-item-topk.ts. Callers
 * validate everything first; the binding checks array types and lengths,
 * the kernel index ranges.
 */
import { bindingOf } from './loader.js';
import type { RankingRulesArgs } from './ranking-rules.js';

/**
 * One ranking request for an item-to-item model. Query row q's history is
 * the CSR row q of (historyIndptr, historyIndices, historyValues): item
 * indices with their weights x. Its score of target item j is
 *
 *   score(q, j) = Σ_p x_p · W[item_p][j]
 *
 * accumulated in history order in float32, where W is either dense
 * (`dense`, items × items, row-major) or sparse (`sparse*`: CSR rows of
 * neighbours, any order within a row; a target absent from every history
 * item's row scores 0). Filtering, candidates, exclusions, the ordering
 * (decreasing score, ties to the lower index, NaN never kept) and the
 * padding (−1 / −Infinity) are those of the factor top-K kernel.
 */
export interface ItemItemTopKArgs {
  historyIndptr: Int32Array;
  historyIndices: Int32Array;
  historyValues: Float32Array;
  /** History rows to answer, in output order. */
  rows: Int32Array;
  /** Number of items (targets). */
  items: number;
  dense?: Float32Array | undefined;
  sparseIndptr?: Int32Array | undefined;
  sparseIndices?: Int32Array | undefined;
  sparseValues?: Float32Array | undefined;
  /** Per-history-row targets to drop (CSR over history rows, sorted rows): the "seen" filter. */
  filterIndptr?: Int32Array | undefined;
  filterIndices?: Int32Array | undefined;
  /** Targets never returned, strictly increasing. */
  exclude?: Int32Array | undefined;
  /** Only these targets are ranked, strictly increasing. */
  candidates?: Int32Array | undefined;
  /** Compiled business rules (permit mask, category caps, diversity). */
  rules?: RankingRulesArgs | undefined;
  k: number;
  /** 0 = all hardware threads. */
  threads: number;
  /** Outputs, rows.length × k each. */
  outItems: Int32Array;
  outScores: Float32Array;
  cancel?: Int32Array | undefined;
}

export interface ItemItemTopKBinding {
  itemItemTopKSync(args: ItemItemTopKArgs): void;
  itemItemTopK(args: ItemItemTopKArgs): Promise<void>;
}

export const itemItemTopKBinding = bindingOf<ItemItemTopKBinding>({ sync: ['itemItemTopKSync'], async: ['itemItemTopK'] });
