import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/random.js';
import { topkBinding, type TopKArgs } from '../../lib/addon/topk.js';
import { TopSelector } from '../../lib/select-top.js';
import { topkTwin } from '../../lib/twins/topk.js';

interface Problem {
  users: number;
  items: number;
  f: number;
  u: Float32Array;
  v: Float32Array;
  indptr: Int32Array;
  indices: Int32Array;
}

function problem(seed: number, users: number, items: number, f: number, integers = false): Problem {
  const rng = new Rng(seed);
  const draw = () => (integers ? rng.below(5) - 2 : rng.uniform() * 2 - 1);
  const u = Float32Array.from({ length: users * f }, draw);
  const v = Float32Array.from({ length: items * f }, draw);
  const indptr = new Int32Array(users + 1);
  const indices: number[] = [];
  for (let r = 0; r < users; r++) {
    for (let i = 0; i < items; i++) if (rng.uniform() < 0.3) indices.push(i);
    indptr[r + 1] = indices.length;
  }
  return { users, items, f, u, v, indptr, indices: Int32Array.from(indices) };
}

function floats(seed: number, n: number, lo: number, hi: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
}

function args(p: Problem, rows: number[], k: number, extra: Partial<TopKArgs> = {}): TopKArgs {
  return {
    query: p.u,
    rows: Int32Array.from(rows),
    offset: 0,
    target: p.v,
    factors: p.f,
    excludeSelf: false,
    k,
    threads: 2,
    items: new Int32Array(rows.length * k),
    scores: new Float32Array(rows.length * k),
    ...extra,
  };
}

function fresh(a: TopKArgs): TopKArgs {
  return { ...a, items: new Int32Array(a.items.length), scores: new Float32Array(a.scores.length) };
}

/** Every qualifying target scored in double precision, fully sorted. */
function bruteForce(a: TopKArgs): { items: Int32Array; scores: Float32Array } {
  const f = a.factors;
  const targets = a.target.length / f;
  const items = new Int32Array(a.rows.length * a.k).fill(-1);
  const scores = new Float32Array(a.rows.length * a.k).fill(-Infinity);
  a.rows.forEach((q, r) => {
    const all: Array<[number, number]> = [];
    for (let t = 0; t < targets; t++) {
      if (a.candidates && !a.candidates.includes(t)) continue;
      if (a.exclude?.includes(t)) continue;
      if (a.filterIndptr && a.filterIndices!.subarray(a.filterIndptr[q]!, a.filterIndptr[q + 1]!).includes(t)) continue;
      if (a.excludeSelf && t === q) continue;
      let s = 0;
      for (let p = 0; p < f; p++) s += a.query[q * f + p]! * a.target[t * f + p]!;
      if (a.colScale) s *= a.colScale[t]!;
      if (a.rowScale) s *= a.rowScale[q]!;
      if (a.colBias) s += a.colBias[t]!;
      s += (a.rowOffset ? a.rowOffset[q]! : 0) + a.offset;
      if (!Number.isNaN(s)) all.push([s, t]);
    }
    all.sort((x, y) => y[0] - x[0] || x[1] - y[1]);
    all.slice(0, a.k).forEach(([s, t], i) => {
      items[r * a.k + i] = t;
      scores[r * a.k + i] = s;
    });
  });
  return { items, scores };
}

/** Same items, except where scores agree within rounding (near ties may swap); same padding. */
function expectSameRanking(a: { items: Int32Array; scores: Float32Array }, b: { items: Int32Array; scores: Float32Array }) {
  expect(a.items.length).toBe(b.items.length);
  for (let i = 0; i < a.items.length; i++) {
    if (a.items[i] === -1 || b.items[i] === -1) {
      expect([i, a.items[i]]).toEqual([i, b.items[i]]);
      continue;
    }
    // Equal items must have equal scores; different items only where the scores tie within rounding.
    expect(Math.abs(a.scores[i]! - b.scores[i]!)).toBeLessThan(1e-4);
  }
}

function runAll(a: TopKArgs) {
  const nat = fresh(a);
  topkBinding().topkSync(nat);
  const twin = fresh(a);
  topkTwin(twin);
  const brute = bruteForce(a);
  expectSameRanking(nat, brute);
  expectSameRanking(twin, brute);
  return { nat, twin, brute };
}

describe('native top-K vs twin vs brute force', () => {
  it('plain dot products over several blocks and tiles', () => {
    const p = problem(1, 140, 2100, 8);
    runAll(
      args(
        p,
        Array.from({ length: 140 }, (_, i) => i),
        10,
      ),
    );
  });

  it('seen filter, exclusions, bias, scales and offsets', () => {
    const p = problem(2, 40, 700, 5);
    runAll(
      args(p, [3, 0, 39, 3, 17], 9, {
        filterIndptr: p.indptr,
        filterIndices: p.indices,
        exclude: Int32Array.of(0, 5, 350, 699),
        colBias: floats(3, 700, -1, 1),
        colScale: floats(4, 700, 0.5, 1.5),
        rowScale: floats(5, 40, 0.5, 1.5),
        rowOffset: floats(6, 40, -1, 1),
        offset: 3.25,
      }),
    );
  });

  it('candidates rank only that subset, minus exclusions and seen items', () => {
    const p = problem(7, 12, 300, 4);
    const candidates = Int32Array.from({ length: 43 }, (_, i) => i * 7);
    const { nat } = runAll(
      args(p, [0, 1, 2, 11], 6, {
        candidates,
        exclude: Int32Array.of(7, 14, 100),
        filterIndptr: p.indptr,
        filterIndices: p.indices,
      }),
    );
    for (const item of nat.items) if (item >= 0) expect(item % 7).toBe(0);
    expect(nat.items).not.toContain(14);
  });

  it('exact ties go to the lower index in native, twin and brute force alike', () => {
    const p = problem(8, 10, 50, 2, true);
    const a = args(
      p,
      Array.from({ length: 10 }, (_, i) => i),
      20,
      { filterIndptr: p.indptr, filterIndices: p.indices },
    );
    const { nat, twin, brute } = runAll(a);
    expect(nat.items).toEqual(brute.items);
    expect(twin.items).toEqual(brute.items);
  });

  it('k larger than the catalogue returns every qualifying item, then −1 / −Infinity padding', () => {
    const p = problem(9, 3, 25, 3);
    const { nat } = runAll(args(p, [0, 1, 2], 40, { exclude: Int32Array.of(4) }));
    expect(nat.items[23]).toBeGreaterThanOrEqual(0);
    expect(nat.items[24]).toBe(-1);
    expect(nat.scores[39]).toBe(-Infinity);
  });

  it('an empty candidate list ranks nothing: every slot is padding, sync and async', async () => {
    const p = problem(15, 3, 20, 2);
    const a = args(p, [0, 2], 4, { candidates: new Int32Array(0) });
    topkBinding().topkSync(a);
    const promised = fresh(a);
    await topkBinding().topk(promised);
    for (const out of [a, promised]) {
      expect(Array.from(out.items)).toEqual(new Array(8).fill(-1));
      expect(Array.from(out.scores)).toEqual(new Array(8).fill(-Infinity));
    }
    const twin = fresh(a);
    topkTwin(twin);
    expect(twin.items).toEqual(a.items);
  });

  it('similarity: items against themselves, the query itself excluded, batch of queries', () => {
    const p = problem(10, 1, 60, 6);
    const inv = Float32Array.from({ length: 60 }, (_, i) => {
      let s = 0;
      for (let j = 0; j < 6; j++) s += p.v[i * 6 + j]! ** 2;
      return 1 / Math.sqrt(s);
    });
    const a = args(p, [0, 5, 59, 5], 8, { query: p.v, rowScale: inv, colScale: inv, excludeSelf: true });
    const { nat } = runAll(a);
    for (let r = 0; r < 4; r++) expect(nat.items.subarray(r * 8, r * 8 + 8)).not.toContain(a.rows[r]);
    for (const s of nat.scores) expect(Math.abs(s)).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('the async call gives the same answer as the sync one', async () => {
    const p = problem(11, 70, 400, 6);
    const a = args(
      p,
      Array.from({ length: 70 }, (_, i) => 69 - i),
      12,
      { filterIndptr: p.indptr, filterIndices: p.indices },
    );
    const sync = fresh(a);
    topkBinding().topkSync(sync);
    const asyncArgs = fresh(a);
    await topkBinding().topk(asyncArgs);
    expect(asyncArgs.items).toEqual(sync.items);
    expect(asyncArgs.scores).toEqual(sync.scores);
  });

  it('results do not depend on the thread count', () => {
    const p = problem(12, 200, 300, 4);
    const rows = Array.from({ length: 200 }, (_, i) => i);
    const one = args(p, rows, 5, { threads: 1 });
    const two = args(p, rows, 5, { threads: 2 });
    topkBinding().topkSync(one);
    topkBinding().topkSync(two);
    expect(two.items).toEqual(one.items);
    expect(two.scores).toEqual(one.scores);
  });
});

describe('native top-K refuses what would be unsafe', () => {
  const p = problem(13, 4, 10, 2);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return 'no error';
  };

  it.each([
    ['a row out of range', { rows: Int32Array.of(0, 4) }],
    ['unsorted candidates', { candidates: Int32Array.of(3, 1) }],
    ['exclusions out of range', { exclude: Int32Array.of(10) }],
    ['wrong output length', { items: new Int32Array(3) }],
    ['a Float64Array query', { query: new Float64Array(8) as unknown as Float32Array }],
    ['filter pointers past the indices', { filterIndptr: Int32Array.of(0, 9, 9, 9, 9), filterIndices: new Int32Array(2) }],
    ['a filter index out of range', { filterIndptr: Int32Array.of(0, 1, 1, 1, 1), filterIndices: Int32Array.of(99) }],
  ])('%s → ERR_MFREC_INVALID_ARGUMENT', (_what, extra) => {
    const a = { ...args(p, [0, 1], 3), ...extra } as TopKArgs;
    expect(code(() => topkBinding().topkSync(a))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });

  it('a set cancel flag rejects the async call with ERR_MFREC_ABORTED', async () => {
    const a = args(p, [0, 1], 3, { cancel: Int32Array.of(1) });
    await expect(topkBinding().topk(a)).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
  });
});

describe('TopSelector', () => {
  it('keeps the k best in any offer order, ties to the lower index, NaN ignored', () => {
    const rng = new Rng(14);
    const pairs = Array.from({ length: 200 }, (_, i) => [rng.below(20), i] as [number, number]);
    pairs.push([NaN, 500]);
    const shuffled = rng.shuffle(pairs.slice());
    const sel = new TopSelector(15);
    for (const [s, i] of shuffled) sel.offer(s, i);
    const items = new Int32Array(17);
    const scores = new Float32Array(17);
    expect(sel.drain(items, scores, 0, 17)).toBe(15);
    const expected = pairs
      .filter(([s]) => !Number.isNaN(s))
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, 15);
    expect(Array.from(items.subarray(0, 15))).toEqual(expected.map(([, i]) => i));
    expect(Array.from(items.subarray(15))).toEqual([-1, -1]);
    expect(scores[16]).toBe(-Infinity);
  });
});
