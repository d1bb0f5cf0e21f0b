/**
 * The TypeScript twin of native/kernels/ranking_rules.cc: the permit mask,
 * category caps and MMR diversity applied to one row's scored targets, with
 * the same pool, the same arithmetic (double precision, same order) and the
 * same retries with a larger pool. Beside select-top.ts rather than in
 * twins/ because production uses it too: the cold-start fallback ranks
 * popular items under the rules with it. The top-K twins use it as the test
 * oracle of the native rules.
 */
import type { RankingRulesArgs } from './addon/ranking-rules.js';
import { TopSelector } from './select-top.js';

/** What MMR measures similarity with: factor vectors, or item-to-item weights (dense or sparse rows). */
export interface RuleSimilarity {
  vectors?: Float32Array | undefined;
  factors?: number | undefined;
  dense?: Float32Array | undefined;
  items?: number | undefined;
  sparseIndptr?: Int32Array | undefined;
  sparseIndices?: Int32Array | undefined;
  sparseValues?: Float32Array | undefined;
}

/** Whether the permit mask lets target t through. */
export function permitted(rules: RankingRulesArgs | undefined, t: number): boolean {
  return rules?.permit === undefined || ((rules.permit[t >>> 5]! >>> (t & 31)) & 1) === 1;
}

function reranks(rules: RankingRulesArgs | undefined): boolean {
  return rules !== undefined && (rules.category !== undefined || rules.lambda !== undefined);
}

/**
 * Writes one row's k results at `offset` of items/scores. `offer` feeds every
 * target the row may rank (filters and permit mask already applied) into a
 * selector; `columns` is the number of ranked columns (candidates minus
 * exclusions), which bounds the pool as in the kernel.
 */
export function emitRuledRow(
  rules: RankingRulesArgs | undefined,
  sim: RuleSimilarity,
  offer: (selector: TopSelector) => void,
  columns: number,
  k: number,
  items: Int32Array,
  scores: Float32Array,
  offset: number,
): void {
  let capacity = Math.min(columns, reranks(rules) ? Math.max(k, rules!.pool) : k);
  for (;;) {
    const selector = new TopSelector(capacity);
    offer(selector);
    if (!reranks(rules)) {
      selector.drain(items, scores, offset, k);
      return;
    }
    const poolItems = new Int32Array(Math.max(capacity, 1));
    const poolScores = new Float32Array(Math.max(capacity, 1));
    const m = selector.drain(poolItems, poolScores, 0, 0);
    const n = m === 0 ? 0 : pick(rules!, sim, poolItems.subarray(0, m), poolScores.subarray(0, m), k, items, scores, offset);
    items.fill(-1, offset + n, offset + k);
    scores.fill(-Infinity, offset + n, offset + k);
    const complete = m < capacity || capacity >= columns;
    if (n === k || complete) return;
    capacity = Math.min(columns, Math.max(capacity, 1) * 8);
  }
}

function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, n: number): number {
  let s = 0;
  for (let p = 0; p < n; p++) s += a[ai + p]! * b[bi + p]!;
  return s;
}

function sparseWeight(sim: RuleSimilarity, a: number, b: number): number {
  for (let e = sim.sparseIndptr![a]!; e < sim.sparseIndptr![a + 1]!; e++) if (sim.sparseIndices![e] === b) return sim.sparseValues![e]!;
  return 0;
}

/** Greedy picks from the sorted pool: caps, and MMR when asked; returns their count. */
function pick(
  rules: RankingRulesArgs,
  sim: RuleSimilarity,
  pool: Int32Array,
  poolScores: Float32Array,
  k: number,
  items: Int32Array,
  scores: Float32Array,
  offset: number,
): number {
  const m = pool.length;
  const used = new Int32Array(rules.caps?.length ?? 0);
  const category = rules.category;
  const capped = (i: number): boolean => {
    if (category === undefined) return false;
    const c = category[pool[i]!]!;
    return c >= 0 && used[c]! >= rules.caps![c]!;
  };
  const take = (i: number, n: number): void => {
    if (category !== undefined && category[pool[i]!]! >= 0) used[category[pool[i]!]!]!++;
    items[offset + n] = pool[i]!;
    scores[offset + n] = poolScores[i]!;
  };
  let n = 0;
  if (rules.lambda === undefined) {
    for (let i = 0; i < m && n < k; i++) {
      if (capped(i)) continue;
      take(i, n++);
    }
    return n;
  }
  const hi = poolScores[0]!;
  const lo = poolScores[m - 1]!;
  const rel = Float64Array.from(poolScores, (s) => (hi > lo ? (s - lo) / (hi - lo) : 1));
  const maxSim = new Float64Array(m).fill(-Infinity);
  const taken = new Uint8Array(m);
  const f = sim.factors ?? 0;
  const norm = new Float64Array(m);
  if (sim.vectors !== undefined) {
    for (let i = 0; i < m; i++) {
      const sq = dot(sim.vectors, pool[i]! * f, sim.vectors, pool[i]! * f, f);
      norm[i] = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    }
  }
  const similarity = (i: number, j: number): number => {
    const a = pool[i]!;
    const b = pool[j]!;
    if (sim.vectors !== undefined) return dot(sim.vectors, a * f, sim.vectors, b * f, f) * norm[i]! * norm[j]!;
    if (sim.dense !== undefined) return Math.max(sim.dense[a * sim.items! + b]!, sim.dense[b * sim.items! + a]!);
    return Math.max(sparseWeight(sim, a, b), sparseWeight(sim, b, a));
  };
  const lambda = rules.lambda;
  while (n < k) {
    let best = m;
    let bestValue = 0;
    for (let i = 0; i < m; i++) {
      if (taken[i] === 1 || capped(i)) continue;
      const value = n === 0 ? lambda * rel[i]! : lambda * rel[i]! - (1 - lambda) * maxSim[i]!;
      if (best === m || value > bestValue) {
        best = i;
        bestValue = value;
      }
    }
    if (best === m) break;
    taken[best] = 1;
    take(best, n++);
    for (let i = 0; i < m; i++) if (taken[i] === 0) maxSim[i] = Math.max(maxSim[i]!, similarity(best, i));
  }
  return n;
}
