/**
 * The cold-start fallback under compiled rules: the popular items the rules
 * let through, capped and diversified as the native kernels do (through the
 * rules' TypeScript twin, lib/ruled-selection.ts: same steps, same order),
 * so a cold user sees the same business rules as a known one.
 */
import { emitRuledRow, permitted, type RuleSimilarity } from '../../ruled-selection.js';
import type { FactorState } from './factor-state.js';
import { rulesArgs } from './ranking-rules.js';
import type { ResolvedRecommendOptions } from './recommend-options.js';

/** Writes the `width` most popular items that pass the filters and `o.rules` into items/scores at `offset`. */
export function rankPopularUnderRules(
  s: FactorState,
  o: ResolvedRecommendOptions,
  items: Int32Array,
  scores: Float32Array,
  offset: number,
  width: number,
): void {
  const rules = rulesArgs(o.rules, width);
  const n = s.items.size;
  const excluded = new Uint8Array(n);
  if (o.exclude !== undefined) for (const t of o.exclude) excluded[t] = 1;
  const ranked = o.candidates ?? Int32Array.from({ length: n }, (_, t) => t);
  const columns = ranked.filter((t) => excluded[t] === 0);
  emitRuledRow(
    rules,
    similarityOf(s),
    (selector) => {
      for (const t of columns) if (permitted(rules, t)) selector.offer(s.itemPopularity[t]!, t);
    },
    columns.length,
    width,
    items,
    scores,
    offset,
  );
}

/** What diversity compares items with: their factors, or the item-to-item weights. */
function similarityOf(s: FactorState): RuleSimilarity {
  const w = s.weights;
  if (w === undefined) return { vectors: s.itemFactors, factors: s.factors };
  if (w.kind === 'dense') return { dense: w.values, items: s.items.size };
  return { sparseIndptr: w.indptr, sparseIndices: w.indices, sparseValues: w.values, items: s.items.size };
}
