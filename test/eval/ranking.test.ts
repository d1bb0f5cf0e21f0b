import { describe, expect, it } from 'vitest';
import { IdMap, Interactions, evaluateRanking, MfrecError } from '../../lib/index.js';

/** Train and test over shared id maps, items i0..i(n-1) in index order. */
function split(nItems: number, train: [string, number][], test: [string, number][]) {
  const items = new IdMap(Array.from({ length: nItems }, (_, i) => `i${i}`));
  const users = new IdMap();
  const t = Interactions.fromArrays(
    train.map((e) => e[0]),
    train.map((e) => `i${e[1]}`),
    { users, items },
  );
  const h = Interactions.fromArrays(
    test.map((e) => e[0]),
    test.map((e) => `i${e[1]}`),
    { users, items },
  );
  return { train: t, test: h };
}

const scorer = (table: Record<number, number[]>) => (u: number, out: Float32Array) => out.set(table[u]!);

describe('evaluateRanking', () => {
  it('computes every metric for a hand-worked single user', () => {
    // Item 0 is a training item (filtered despite the top score). Candidates by
    // score: i2 (6), i1 (5), i4 (4), i3 (1), i5 (0); held out: i1, i3.
    const { train, test } = split(
      6,
      [['a', 0]],
      [
        ['a', 1],
        ['a', 3],
      ],
    );
    const m = evaluateRanking(scorer({ 0: [10, 5, 6, 1, 4, 0] }), train, test, { k: 3 });
    // top 3 = [i2, i1, i4]: one hit at rank 2
    expect(m.precision).toBeCloseTo(1 / 3, 12);
    expect(m.recall).toBeCloseTo(1 / 2, 12);
    const dcg = 1 / Math.log2(3);
    expect(m.ndcg).toBeCloseTo(dcg / (1 + 1 / Math.log2(3)), 12);
    expect(m.map).toBeCloseTo(1 / 2 / 2, 12); // precision 1/2 at the hit, over min(3, 2)
    // pairs (held-out, other candidate): i1 beats i4, i5 but not i2; i3 beats i5 only
    expect(m.auc).toBeCloseTo(3 / 6, 12);
    expect(m.hitRate).toBe(1);
    expect(m.coverage).toBeCloseTo(3 / 6, 12);
    expect(m.users).toBe(1);
    expect(m.k).toBe(3);
  });

  it('divides precision by k even when fewer items are held out, and averages over users', () => {
    const { train, test } = split(
      5,
      [
        ['a', 0],
        ['b', 4],
      ],
      [
        ['a', 1],
        ['b', 2],
        ['b', 3],
        ['c', 0],
      ],
    );
    // user c has no training row: all 5 items are candidates
    const m = evaluateRanking(scorer({ 0: [0, 9, 8, 7, 6], 1: [9, 8, 7, 6, 5], 2: [1, 0, 0, 0, 0] }), train, test, { k: 2 });
    // a: top [i1, i2], hits 1 → p 1/2, r 1, ndcg 1, ap 1
    // b: top [i0, i1], hits 0
    // c: top [i0, i1], hit i0 at rank 1 → p 1/2, r 1, ndcg 1, ap 1
    expect(m.users).toBe(3);
    expect(m.precision).toBeCloseTo((1 / 2 + 0 + 1 / 2) / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.ndcg).toBeCloseTo(2 / 3, 12);
    expect(m.map).toBeCloseTo(2 / 3, 12);
    expect(m.hitRate).toBeCloseTo(2 / 3, 12);
    expect(m.coverage).toBeCloseTo(3 / 5, 12); // i0, i1, i2
    // AUC: a: i1 beats i2, i3, i4 → 1; b: i2 (7), i3 (6) vs i0 (9), i1 (8) → 0; c: i0 beats all → 1
    expect(m.auc).toBeCloseTo(2 / 3, 12);
  });

  it('normalises NDCG and MAP by min(k, held-out) and counts ties as half in AUC', () => {
    const { train, test } = split(
      4,
      [],
      [
        ['a', 2],
        ['a', 3],
      ],
    );
    // all scores equal: top 2 by index = [i0, i1], no hits; AUC 0.5
    const flat = evaluateRanking(scorer({ 0: [1, 1, 1, 1] }), train, test, { k: 2 });
    expect(flat.precision).toBe(0);
    expect(flat.auc).toBeCloseTo(0.5, 12);
    // hits at ranks 1 and 3 with k = 3, two held out: AP = (1/1 + 2/3) / 2
    const m = evaluateRanking(scorer({ 0: [3, 1, 4, 2] }), train, test, { k: 3 });
    expect(m.map).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(m.ndcg).toBeCloseTo((1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3)), 12);
    expect(m.auc).toBeCloseTo(3 / 4, 12); // i2 beats i0, i1; i3 beats i1
  });

  it('ranks NaN scores last and ignores held-out items that are also training items', () => {
    const { train, test } = split(
      4,
      [['a', 0]],
      [
        ['a', 0],
        ['a', 1],
      ],
    );
    const m = evaluateRanking(scorer({ 0: [5, NaN, 1, 2] }), train, test, { k: 1 });
    expect(m.precision).toBe(0); // top 1 is i3; i1 (NaN) is last
    expect(m.recall).toBe(0); // only i1 counts as held out
    expect(m.auc).toBe(0);
    expect(m.users).toBe(1);
  });

  it('rejects bad input with stable codes', () => {
    const { train, test } = split(3, [['a', 0]], [['a', 1]]);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(MfrecError);
        return (e as MfrecError).code;
      }
      return 'no error';
    };
    const s = scorer({ 0: [0, 1, 2] });
    expect(code(() => evaluateRanking('x' as never, train, test))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code(() => evaluateRanking(s, {} as never, test))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code(() => evaluateRanking(s, train, null as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    const other = Interactions.fromArrays(['a'], ['i1']);
    expect(code(() => evaluateRanking(s, train, other))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code(() => evaluateRanking(s, train, test, { k: 0 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code(() => evaluateRanking(s, train, test, { k: 2.5 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code(() => evaluateRanking(s, train, test, { K: 5 } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
    const onlyTrain = split(3, [['a', 0]], [['a', 0]]);
    expect(code(() => evaluateRanking(s, onlyTrain.train, onlyTrain.test))).toBe('ERR_MFREC_EMPTY_DATA');
  });
});
