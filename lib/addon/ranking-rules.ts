/**
 * The compiled business rules both top-K bindings take as their optional
 * `rules` argument (native/kernels/ranking_rules.h). Built by
 * lib/models/base/ranking-rules.ts; the binding checks lengths, the kernel
 * index ranges.
 */
export interface RankingRulesArgs {
  /** Bit t (word t >> 5, bit t & 31) set: target t may be returned. ceil(targets / 32) words. */
  permit?: Int32Array | undefined;
  /** Category code per target (−1: no cap), with `caps`: at most caps[code] results of one code. */
  category?: Int32Array | undefined;
  caps?: Int32Array | undefined;
  /** Diversity (MMR) weight on relevance, in [0, 1]; absent: no diversity. */
  lambda?: number | undefined;
  /** Candidates that caps and diversity re-rank (the kernel keeps at least k). */
  pool: number;
}
