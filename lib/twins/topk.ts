/**
 * Pure-TypeScript twin of native/kernels/topk.cc: the same scores (same
 * operations in the same order, rounded to float32 at each step), the same
 * filters and the same ordering, computed one row at a time without BLAS.
 * Test oracle and the pure-JS side of benchmarks.
 */
import type { TopKArgs } from '../addon/topk.js';
import { emitRuledRow, permitted } from '../ruled-selection.js';

const f32 = Math.fround;

export function topkTwin(a: TopKArgs): void {
  const f = a.factors;
  const targets = a.target.length / f;
  const k = a.k;
  const excluded = new Uint8Array(targets);
  if (a.exclude) for (const t of a.exclude) excluded[t] = 1;
  let columns: Int32Array;
  if (a.candidates) {
    columns = a.candidates.filter((t) => excluded[t] === 0);
  } else {
    columns = Int32Array.from({ length: targets }, (_, t) => t).filter((t) => excluded[t] === 0);
  }
  const dropped = new Uint8Array(targets);

  for (let r = 0; r < a.rows.length; r++) {
    const q = a.rows[r]!;
    const filtered: number[] = [];
    if (a.filterIndptr && a.filterIndices) {
      for (let p = a.filterIndptr[q]!; p < a.filterIndptr[q + 1]!; p++) filtered.push(a.filterIndices[p]!);
    }
    if (a.excludeSelf && q < targets) filtered.push(q);
    for (const t of filtered) dropped[t] = 1;

    const rowScale = a.rowScale ? a.rowScale[q]! : 1;
    const add = f32((a.rowOffset ? a.rowOffset[q]! : 0) + a.offset);
    const hasAdd = a.rowOffset !== undefined || a.offset !== 0;
    const offer = (selector: { offer(score: number, index: number): void }): void => {
      for (const t of columns) {
        if (dropped[t] === 1 || !permitted(a.rules, t)) continue;
        let dot = 0;
        for (let p = 0; p < f; p++) dot += a.query[q * f + p]! * a.target[t * f + p]!;
        let s = f32(dot);
        if (a.colScale) s = f32(s * a.colScale[t]!);
        if (a.rowScale) s = f32(s * rowScale);
        if (a.colBias) s = f32(s + a.colBias[t]!);
        if (hasAdd) s = f32(s + add);
        selector.offer(s, t);
      }
    };
    emitRuledRow(a.rules, { vectors: a.target, factors: f }, offer, columns.length, k, a.items, a.scores, r * k);
    for (const t of filtered) dropped[t] = 0;
  }
}
