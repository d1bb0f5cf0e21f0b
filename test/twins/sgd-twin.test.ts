import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/random.js';
import { sgdBinding } from '../../lib/addon/sgd.js';
import { allocateGrid, type SgdGrid, type SgdModelArrays } from '../../lib/addon/sgd.js';
import { initFactors } from '../../lib/models/explicit/train.js';
import { blockRows, renumber } from '../../lib/models/explicit/sgd-rows.js';
import { epochDot, laneDot, sgdEpoch, sgdInitialFactors, sgdLayout, sgdPredict } from '../../lib/twins/sgd.js';

interface Problem {
  nUsers: number;
  nItems: number;
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
}

/** Random distinct (user, item) pairs with ratings 1..5. */
function randomProblem(seed: number, nUsers: number, nItems: number, nnz: number): Problem {
  const rng = new Rng(seed);
  const seen = new Set<number>();
  const users: number[] = [];
  const items: number[] = [];
  const ratings: number[] = [];
  while (users.length < nnz) {
    const u = rng.below(nUsers);
    const i = rng.below(nItems);
    if (seen.has(u * nItems + i)) continue;
    seen.add(u * nItems + i);
    users.push(u);
    items.push(i);
    ratings.push(1 + rng.below(5));
  }
  return { nUsers, nItems, users: Int32Array.from(users), items: Int32Array.from(items), ratings: Float32Array.from(ratings) };
}

function newModel(p: Problem, factors: number, seed: number): SgdModelArrays {
  let mean = 0;
  for (const r of p.ratings) mean += r;
  const m: SgdModelArrays = {
    factors,
    globalBias: Math.fround(mean / p.ratings.length),
    userFactors: new Float32Array(p.nUsers * factors),
    itemFactors: new Float32Array(p.nItems * factors),
    userBias: new Float32Array(p.nUsers),
    itemBias: new Float32Array(p.nItems),
  };
  initFactors(m, 0.1, seed);
  return m;
}

function cloneModel(m: SgdModelArrays): SgdModelArrays {
  return {
    ...m,
    userFactors: m.userFactors.slice(),
    itemFactors: m.itemFactors.slice(),
    userBias: m.userBias.slice(),
    itemBias: m.itemBias.slice(),
  };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k]! - b[k]!));
  return d;
}

async function layoutBoth(p: Problem, blocks: number, seed: number): Promise<[SgdGrid, SgdGrid]> {
  const nativeGrid = allocateGrid(p.users.length, blocks);
  const twinGrid = allocateGrid(p.users.length, blocks);
  const opts = { nUsers: p.nUsers, nItems: p.nItems, seed };
  await sgdBinding().sgdLayout(p.users, p.items, p.ratings, opts, nativeGrid);
  sgdLayout(p.users, p.items, p.ratings, opts, twinGrid);
  return [nativeGrid, twinGrid];
}

describe('SGD kernel vs its TypeScript twin', () => {
  it('lays out the grid identically: every rating once, in its block', async () => {
    const p = randomProblem(1, 37, 23, 400);
    const [g, t] = await layoutBoth(p, 4, 7);
    expect(Array.from(g.blockPtr)).toEqual(Array.from(t.blockPtr));
    expect(Array.from(g.users)).toEqual(Array.from(t.users));
    expect(Array.from(g.items)).toEqual(Array.from(t.items));
    expect(Array.from(g.ratings)).toEqual(Array.from(t.ratings));
    const key = (u: number, i: number) => u * 1000 + i;
    const input = new Map<number, number>();
    p.users.forEach((u, k) => input.set(key(u, p.items[k]!), p.ratings[k]!));
    const out = new Map<number, number>();
    g.users.forEach((u, k) => out.set(key(u, g.items[k]!), g.ratings[k]!));
    expect(out).toEqual(input);
    // A user's ratings all sit in one row block, an item's in one column block.
    const rowOf = new Map<number, number>();
    const colOf = new Map<number, number>();
    for (let b = 0; b < 16; b++) {
      for (let e = g.blockPtr[b]!; e < g.blockPtr[b + 1]!; e++) {
        expect(rowOf.get(g.users[e]!) ?? Math.floor(b / 4)).toBe(Math.floor(b / 4));
        expect(colOf.get(g.items[e]!) ?? b % 4).toBe(b % 4);
        rowOf.set(g.users[e]!, Math.floor(b / 4));
        colOf.set(g.items[e]!, b % 4);
      }
    }
  });

  it.each([
    [1, 8],
    [3, 5],
    [4, 16],
    [2, 13],
    [5, 64],
  ])('one epoch on one thread agrees (blocks %i, factors %i)', async (blocks, factors) => {
    const p = randomProblem(blocks * 100 + factors, 50, 40, 600);
    const [g, t] = await layoutBoth(p, blocks, 11);
    const a = newModel(p, factors, 5);
    const b = cloneModel(a);
    const step = { learningRate: 0.02, regularization: 0.05, biasRegularization: 0.01, threads: 1, seed: 3, epoch: 0 };
    for (let epoch = 0; epoch < 2; epoch++) {
      const sseNative = await sgdBinding().sgdEpoch(g, a, { ...step, epoch });
      const sseTwin = sgdEpoch(t, b, { ...step, epoch });
      expect(Math.abs(sseNative - sseTwin)).toBeLessThanOrEqual(1e-5 * sseTwin);
      expect(maxDiff(a.userFactors, b.userFactors)).toBeLessThanOrEqual(1e-5);
      expect(maxDiff(a.itemFactors, b.itemFactors)).toBeLessThanOrEqual(1e-5);
      expect(maxDiff(a.userBias, b.userBias)).toBeLessThanOrEqual(1e-5);
      expect(maxDiff(a.itemBias, b.itemBias)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('is bit-identical, not just close (same lanes, no fused multiply-add)', async () => {
    const p = randomProblem(77, 30, 30, 300);
    const [g, t] = await layoutBoth(p, 3, 1);
    const a = newModel(p, 21, 4);
    const b = cloneModel(a);
    const step = { learningRate: 0.05, regularization: 0.02, biasRegularization: 0.02, threads: 1, seed: 8, epoch: 4 };
    expect(await sgdBinding().sgdEpoch(g, a, step)).toBe(sgdEpoch(t, b, step));
    expect(a.userFactors).toEqual(b.userFactors);
    expect(a.itemFactors).toEqual(b.itemFactors);
  });

  it('is bit-identical at the widths whose dot product spans several groups of sixteen lanes', async () => {
    const p = randomProblem(78, 40, 30, 400);
    const [g, t] = await layoutBoth(p, 2, 3);
    for (const k of [64, 70, 128, 200]) {
      const a = newModel(p, k, 5);
      const b = cloneModel(a);
      const step = { learningRate: 0.05, regularization: 0.02, biasRegularization: 0.02, threads: 1, seed: 9, epoch: 2 };
      expect(await sgdBinding().sgdEpoch(g, a, step)).toBe(sgdEpoch(t, b, step));
      expect(a.userFactors).toEqual(b.userFactors);
      expect(a.itemFactors).toEqual(b.itemFactors);
      expect(a.userBias).toEqual(b.userBias);
    }
  });

  it('agrees with per-row penalty multipliers on vectors and biases', async () => {
    const p = randomProblem(31, 40, 35, 500);
    const [g, t] = await layoutBoth(p, 3, 2);
    const a = newModel(p, 16, 6);
    const scale = (n: number, s: number) => Float32Array.from({ length: n }, (_, k) => 0.2 + ((k * s) % 7) * 0.3);
    a.userRegularization = scale(p.nUsers, 3);
    a.itemRegularization = scale(p.nItems, 5);
    a.userBiasRegularization = scale(p.nUsers, 2);
    a.itemBiasRegularization = scale(p.nItems, 4);
    const b = cloneModel(a);
    const step = { learningRate: 0.03, regularization: 0.1, biasRegularization: 0.05, threads: 1, seed: 2, epoch: 1 };
    expect(await sgdBinding().sgdEpoch(g, a, step)).toBe(sgdEpoch(t, b, step));
    expect(a.userFactors).toEqual(b.userFactors);
    expect(a.itemFactors).toEqual(b.itemFactors);
    expect(a.userBias).toEqual(b.userBias);
    expect(a.itemBias).toEqual(b.itemBias);
    // The multipliers matter: all-ones gives the plain result, these do not.
    const plain = cloneModel(newModel(p, 16, 6));
    sgdEpoch(t, plain, step);
    expect(plain.userFactors).not.toEqual(a.userFactors);
  });

  it('rejects arrays of the wrong type or length instead of crashing', async () => {
    const p = randomProblem(5, 10, 10, 30);
    const [g] = await layoutBoth(p, 1, 1);
    const m = newModel(p, 4, 1);
    const step = { learningRate: 0.01, regularization: 0.1, biasRegularization: 0.1, threads: 1, seed: 1, epoch: 0 };
    const code = 'ERR_MFREC_INVALID_ARGUMENT';
    expect(() => sgdBinding().sgdEpoch(g, { ...m, userFactors: new Float32Array(3) }, step)).toThrow(expect.objectContaining({ code }));
    expect(() => sgdBinding().sgdEpoch({ ...g, users: new Float32Array(30) as never }, m, step)).toThrow(expect.objectContaining({ code }));
    expect(() => sgdBinding().sgdEpoch({ ...g, blockPtr: new Int32Array(5) }, m, step)).toThrow(expect.objectContaining({ code }));
    expect(() => sgdBinding().sgdEpoch(g, { ...m, userRegularization: new Float32Array(1) }, step)).toThrow(expect.objectContaining({ code }));
    const badUsers = g.users.slice();
    badUsers[3] = 999;
    await expect(sgdBinding().sgdEpoch({ ...g, users: badUsers }, m, step)).rejects.toMatchObject({ code: 'ERR_MFREC_INVALID_ARGUMENT' });
    expect(() => sgdBinding().sgdPredict(m, Int32Array.from([999]), Int32Array.from([0]), new Float32Array(1), { min: 1, max: 5, threads: 1 })).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('lays out the same grid from user rows as from each entry with its user, on any thread count', async () => {
    // Entries sorted by user, as rows hold them; users 30..34 have none.
    const p = randomProblem(19, 30, 40, 600);
    const byUser = Array.from(p.users.keys()).sort((a, b) => p.users[a]! - p.users[b]! || a - b);
    const users = Int32Array.from(byUser, (e) => p.users[e]!);
    const items = Int32Array.from(byUser, (e) => p.items[e]!);
    const ratings = Float32Array.from(byUser, (e) => p.ratings[e]!);
    const indptr = new Int32Array(36);
    for (const u of users) indptr[u + 1]!++;
    for (let u = 0; u < 35; u++) indptr[u + 1]! += indptr[u]!;
    const opts = { nUsers: 35, nItems: 40, seed: 6 };
    const want = allocateGrid(600, 3);
    sgdLayout(users, items, ratings, opts, want);
    for (const threads of [1, 2]) {
      const got = allocateGrid(600, 3);
      await sgdBinding().sgdLayoutRows({ indptr, indices: items, values: ratings }, { ...opts, threads }, got);
      expect(got).toEqual(want);
    }
  });

  it('refuses user rows whose offsets do not run from 0 to the number of ratings without decreasing', async () => {
    const rows = (indptr: number[]) => ({ indptr: Int32Array.from(indptr), indices: Int32Array.of(0, 1, 0), values: Float32Array.of(1, 2, 3) });
    const opts = { nUsers: 3, nItems: 2, seed: 1 };
    for (const [indptr, message] of [
      [[0, 1, 2, 2], 'end at the number of ratings'],
      [[1, 1, 2, 3], 'start at 0'],
      [[0, 2, 1, 3], 'must not decrease'],
    ] as const) {
      await expect(sgdBinding().sgdLayoutRows(rows([...indptr]), opts, allocateGrid(3, 1))).rejects.toMatchObject({
        code: 'ERR_MFREC_INVALID_ARGUMENT',
        message: expect.stringContaining(message),
      });
    }
    expect(() => sgdBinding().sgdLayoutRows(rows([0, 3]), opts, allocateGrid(3, 1))).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
  });

  it('groups rows by block as blockRows and renumber do, on any thread count, unseen rows last', async () => {
    // 45 users and 30 items of which some have no rating: they go last.
    const p = randomProblem(17, 40, 25, 500);
    for (const threads of [1, 2]) {
      const [g, t] = await layoutBoth({ ...p, nUsers: 45, nItems: 30 }, 5, 3);
      const want = blockRows(t, 45, 30);
      renumber(t.users, want.users);
      renumber(t.items, want.items);
      const got = { userOrder: new Int32Array(45), userRank: new Int32Array(45), itemOrder: new Int32Array(30), itemRank: new Int32Array(30) };
      sgdBinding().sgdGroupRows(g, got, threads);
      expect([got.userOrder, got.userRank, got.itemOrder, got.itemRank]).toEqual([want.users.order, want.users.rank, want.items.order, want.items.rank]);
      expect([g.users, g.items]).toEqual([t.users, t.items]);
      expect(Array.from(got.userOrder.subarray(40))).toEqual([40, 41, 42, 43, 44]);
    }
  });

  it('refuses to group rows of a grid with an index out of range, or into arrays of the wrong length', async () => {
    const p = randomProblem(18, 10, 10, 40);
    const [g] = await layoutBoth(p, 2, 1);
    const code = 'ERR_MFREC_INVALID_ARGUMENT';
    const fresh = () => ({ userOrder: new Int32Array(10), userRank: new Int32Array(10), itemOrder: new Int32Array(10), itemRank: new Int32Array(10) });
    const bad = { ...g, items: g.items.slice() };
    bad.items[7] = 10;
    expect(() => sgdBinding().sgdGroupRows(bad, fresh(), 1)).toThrow(expect.objectContaining({ code, message: expect.stringContaining('grid entry 7') }));
    expect(() => sgdBinding().sgdGroupRows(g, { ...fresh(), itemRank: new Int32Array(9) }, 1)).toThrow(expect.objectContaining({ code }));
  });

  it('draws the initial factors of initFactors, bit for bit, straight into any row order and on any thread count', () => {
    const p = randomProblem(13, 700, 300, 10);
    const reference = newModel(p, 24, 8);
    const order = new Rng(4).shuffle(Int32Array.from({ length: 300 }, (_, k) => k));
    for (const threads of [1, 2, 0]) {
      const draw = { factors: 24, seed: 8, sd: 0.1, threads };
      const users = sgdBinding().sgdInitialFactors(new Float32Array(700 * 24), { ...draw, firstRow: 0 });
      expect(users).toEqual(reference.userFactors);
      const items = sgdBinding().sgdInitialFactors(new Float32Array(300 * 24), { ...draw, firstRow: 700, order });
      expect(items).toEqual(sgdInitialFactors(new Float32Array(300 * 24), { ...draw, firstRow: 700, order }));
      const moved = new Float32Array(300 * 24);
      for (let n = 0; n < 300; n++) moved.set(reference.itemFactors.subarray(order[n]! * 24, (order[n]! + 1) * 24), n * 24);
      expect(items).toEqual(moved);
    }
  });

  it('refuses initial factors for a row order out of range or a partial row', () => {
    const code = 'ERR_MFREC_INVALID_ARGUMENT';
    const draw = { factors: 4, seed: 1, sd: 0.1, firstRow: 0, threads: 1 };
    expect(() => sgdBinding().sgdInitialFactors(new Float32Array(8), { ...draw, order: Int32Array.from([0, 2]) })).toThrow(
      expect.objectContaining({ code, message: expect.stringContaining('row out of range at 1') }),
    );
    expect(() => sgdBinding().sgdInitialFactors(new Float32Array(8), { ...draw, order: Int32Array.from([0]) })).toThrow(expect.objectContaining({ code }));
    expect(() => sgdBinding().sgdInitialFactors(new Float32Array(6), draw)).toThrow(expect.objectContaining({ code }));
  });

  it('predicts the same values, with -1 as an unknown side and clamping', () => {
    const p = randomProblem(9, 20, 15, 100);
    const m = newModel(p, 12, 2);
    for (let k = 0; k < m.userBias.length; k++) m.userBias[k] = (k % 5) * 0.3 - 0.6;
    const users = Int32Array.from([0, 5, -1, 19, -1, 7]);
    const items = Int32Array.from([3, -1, 4, 14, -1, 0]);
    const opts = { min: 3.4, max: 3.8 };
    const n = sgdBinding().sgdPredict(m, users, items, new Float32Array(6), { ...opts, threads: 2 });
    const t = sgdPredict(m, users, items, new Float32Array(6), opts);
    expect(Array.from(n)).toEqual(Array.from(t));
    const open = sgdPredict(m, users, items, new Float32Array(6), { min: -Infinity, max: Infinity });
    expect(open[4]).toBe(m.globalBias);
    expect(open[1]).toBe(Math.fround(m.globalBias + m.userBias[5]!));
    expect(open[2]).toBe(Math.fround(m.globalBias + m.itemBias[4]!));
  });

  it('computes dot products in the documented lane order', () => {
    const p = Float32Array.from({ length: 11 }, (_, k) => 0.1 * (k + 1));
    const q = Float32Array.from({ length: 11 }, (_, k) => 1 - 0.05 * k);
    let exact = 0;
    for (let k = 0; k < 11; k++) exact += p[k]! * q[k]!;
    expect(laneDot(p, 0, q, 0, 11)).toBeCloseTo(exact, 5);
  });

  it("computes the epoch's dot product in sixteen lanes and a fixed tree", () => {
    for (const k of [1, 11, 16, 40, 64, 100, 128]) {
      const p = Float32Array.from({ length: k }, (_, x) => 0.01 * (x + 1));
      const q = Float32Array.from({ length: k }, (_, x) => 1 - 0.003 * x);
      let exact = 0;
      for (let x = 0; x < k; x++) exact += p[x]! * q[x]!;
      expect(epochDot(p, 0, q, 0, k)).toBeCloseTo(exact, 4);
    }
    // One order, to the bit: 20 factors leave lanes 4..15 of the second partial sum empty.
    const p = Float32Array.from({ length: 20 }, (_, x) => 1 + x / 3);
    const q = Float32Array.from({ length: 20 }, (_, x) => 1 / (x + 1));
    const f = Math.fround;
    const lane = (l: number) => (l < 4 ? f(f(p[l]! * q[l]!) + f(p[16 + l]! * q[16 + l]!)) : f(p[l]! * q[l]!));
    const l8 = Array.from({ length: 8 }, (_, l) => f(lane(l) + lane(l + 8)));
    const l4 = Array.from({ length: 4 }, (_, l) => f(l8[l]! + l8[l + 4]!));
    const l2 = [f(l4[0]! + l4[2]!), f(l4[1]! + l4[3]!)];
    expect(epochDot(p, 0, q, 0, 20)).toBe(f(l2[0]! + l2[1]!));
  });
});
