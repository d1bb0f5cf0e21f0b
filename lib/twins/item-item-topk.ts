/**
 * Pure-TypeScript twin of native/kernels/item_item_topk.cc: the same scores
 * (each product and each addition rounded to float32, in history order), the
 * same filters and the same ordering, one row at a time. Test oracle, the
 * pure-JS side of benchmarks, and (through itemItemScoreRow) the scores an
 * item-to-item model reports for one history row.
 */
import type { ItemItemTopKArgs } from '../addon/item-item-topk.js';
import { emitRuledRow, permitted } from '../ruled-selection.js';

const f32 = Math.fround;

/** What a row's scores depend on: the history and W (dense, or sparse CSR rows). */
export type ItemItemScoreInputs = Pick<
  ItemItemTopKArgs,
  'historyIndptr' | 'historyIndices' | 'historyValues' | 'items' | 'dense' | 'sparseIndptr' | 'sparseIndices' | 'sparseValues'
>;

/**
 * Every item's score for history row `row`, before any filtering:
 * score[j] = Σ_p x_p · W[item_p][j], accumulated in history order in float32,
 * exactly as the native kernel computes it. Writes into `out` when given
 * (items floats), else into a new array.
 */
export function itemItemScoreRow(a: ItemItemScoreInputs, row: number, out?: Float32Array): Float32Array {
  const items = a.items;
  const scores = out ?? new Float32Array(items);
  scores.fill(0);
  for (let p = a.historyIndptr[row]!; p < a.historyIndptr[row + 1]!; p++) {
    const item = a.historyIndices[p]!;
    const x = a.historyValues[p]!;
    if (a.dense) {
      const base = item * items;
      for (let j = 0; j < items; j++) scores[j] = f32(scores[j]! + f32(x * a.dense[base + j]!));
    } else if (a.sparseIndptr && a.sparseIndices && a.sparseValues) {
      for (let n = a.sparseIndptr[item]!; n < a.sparseIndptr[item + 1]!; n++) {
        const j = a.sparseIndices[n]!;
        scores[j] = f32(scores[j]! + f32(x * a.sparseValues[n]!));
      }
    }
  }
  return scores;
}

export function itemItemTopKTwin(a: ItemItemTopKArgs): void {
  const items = a.items;
  const k = a.k;
  const excluded = new Uint8Array(items);
  if (a.exclude) for (const t of a.exclude) excluded[t] = 1;
  const ranked = a.candidates ?? Int32Array.from({ length: items }, (_, t) => t);
  const columns = ranked.filter((t) => excluded[t] === 0);
  const dropped = new Uint8Array(items);
  const scores = new Float32Array(items);

  for (let r = 0; r < a.rows.length; r++) {
    const row = a.rows[r]!;
    itemItemScoreRow(a, row, scores);
    const filtered = a.filterIndptr && a.filterIndices ? a.filterIndices.subarray(a.filterIndptr[row]!, a.filterIndptr[row + 1]!) : new Int32Array(0);
    for (const t of filtered) dropped[t] = 1;
    const similarity = { dense: a.dense, items, sparseIndptr: a.sparseIndptr, sparseIndices: a.sparseIndices, sparseValues: a.sparseValues };
    const offer = (selector: { offer(score: number, index: number): void }): void => {
      for (const t of columns) if (dropped[t] === 0 && permitted(a.rules, t)) selector.offer(scores[t]!, t);
    };
    emitRuledRow(a.rules, similarity, offer, columns.length, k, a.outItems, a.outScores, r * k);
    for (const t of filtered) dropped[t] = 0;
  }
}
