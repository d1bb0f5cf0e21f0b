/**
 * The native top-K kernel (native/kernels/topk.h) as TypeScript sees it.
 * Callers validate everything first; the binding only checks array types
 * and lengths, the kernel index ranges.
 */
import { bindingOf } from './loader.js';
import type { RankingRulesArgs } from './ranking-rules.js';

/**
 * One top-K request. Score of query row q against target t:
 * `((dot(query[q], target[t]) * colScale[t]) * rowScale[q]) + colBias[t] + (rowOffset[q] + offset)`,
 * absent arrays leaving the score unchanged.
 */
export interface TopKArgs {
  /** Query vectors, row-major, `factors` floats per row. */
  query: Float32Array;
  /** Query rows to answer, in output order. */
  rows: Int32Array;
  rowScale?: Float32Array | undefined;
  rowOffset?: Float32Array | undefined;
  offset: number;
  /** Target vectors, row-major. */
  target: Float32Array;
  factors: number;
  colScale?: Float32Array | undefined;
  colBias?: Float32Array | undefined;
  /** Per-query-row targets to drop (CSR over query rows, sorted rows): the "seen" filter. */
  filterIndptr?: Int32Array | undefined;
  filterIndices?: Int32Array | undefined;
  /** Drop target q for query row q (similarity within one matrix). */
  excludeSelf: boolean;
  /** Targets never returned, strictly increasing. */
  exclude?: Int32Array | undefined;
  /** Only these targets are ranked, strictly increasing. */
  candidates?: Int32Array | undefined;
  /** Compiled business rules (permit mask, category caps, diversity). */
  rules?: RankingRulesArgs | undefined;
  k: number;
  /** 0 = all hardware threads. */
  threads: number;
  /** Outputs, rows.length * k each: target indices (−1 padding) and scores (−Infinity padding). */
  items: Int32Array;
  scores: Float32Array;
  /** Cancellation flag (async call only). */
  cancel?: Int32Array | undefined;
}

export interface TopKBinding {
  topkSync(args: TopKArgs): void;
  topk(args: TopKArgs): Promise<void>;
}

export const topkBinding = bindingOf<TopKBinding>({ sync: ['topkSync'], async: ['topk'] });
