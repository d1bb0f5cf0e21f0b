/**
 * The top-k metrics of ranked lists, summed user by user and averaged, in
 * one place for every evaluator (evaluateRanking, evaluateTopK,
 * evaluateLists): precision, recall, NDCG, MAP and hit rate at k, as
 * docs/metrics.md defines them, and coverage of the catalogue.
 */
export class ListSums {
  private readonly discount: Float64Array;
  private readonly recommended: Uint8Array;
  private sums = { precision: 0, recall: 0, ndcg: 0, map: 0, hits: 0 };
  private user = { hits: 0, dcg: 0, ap: 0 };

  constructor(
    private readonly k: number,
    nItems: number,
  ) {
    this.discount = Float64Array.from({ length: k }, (_, r) => 1 / Math.log2(r + 2));
    this.recommended = new Uint8Array(nItems);
  }

  /** Item `i` stands at 0-based rank `r` of the current user's list; `held` says whether it is one of their held-out items. */
  listed(i: number, r: number, held: boolean): void {
    this.recommended[i] = 1;
    if (!held) return;
    const u = this.user;
    u.hits++;
    u.dcg += this.discount[r]!;
    u.ap += u.hits / (r + 1);
  }

  /** Ends the current user's list; the user had `nHeld` held-out items. */
  endUser(nHeld: number): void {
    const { hits, dcg, ap } = this.user;
    const ideal = Math.min(this.k, nHeld);
    let idcg = 0;
    for (let r = 0; r < ideal; r++) idcg += this.discount[r]!;
    const s = this.sums;
    s.precision += hits / this.k;
    s.recall += hits / nHeld;
    s.ndcg += dcg / idcg;
    s.map += ap / ideal;
    if (hits > 0) s.hits++;
    this.user = { hits: 0, dcg: 0, ap: 0 };
  }

  /** The means over `users` users, and the share of the catalogue listed to anyone. */
  means(users: number): { precision: number; recall: number; ndcg: number; map: number; hitRate: number; coverage: number } {
    const n = this.recommended.length;
    let covered = 0;
    for (let i = 0; i < n; i++) covered += this.recommended[i]!;
    const s = this.sums;
    return {
      precision: s.precision / users,
      recall: s.recall / users,
      ndcg: s.ndcg / users,
      map: s.map / users,
      hitRate: s.hits / users,
      coverage: n > 0 ? covered / n : 0,
    };
  }
}
