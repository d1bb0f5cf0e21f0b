import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/random.js';
import { itemItemTopKBinding, type ItemItemTopKArgs } from '../../lib/addon/item-item-topk.js';
import { itemItemScoreRow, itemItemTopKTwin } from '../../lib/twins/item-item-topk.js';

interface Csr {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** `rows` rows over `cols` columns, each column present with probability `density`, sorted. */
function csr(rng: Rng, rows: number, cols: number, density: number, draw: () => number): Csr {
  const indptr = new Int32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (rng.uniform() < density) {
        indices.push(c);
        values.push(draw());
      }
    }
    indptr[r + 1] = indices.length;
  }
  return { indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

/** Neighbour rows as a model stores them: `per` distinct items per row, in no particular order. */
function neighbours(rng: Rng, items: number, per: number, draw: () => number): Csr {
  const indptr = new Int32Array(items + 1);
  const indices: number[] = [];
  for (let i = 0; i < items; i++) {
    const row = new Set<number>();
    while (row.size < Math.min(per, items)) row.add(rng.below(items));
    indices.push(...row);
    indptr[i + 1] = indices.length;
  }
  return { indptr, indices: Int32Array.from(indices), values: Float32Array.from(indices, draw) };
}

interface Problem {
  items: number;
  history: Csr;
  dense?: Float32Array;
  sparse?: Csr;
}

/**
 * A history of `users` rows (every fifth one empty: a user with no history, an
 * empty cart), which also serves as the seen filter, and W in the form asked for.
 */
function problem(seed: number, w: 'dense' | 'sparse', users: number, items: number, { integers = false, density = 0.15 } = {}): Problem {
  const rng = new Rng(seed);
  const draw = () => (integers ? rng.below(5) - 2 : rng.uniform() * 2 - 1);
  const history = csr(rng, users, items, density, () => (integers ? 1 + rng.below(3) : 0.5 + rng.uniform()));
  const kept = (r: number) => r % 5 !== 0;
  const indptr = new Int32Array(users + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < users; r++) {
    for (let p = history.indptr[r]!; p < history.indptr[r + 1]! && kept(r); p++) {
      indices.push(history.indices[p]!);
      values.push(history.values[p]!);
    }
    indptr[r + 1] = indices.length;
  }
  return {
    items,
    history: { indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) },
    ...(w === 'dense' ? { dense: Float32Array.from({ length: items * items }, draw) } : { sparse: neighbours(rng, items, Math.max(1, items >> 3), draw) }),
  };
}

function args(p: Problem, rows: number[], k: number, extra: Partial<ItemItemTopKArgs> = {}): ItemItemTopKArgs {
  return {
    historyIndptr: p.history.indptr,
    historyIndices: p.history.indices,
    historyValues: p.history.values,
    rows: Int32Array.from(rows),
    items: p.items,
    dense: p.dense,
    sparseIndptr: p.sparse?.indptr,
    sparseIndices: p.sparse?.indices,
    sparseValues: p.sparse?.values,
    k,
    threads: 2,
    outItems: new Int32Array(rows.length * k),
    outScores: new Float32Array(rows.length * k),
    ...extra,
  };
}

function fresh(a: ItemItemTopKArgs): ItemItemTopKArgs {
  return { ...a, outItems: new Int32Array(a.outItems.length), outScores: new Float32Array(a.outScores.length) };
}

/** Every qualifying item scored in double precision from W's definition, fully sorted. */
function bruteForce(a: ItemItemTopKArgs): { outItems: Int32Array; outScores: Float32Array } {
  const outItems = new Int32Array(a.rows.length * a.k).fill(-1);
  const outScores = new Float32Array(a.rows.length * a.k).fill(-Infinity);
  const rowsOfW = new Map<number, Map<number, number>>();
  const weight = (i: number, j: number): number => {
    if (a.dense) return a.dense[i * a.items + j]!;
    let row = rowsOfW.get(i);
    if (row === undefined) {
      row = new Map();
      for (let n = a.sparseIndptr![i]!; n < a.sparseIndptr![i + 1]!; n++)
        row.set(a.sparseIndices![n]!, (row.get(a.sparseIndices![n]!) ?? 0) + a.sparseValues![n]!);
      rowsOfW.set(i, row);
    }
    return row.get(j) ?? 0;
  };
  a.rows.forEach((q, r) => {
    const all: Array<[number, number]> = [];
    for (let j = 0; j < a.items; j++) {
      if (a.candidates && !a.candidates.includes(j)) continue;
      if (a.exclude?.includes(j)) continue;
      if (a.filterIndptr && a.filterIndices!.subarray(a.filterIndptr[q]!, a.filterIndptr[q + 1]!).includes(j)) continue;
      let s = 0;
      for (let p = a.historyIndptr[q]!; p < a.historyIndptr[q + 1]!; p++) s += a.historyValues[p]! * weight(a.historyIndices[p]!, j);
      if (!Number.isNaN(s)) all.push([s, j]);
    }
    all.sort((x, y) => y[0] - x[0] || x[1] - y[1]);
    all.slice(0, a.k).forEach(([s, j], i) => {
      outItems[r * a.k + i] = j;
      outScores[r * a.k + i] = s;
    });
  });
  return { outItems, outScores };
}

/** Same padding; where items differ, their scores tie within rounding. */
function expectSameRanking(a: { outItems: Int32Array; outScores: Float32Array }, b: { outItems: Int32Array; outScores: Float32Array }) {
  expect(a.outItems.length).toBe(b.outItems.length);
  for (let i = 0; i < a.outItems.length; i++) {
    if (a.outItems[i] === -1 || b.outItems[i] === -1) {
      expect([i, a.outItems[i]]).toEqual([i, b.outItems[i]]);
      continue;
    }
    expect(Math.abs(a.outScores[i]! - b.outScores[i]!)).toBeLessThan(1e-4);
  }
}

/** Native (sync, 1 and 2 threads, and async) and twin agree bit for bit; both agree with brute force. */
async function runAll(a: ItemItemTopKArgs) {
  const nat = fresh(a);
  itemItemTopKBinding().itemItemTopKSync(nat);
  const one = fresh({ ...a, threads: 1 });
  itemItemTopKBinding().itemItemTopKSync(one);
  const promised = fresh(a);
  await itemItemTopKBinding().itemItemTopK(promised);
  const twin = fresh(a);
  itemItemTopKTwin(twin);
  for (const other of [one, promised, twin]) {
    expect(other.outItems).toEqual(nat.outItems);
    expect(other.outScores).toEqual(nat.outScores);
  }
  expectSameRanking(nat, bruteForce(a));
  return nat;
}

const everyRow = (n: number) => Array.from({ length: n }, (_, i) => i);

describe.each(['dense', 'sparse'] as const)('native item-to-item top-K vs twin vs brute force, %s W', (w) => {
  it('every row, more items than one selection tile (4096)', async () => {
    const p = problem(1, w, 30, 4200, { density: 0.01 });
    await runAll(args(p, everyRow(30), 12, { filterIndptr: p.history.indptr, filterIndices: p.history.indices }));
  });

  it('seen filter and exclusions', async () => {
    const p = problem(2, w, 40, 300);
    const nat = await runAll(
      args(p, [3, 0, 39, 3, 17], 9, { filterIndptr: p.history.indptr, filterIndices: p.history.indices, exclude: Int32Array.of(0, 5, 150, 299) }),
    );
    for (const item of nat.outItems) expect([0, 5, 150, 299]).not.toContain(item);
  });

  it('candidates rank only that subset, minus exclusions and seen items', async () => {
    const p = problem(3, w, 20, 280);
    const candidates = Int32Array.from({ length: 40 }, (_, i) => i * 7);
    const nat = await runAll(
      args(p, [0, 1, 2, 11, 19], 6, { candidates, exclude: Int32Array.of(7, 14, 100), filterIndptr: p.history.indptr, filterIndices: p.history.indices }),
    );
    for (const item of nat.outItems) if (item >= 0) expect(item % 7).toBe(0);
    expect(nat.outItems).not.toContain(14);
  });

  it('exact ties go to the lower index (integer weights)', async () => {
    const p = problem(4, w, 15, 60, { integers: true });
    const a = args(p, everyRow(15), 25, { filterIndptr: p.history.indptr, filterIndices: p.history.indices });
    const nat = await runAll(a);
    expect(nat.outItems).toEqual(bruteForce(a).outItems);
  });

  it('k larger than the catalogue: every qualifying item, then −1 / −Infinity padding', async () => {
    const p = problem(5, w, 6, 25);
    const nat = await runAll(args(p, [1, 2, 3], 40, { exclude: Int32Array.of(4) }));
    expect(nat.outItems[23]).toBeGreaterThanOrEqual(0);
    expect(nat.outItems[24]).toBe(-1);
    expect(nat.outScores[39]).toBe(-Infinity);
  });

  it('an empty history scores every item 0: the lowest unfiltered indices, in order', async () => {
    const p = problem(6, w, 10, 50);
    expect(p.history.indptr[1]).toBe(p.history.indptr[0]);
    const nat = await runAll(args(p, [0, 0], 4, { exclude: Int32Array.of(1) }));
    expect(Array.from(nat.outItems)).toEqual([0, 2, 3, 4, 0, 2, 3, 4]);
    expect(Array.from(nat.outScores)).toEqual(new Array(8).fill(0));
  });

  it('repeated rows in any order, many rows over both threads', async () => {
    const p = problem(7, w, 50, 200);
    const rng = new Rng(8);
    const rows = Array.from({ length: 120 }, () => rng.below(50));
    const nat = await runAll(args(p, rows, 7, { filterIndptr: p.history.indptr, filterIndices: p.history.indices }));
    const first = rows.indexOf(rows[100]!);
    expect(nat.outItems.subarray(100 * 7, 101 * 7)).toEqual(nat.outItems.subarray(first * 7, first * 7 + 7));
  });

  it('NaN scores never qualify', async () => {
    const p = problem(9, w, 5, 30);
    const row = 1;
    const item = p.history.indices[p.history.indptr[row]!]!;
    // A NaN weight from the first history item to every target it reaches.
    if (p.dense) p.dense.fill(NaN, item * 30, item * 30 + 30);
    else p.sparse!.values.fill(NaN, p.sparse!.indptr[item]!, p.sparse!.indptr[item + 1]!);
    const reached = p.dense ? everyRow(30) : Array.from(p.sparse!.indices.subarray(p.sparse!.indptr[item]!, p.sparse!.indptr[item + 1]!));
    const nat = await runAll(args(p, [row], 30));
    for (const j of reached) expect(nat.outItems).not.toContain(j);
    expect(nat.outItems[30 - reached.length]).toBe(-1);
  });
});

describe('sparse W reaching few items', () => {
  it('unreached items score 0: they rank by index among reached items scoring 0, above negative ones', async () => {
    const rng = new Rng(13);
    const items = 100;
    // Weights −1, 0 or 1 on 3 neighbours per item, histories of about 2 items.
    const sparse = neighbours(rng, items, 3, () => rng.below(3) - 1);
    const history = csr(rng, 12, items, 0.02, () => 1);
    const p: Problem = { items, history, sparse };
    const filter = { filterIndptr: history.indptr, filterIndices: history.indices };
    for (const k of [3, 20, 100]) {
      const a = args(p, everyRow(12), k, { ...filter, exclude: Int32Array.of(0, 2, 50) });
      const nat = await runAll(a);
      expect(nat.outItems).toEqual(bruteForce(a).outItems);
    }
    const a = args(p, everyRow(12), 15, { ...filter, candidates: Int32Array.from({ length: 50 }, (_, i) => 2 * i + 1) });
    const nat = await runAll(a);
    expect(nat.outItems).toEqual(bruteForce(a).outItems);
  });
});

describe('an empty catalogue', () => {
  it.each(['dense', 'sparse'] as const)('no items, %s W: every row is padding, not an error', (w) => {
    const a: ItemItemTopKArgs = {
      historyIndptr: Int32Array.of(0, 0, 0),
      historyIndices: new Int32Array(0),
      historyValues: new Float32Array(0),
      rows: Int32Array.of(1, 0),
      items: 0,
      ...(w === 'dense'
        ? { dense: new Float32Array(0) }
        : { sparseIndptr: Int32Array.of(0), sparseIndices: new Int32Array(0), sparseValues: new Float32Array(0) }),
      k: 3,
      threads: 1,
      outItems: new Int32Array(6).fill(7),
      outScores: new Float32Array(6),
    };
    itemItemTopKBinding().itemItemTopKSync(a);
    expect(Array.from(a.outItems)).toEqual(new Array(6).fill(-1));
    expect(Array.from(a.outScores)).toEqual(new Array(6).fill(-Infinity));
  });
});

describe('an empty candidate list', () => {
  it.each(['dense', 'sparse'] as const)('ranks nothing, %s W: every slot is padding, native and twin', async (w) => {
    const p = problem(14, w, 6, 30);
    const a = args(p, [1, 2, 3], 4, { candidates: new Int32Array(0) });
    const nat = await runAll(a);
    expect(Array.from(nat.outItems)).toEqual(new Array(12).fill(-1));
  });
});

describe('itemItemScoreRow', () => {
  it('gives the scores the kernel ranks by, for dense and sparse W alike when they hold the same weights', () => {
    const p = problem(10, 'sparse', 8, 40);
    const w = p.sparse!;
    // The sparse W written densely: the two forms must score identically.
    const dense = new Float32Array(40 * 40);
    for (let i = 0; i < 40; i++) for (let n = w.indptr[i]!; n < w.indptr[i + 1]!; n++) dense[i * 40 + w.indices[n]!] = w.values[n]!;
    const sparseArgs = args(p, [3], 40);
    const denseArgs = args({ ...p, sparse: undefined, dense }, [3], 40);
    const row = itemItemScoreRow(sparseArgs, 3);
    expect(itemItemScoreRow(denseArgs, 3)).toEqual(row);
    itemItemTopKBinding().itemItemTopKSync(sparseArgs);
    for (let i = 0; i < 40; i++) expect(sparseArgs.outScores[i]).toBe(row[sparseArgs.outItems[i]!]);
  });
});

describe('native item-to-item top-K refuses what would be unsafe', () => {
  const pd = problem(11, 'dense', 4, 10, { density: 0.5 });
  const ps = problem(11, 'sparse', 4, 10, { density: 0.5 });
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return `${(e as { code?: string }).code}: ${(e as Error).message}`;
    }
    return 'no error';
  };

  it.each([
    ['a row out of range', 'dense', { rows: Int32Array.of(0, 4) }, /history row 4 out of range/],
    ['a negative row', 'sparse', { rows: Int32Array.of(-1, 0) }, /history row -1/],
    ['a history index out of range', 'dense', { historyIndices: Int32Array.from(pd.history.indices, () => 10) }, /history index 10/],
    ['history pointers past the indices', 'dense', { historyIndptr: Int32Array.of(0, 99, 99, 99, 99) }, /history row pointers/],
    ['history values shorter than the indices', 'dense', { historyValues: new Float32Array(1) }, /historyValues/],
    ['an empty historyIndptr', 'dense', { historyIndptr: new Int32Array(0) }, /historyIndptr/],
    ['a sparse neighbour index out of range', 'sparse', { sparseIndices: Int32Array.from(ps.sparse!.indices, () => 10) }, /sparse W index 10/],
    ['sparse pointers past the indices', 'sparse', { sparseIndptr: Int32Array.from(ps.sparse!.indptr, (x) => x * 3) }, /sparse W row pointers/],
    ['a sparse pointer array of the wrong length', 'sparse', { sparseIndptr: new Int32Array(5) }, /sparseIndptr/],
    ['dense W of the wrong length', 'dense', { dense: new Float32Array(99) }, /dense/],
    ['both dense and sparse W', 'sparse', { dense: pd.dense }, /exactly one/],
    ['neither dense nor sparse W', 'dense', { dense: undefined }, /exactly one/],
    ['unsorted candidates', 'dense', { candidates: Int32Array.of(3, 1) }, /candidates/],
    ['exclusions out of range', 'sparse', { exclude: Int32Array.of(10) }, /exclude/],
    ['a filter index out of range', 'dense', { filterIndptr: Int32Array.of(0, 1, 1, 1, 1), filterIndices: Int32Array.of(99) }, /filter index 99/],
    ['filter pointers past the indices', 'dense', { filterIndptr: Int32Array.of(0, 9, 9, 9, 9), filterIndices: new Int32Array(2) }, /filter row pointers/],
    ['wrong output length', 'dense', { outItems: new Int32Array(3) }, /outItems/],
    ['a Float64Array history', 'dense', { historyValues: new Float64Array(pd.history.values.length) as unknown as Float32Array }, /historyValues/],
    ['k of 0', 'dense', { k: 0 }, /k/],
  ] as const)('%s → ERR_MFREC_INVALID_ARGUMENT naming it', (_what, w, extra, message) => {
    const a = { ...args(w === 'dense' ? pd : ps, [0, 1], 3), ...extra } as ItemItemTopKArgs;
    const got = code(() => itemItemTopKBinding().itemItemTopKSync(a));
    expect(got).toMatch(/^ERR_MFREC_INVALID_ARGUMENT: /);
    expect(got).toMatch(message);
  });

  it('the async call rejects bad indices the same way', async () => {
    const a = args(ps, [0, 7], 3);
    await expect(itemItemTopKBinding().itemItemTopK(a)).rejects.toMatchObject({ code: 'ERR_MFREC_INVALID_ARGUMENT' });
  });

  it('a set cancel flag rejects the async call with ERR_MFREC_ABORTED', async () => {
    const a = args(pd, [0, 1], 3, { cancel: Int32Array.of(1) });
    await expect(itemItemTopKBinding().itemItemTopK(a)).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
  });

  it('a cancel flag set while a long batch runs stops it early', async () => {
    const big = problem(12, 'dense', 200, 2000);
    const rows = Array.from({ length: 20000 }, (_, i) => i % 200);
    const cancel = new Int32Array(1);
    const run = itemItemTopKBinding().itemItemTopK(args(big, rows, 10, { cancel }));
    setTimeout(() => Atomics.store(cancel, 0, 1), 5);
    await expect(run).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
  });
});
