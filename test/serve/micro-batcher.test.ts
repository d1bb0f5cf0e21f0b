/**
 * MicroBatcher: concurrent single-user calls answered by one batch call,
 * with results identical to recommend() for each call (warm, cold and
 * unknown users, filters, item-to-item models), errors kept per call, and
 * the options that only a single call takes sent alone.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EASE, ImplicitALS, MicroBatcher, type Recommendation, type Recommender } from '../../lib/index.js';
import { randomData } from '../helpers/implicit-data.js';

const data = randomData(300, 400, 0.05, 11);

/**
 * Same items in the same order, scores equal to float rounding: a batch
 * scores its users with one matrix product, whose BLAS kernels round a row's
 * sums differently by its position in the product (measured with OpenBLAS:
 * last-bit differences), so bit-equality with a single call cannot hold.
 */
function expectSame(got: Recommendation[], want: Recommendation[], label = ''): void {
  expect(
    got.map((r) => [r.item, r.source]),
    label,
  ).toEqual(want.map((r) => [r.item, r.source]));
  got.forEach((r, j) => expect(Math.abs(r.score - want[j]!.score), label).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[j]!.score))));
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('MicroBatcher', () => {
  let als: ImplicitALS;
  let ease: EASE;
  beforeAll(async () => {
    als = await new ImplicitALS({ factors: 32, iterations: 3, threads: 1 }).fit(data);
    ease = await new EASE({ lambda: 10, threads: 1 }).fit(data);
  });
  afterEach(() => vi.restoreAllMocks());

  const users = [...Array.from({ length: 40 }, (_, u) => u * 7), 'stranger', 3, 3];
  const optionSets = [undefined, { k: 5 }, { k: 7, filterSeen: false, exclude: [1, 2, 3] }, { candidates: Array.from({ length: 50 }, (_, i) => i * 3) }];

  for (const [name, model] of [
    ['ALS', () => als],
    ['EASE', () => ease],
  ] as const) {
    it(`${name}: concurrent calls equal single calls, in one batch call per set of options`, async () => {
      const m: Recommender = model();
      const spy = vi.spyOn(m, 'recommendBatch');
      const batcher = new MicroBatcher(m);
      const calls = optionSets.flatMap((o) => users.map((u) => ({ u, o, got: batcher.recommend(u, o) })));
      expect(batcher.pending).toBe(calls.length);
      for (const c of calls) expectSame(await c.got, m.recommend(c.u, c.o), `${c.u} ${JSON.stringify(c.o)}`);
      expect(spy).toHaveBeenCalledTimes(optionSets.length);
      for (const call of spy.mock.calls) expect(Array.from(call[0])).toEqual(users);
      spy.mockRestore();
    });
  }

  it('calls with the same compiled rules share one batch call and get what recommend() gives', async () => {
    const spy = vi.spyOn(als, 'recommendBatch');
    const batcher = new MicroBatcher(als);
    const rules = als.compileRules({ allowed: Array.from({ length: 100 }, (_, i) => i * 2), exclude: [4] });
    const calls = users.map((u) => ({ u, got: batcher.recommend(u, { k: 6, rules }) }));
    for (const c of calls) expectSame(await c.got, als.recommend(c.u, { k: 6, rules }), String(c.u));
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it('sends small groups as single calls and splits at maxBatch', async () => {
    const spy = vi.spyOn(als, 'recommendBatch');
    const few = new MicroBatcher(als, { minBatch: 4 });
    const three = [1, 2, 3].map((u) => few.recommend(u));
    for (const [j, p] of three.entries()) expect(await p).toEqual(als.recommend(j + 1));
    expect(spy).not.toHaveBeenCalled();
    const capped = new MicroBatcher(als, { maxBatch: 4, minBatch: 2 });
    const ten = Array.from({ length: 10 }, (_, u) => capped.recommend(u));
    for (const [u, p] of ten.entries()) expectSame(await p, als.recommend(u));
    expect(spy.mock.calls.map((c) => c[0].length)).toEqual([4, 4, 2]);
    spy.mockRestore();
  });

  it('waits up to windowMs for calls of later turns', async () => {
    const spy = vi.spyOn(als, 'recommendBatch');
    const batcher = new MicroBatcher(als, { windowMs: 1, minBatch: 2 });
    const first = batcher.recommend(1);
    await new Promise((r) => setImmediate(r));
    const second = batcher.recommend(2);
    expectSame(await first, als.recommend(1));
    expectSame(await second, als.recommend(2));
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it('keeps errors per call: a bad id or a cold user under coldStart error fails alone; bad options fail each call', async () => {
    const batcher = new MicroBatcher(als, { minBatch: 2 });
    const good = [1, 2, 3].map((u) => batcher.recommend(u, { coldStart: 'error' }));
    const bad = batcher.recommend({} as never, { coldStart: 'error' });
    const cold = batcher.recommend('stranger', { coldStart: 'error' });
    expect(await codeOf(bad)).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(cold)).toBe('ERR_MFREC_UNKNOWN_ID');
    for (const [j, p] of good.entries()) expectSame(await p, als.recommend(j + 1));
    const zero = [1, 2, 3].map((u) => batcher.recommend(u, { k: 0 }));
    for (const p of zero) expect(await codeOf(p)).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(batcher.recommend(1, { kk: 3 } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
    // recommendBatch takes a signal, recommend does not: the batcher answers as recommend would.
    const spy = vi.spyOn(als, 'recommendBatch');
    const signalled = [1, 2, 3].map((u) => batcher.recommend(u, { signal: new AbortController().signal } as never));
    for (const p of signalled) expect(await codeOf(p)).toBe('ERR_MFREC_UNKNOWN_OPTION');
    expect(spy).not.toHaveBeenCalled();
  });

  it('sends cart and recalculate calls alone, and follows a model source that changes', async () => {
    const spy = vi.spyOn(als, 'recommendBatch');
    let current: Recommender = als;
    const batcher = new MicroBatcher(() => current, { minBatch: 1 });
    expect(await batcher.recommend(5, { cart: [1, 2] })).toEqual(als.recommend(5, { cart: [1, 2] }));
    const interactions = { items: [4, 9] };
    expect(await batcher.recommend('x', { recalculate: true, interactions })).toEqual(als.recommend('x', { recalculate: true, interactions }));
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    current = ease;
    expect(await batcher.recommend(5)).toEqual(ease.recommend(5));
  });

  it('a model source that throws rejects the waiting calls with its error', async () => {
    const batcher = new MicroBatcher(() => {
      throw new Error('no model loaded');
    });
    const calls = [1, 2, 3].map((u) => batcher.recommend(u));
    for (const p of calls) await expect(p).rejects.toThrow('no model loaded');
  });

  it('refuses bad construction arguments with typed errors', () => {
    expect(() => new MicroBatcher({} as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
    expect(() => new MicroBatcher(als, { windowMs: 5 })).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
    expect(() => new MicroBatcher(als, { maxBatch: 0 })).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
    expect(() => new MicroBatcher(als, { window: 1 } as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_OPTION' }));
  });
});
