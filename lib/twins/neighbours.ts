/**
 * Pure-TypeScript twin of native/kernels/neighbours.cc: the same sparse
 * product row by row, with every operation rounded to float32 in the
 * kernel's order (dot accumulated over users in increasing order, then the
 * shrinkage factor, then the column scale), so the scores agree bit for bit
 * and the neighbours are the same. Test oracle and the pure-JS side of
 * benchmarks.
 */
import type { NeighboursArgs } from '../addon/item-item-fit.js';
import { TopSelector } from '../select-top.js';

const f32 = Math.fround;

export function itemNeighboursTwin(args: NeighboursArgs): void {
  const a = args.byItem;
  const b = args.byUser;
  const n = a.rows;
  const k = args.k;
  const shrink = f32(args.shrink);
  const dot = new Float32Array(n);
  const count = new Int32Array(n);
  const touched: number[] = [];
  const selector = new TopSelector(k);
  for (let i = 0; i < n; i++) {
    for (let e = a.indptr[i]!; e < a.indptr[i + 1]!; e++) {
      const u = a.indices[e]!;
      const aiu = a.values[e]!;
      for (let q = b.indptr[u]!; q < b.indptr[u + 1]!; q++) {
        const j = b.indices[q]!;
        if (j === i) continue;
        if (count[j]!++ === 0) touched.push(j);
        dot[j] = f32(dot[j]! + f32(aiu * b.values[q]!));
      }
    }
    for (const j of touched) {
      let s = dot[j]!;
      if (shrink > 0) {
        const c = count[j]!;
        s = f32(s * f32(c / f32(c + shrink)));
      }
      if (args.colScale) s = f32(s * args.colScale[j]!);
      dot[j] = 0;
      count[j] = 0;
      if (s > 0) selector.offer(s, j);
    }
    touched.length = 0;
    const kept = selector.drain(args.outIndices, args.outScores, i * k, k);
    args.outScores.fill(0, i * k + kept, (i + 1) * k);
  }
}
