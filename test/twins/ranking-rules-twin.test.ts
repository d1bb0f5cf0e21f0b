import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/random.js';
import type { RankingRulesArgs } from '../../lib/addon/ranking-rules.js';
import { itemItemTopKBinding, type ItemItemTopKArgs } from '../../lib/addon/item-item-topk.js';
import { topkBinding, type TopKArgs } from '../../lib/addon/topk.js';
import { itemItemTopKTwin } from '../../lib/twins/item-item-topk.js';
import { topkTwin } from '../../lib/twins/topk.js';

/** Random rules over `targets` targets: some of permit mask, category caps, diversity. */
function randomRules(rng: Rng, targets: number): RankingRulesArgs {
  const rules: RankingRulesArgs = { pool: 1 + rng.below(12) };
  if (rng.uniform() < 0.7) {
    const permit = new Int32Array(Math.ceil(targets / 32));
    // Often nearly everything (whole words of permitted targets, as in-stock sets), else any share.
    const share = rng.uniform() < 0.3 ? 0.97 + 0.03 * rng.uniform() : rng.uniform();
    for (let t = 0; t < targets; t++) if (rng.uniform() < share) permit[t >>> 5] |= 1 << (t & 31);
    rules.permit = permit;
  }
  if (rng.uniform() < 0.6) {
    const codes = 1 + rng.below(5);
    rules.category = Int32Array.from({ length: targets }, () => rng.below(codes + 1) - 1);
    rules.caps = Int32Array.from({ length: codes }, () => rng.below(4));
  }
  if (rng.uniform() < 0.5) rules.lambda = [0, 0.3, 0.5, 0.7, 1][rng.below(5)]!;
  return rules;
}

/** Sorted distinct random subset of 0 .. n. */
function subset(rng: Rng, n: number, share: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i).filter(() => rng.uniform() < share);
}

function factorCase(seed: number): TopKArgs {
  const rng = new Rng(seed);
  const users = 1 + rng.below(6);
  const items = 1 + rng.below(200);
  const f = 1 + rng.below(6);
  // Small integers: exact float sums whatever the order, and many ties.
  const draw = () => rng.below(5) - 2;
  const indptr = new Int32Array(users + 1);
  const indices: number[] = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) if (rng.uniform() < 0.2) indices.push(i);
    indptr[u + 1] = indices.length;
  }
  const rows = Int32Array.from({ length: 1 + rng.below(8) }, () => rng.below(users));
  const k = 1 + rng.below(12);
  return {
    query: Float32Array.from({ length: users * f }, draw),
    rows,
    offset: 0,
    target: Float32Array.from({ length: items * f }, draw),
    factors: f,
    filterIndptr: rng.uniform() < 0.5 ? indptr : undefined,
    filterIndices: Int32Array.from(indices),
    excludeSelf: false,
    exclude: rng.uniform() < 0.3 ? subset(rng, items, 0.2) : undefined,
    candidates: rng.uniform() < 0.3 ? subset(rng, items, 0.6) : undefined,
    rules: randomRules(rng, items),
    k,
    threads: 2,
    items: new Int32Array(rows.length * k),
    scores: new Float32Array(rows.length * k),
  };
}

function itemItemCase(seed: number): ItemItemTopKArgs {
  const rng = new Rng(seed);
  const users = 1 + rng.below(6);
  const items = 1 + rng.below(60);
  const indptr = new Int32Array(users + 1);
  const indices: number[] = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) if (rng.uniform() < 0.15) indices.push(i);
    indptr[u + 1] = indices.length;
  }
  const history = { historyIndptr: indptr, historyIndices: Int32Array.from(indices), historyValues: new Float32Array(indices.length).fill(1) };
  let w: Partial<ItemItemTopKArgs>;
  if (rng.uniform() < 0.5) {
    w = { dense: Float32Array.from({ length: items * items }, () => rng.below(7) - 3) };
  } else {
    const wp = new Int32Array(items + 1);
    const wi: number[] = [];
    for (let i = 0; i < items; i++) {
      const row = new Set<number>();
      const per = Math.max(1, items >> 2);
      while (row.size < per) row.add(rng.below(items));
      wi.push(...row);
      wp[i + 1] = wi.length;
    }
    w = { sparseIndptr: wp, sparseIndices: Int32Array.from(wi), sparseValues: Float32Array.from(wi, () => rng.below(7) - 3) };
  }
  const rows = Int32Array.from({ length: 1 + rng.below(8) }, () => rng.below(users));
  const k = 1 + rng.below(12);
  return {
    ...history,
    rows,
    items,
    ...w,
    filterIndptr: rng.uniform() < 0.5 ? indptr : undefined,
    filterIndices: Int32Array.from(indices),
    exclude: rng.uniform() < 0.3 ? subset(rng, items, 0.2) : undefined,
    candidates: rng.uniform() < 0.3 ? subset(rng, items, 0.6) : undefined,
    rules: randomRules(rng, items),
    k,
    threads: 2,
    outItems: new Int32Array(rows.length * k),
    outScores: new Float32Array(rows.length * k),
  };
}

/** "Best first, skipping an item whose category is full" over every qualifying target, fully sorted. */
function greedyCaps(items: Int32Array, scores: Float32Array, category: Int32Array, caps: Int32Array, k: number): number[] {
  const order = Array.from(items.keys())
    .filter((j) => items[j]! >= 0)
    .sort((a, b) => scores[b]! - scores[a]! || items[a]! - items[b]!);
  const used = new Int32Array(caps.length);
  const out: number[] = [];
  for (const j of order) {
    const c = category[items[j]!]!;
    if (c >= 0 && used[c]! >= caps[c]!) continue;
    if (c >= 0) used[c]!++;
    out.push(items[j]!);
    if (out.length === k) break;
  }
  return out;
}

describe('ranking rules: native kernel against its TypeScript twin', () => {
  it('factor top-K: permit mask, caps, diversity, with filters and candidates, on random cases', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const a = factorCase(seed);
      const twin = { ...a, items: new Int32Array(a.items.length), scores: new Float32Array(a.scores.length) };
      topkBinding().topkSync(a);
      topkTwin(twin);
      expect([seed, Array.from(a.items)]).toEqual([seed, Array.from(twin.items)]);
      expect(Array.from(a.scores)).toEqual(Array.from(twin.scores));
    }
  });

  it('item-to-item top-K (dense and sparse W): the same, on random cases', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const a = itemItemCase(seed);
      const twin = { ...a, outItems: new Int32Array(a.outItems.length), outScores: new Float32Array(a.outScores.length) };
      itemItemTopKBinding().itemItemTopKSync(a);
      itemItemTopKTwin(twin);
      expect([seed, Array.from(a.outItems)]).toEqual([seed, Array.from(twin.outItems)]);
      expect(Array.from(a.outScores)).toEqual(Array.from(twin.outScores));
    }
  });

  it('the asynchronous call gives the synchronous call results', async () => {
    const a = factorCase(7);
    const b = { ...a, items: new Int32Array(a.items.length), scores: new Float32Array(a.scores.length) };
    topkBinding().topkSync(a);
    await topkBinding().topk(b);
    expect(Array.from(b.items)).toEqual(Array.from(a.items));
  });
});

describe('ranking rules: what they mean', () => {
  it('category caps equal the greedy pass over the full ranking, also when the first pool falls short', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const a = factorCase(seed * 31);
      const items = a.target.length / a.factors;
      const rng = new Rng(seed);
      // One dominant category capped at 1: the first pool (k entries) is mostly that category.
      const category = Int32Array.from({ length: items }, () => (rng.uniform() < 0.8 ? 0 : -1 + rng.below(3)));
      const caps = Int32Array.of(1, 2);
      const capped = { ...a, rules: { pool: 1, category, caps } };
      topkBinding().topkSync(capped);
      const all = { ...a, rules: undefined, k: items, items: new Int32Array(a.rows.length * items), scores: new Float32Array(a.rows.length * items) };
      topkBinding().topkSync(all);
      for (let r = 0; r < a.rows.length; r++) {
        const expected = greedyCaps(all.items.subarray(r * items, (r + 1) * items), all.scores.subarray(r * items, (r + 1) * items), category, caps, a.k);
        const got = Array.from(capped.items.subarray(r * a.k, (r + 1) * a.k)).filter((i) => i >= 0);
        expect([seed, r, got]).toEqual([seed, r, expected]);
      }
    }
  });

  it('a permit mask gives the ranking of its items as candidates', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const a = factorCase(seed);
      const items = a.target.length / a.factors;
      const rng = new Rng(seed + 1000);
      const allowed = subset(rng, items, 0.5);
      const permit = new Int32Array(Math.ceil(items / 32));
      for (const t of allowed) permit[t >>> 5] |= 1 << (t & 31);
      const masked = { ...a, candidates: undefined, rules: { pool: 0, permit } };
      const listed = { ...a, candidates: allowed, rules: undefined, items: new Int32Array(a.items.length), scores: new Float32Array(a.scores.length) };
      topkBinding().topkSync(masked);
      topkBinding().topkSync(listed);
      expect(Array.from(masked.items)).toEqual(Array.from(listed.items));
    }
  });

  it('diversity with lambda 1 keeps the ranking by score; with lambda 0 it never picks a copy of a picked item first', () => {
    const f = 2;
    // Items 0 and 1 point the same way (cosine 1), item 2 elsewhere; scores 3, 2.9, 1.
    const target = Float32Array.of(3, 0, 2.9, 0, 0, 1);
    const base: TopKArgs = {
      query: Float32Array.of(1, 0.0),
      rows: Int32Array.of(0),
      offset: 0,
      target,
      factors: f,
      excludeSelf: false,
      k: 2,
      threads: 1,
      items: new Int32Array(2),
      scores: new Float32Array(2),
    };
    const plain = { ...base, rules: { pool: 3, lambda: 1 }, items: new Int32Array(2) };
    topkBinding().topkSync(plain);
    expect(Array.from(plain.items)).toEqual([0, 1]);
    const diverse = { ...base, rules: { pool: 3, lambda: 0.5 }, items: new Int32Array(2) };
    topkBinding().topkSync(diverse);
    expect(Array.from(diverse.items)).toEqual([0, 2]);
  });

  it('rules that do not fit the catalogue are refused with a typed error', () => {
    const a = factorCase(3);
    const items = a.target.length / a.factors;
    expect(() => topkBinding().topkSync({ ...a, rules: { pool: 0, permit: new Int32Array(Math.ceil(items / 32) + 1) } })).toThrow(
      expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }),
    );
    expect(() => topkBinding().topkSync({ ...a, rules: { pool: 0, category: new Int32Array(items).fill(3), caps: Int32Array.of(1) } })).toThrow(
      expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT', message: expect.stringMatching(/category code 3/) }),
    );
    expect(() => topkBinding().topkSync({ ...a, rules: { pool: 0, lambda: 2 } })).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
  });
});
