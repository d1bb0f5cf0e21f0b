import { describe, expect, it, vi } from 'vitest';
import { Interactions } from '../../../lib/data/interactions.js';
import type { FactorState } from '../../../lib/models/base/factor-model.js';
import { BatchRecommendations } from '../../../lib/models/base/batch-recommendations.js';
import { topkBinding } from '../../../lib/addon/topk.js';
import { HandMadeModel, randomInteractions, randomState } from '../../helpers/hand-made-model.js';

const data = randomInteractions(1, 60, 90, 0.15);
const state = randomState(2, data, 6);
const model = new HandMadeModel().setState(state);

/** Scores of every item for user row u, straight from the state. */
function allScores(s: FactorState, u: number): number[] {
  const f = s.factors;
  return Array.from({ length: s.items.size }, (_, i) => {
    let dot = 0;
    for (let p = 0; p < f; p++) dot += s.userFactors[u * f + p]! * s.itemFactors[i * f + p]!;
    return dot + (s.itemBias?.[i] ?? 0) + (s.userBias?.[u] ?? 0) + (s.globalBias ?? 0);
  });
}

function expected(s: FactorState, user: string, k: number, keep: (i: number) => boolean) {
  const u = s.users.index(user)!;
  return allScores(s, u)
    .map((score, i) => ({ i, score }))
    .filter(({ i }) => keep(i))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, k);
}

function seenBy(s: FactorState, user: string): Set<number> {
  const u = s.users.index(user)!;
  return new Set(s.seen.indices.subarray(s.seen.indptr[u]!, s.seen.indptr[u + 1]!));
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('recommend', () => {
  it('ranks unseen items by dot product, best first', () => {
    for (const user of ['u0', 'u17', 'u59']) {
      const seen = seenBy(state, user);
      const got = model.recommend(user, { k: 7 });
      const want = expected(state, user, 7, (i) => !seen.has(i));
      expect(got.map((r) => r.item)).toEqual(want.map(({ i }) => state.items.id(i)));
      got.forEach((r, j) => expect(r.score).toBeCloseTo(want[j]!.score, 4));
    }
  });

  it('filterSeen: false ranks seen items too; default k is 10', () => {
    const got = model.recommend('u3', { filterSeen: false });
    const want = expected(state, 'u3', 10, () => true);
    expect(got.map((r) => r.item)).toEqual(want.map(({ i }) => state.items.id(i)));
  });

  it('exclude removes items; candidates ranks exactly that subset, unknown ids skipped', () => {
    const seen = seenBy(state, 'u5');
    const top = model.recommend('u5', { k: 3 }).map((r) => r.item);
    const excluded = model.recommend('u5', { k: 3, exclude: [top[0]!, 'not-an-item'] }).map((r) => r.item);
    expect(excluded).not.toContain(top[0]);
    expect(excluded.slice(0, 2)).toEqual(top.slice(1));

    const candidates = ['i1', 'i2', 'i3', 'i40', 'i41', 'i80', 'nope', 'i2'];
    const got = model.recommend('u5', { k: 100, candidates, filterSeen: false });
    expect(got.map((r) => r.item).sort()).toEqual(['i1', 'i2', 'i3', 'i40', 'i41', 'i80'].sort());
    const want = expected(state, 'u5', 100, (i) => candidates.includes(String(state.items.id(i))));
    expect(got.map((r) => r.item)).toEqual(want.map(({ i }) => state.items.id(i)));
    const filtered = model.recommend('u5', { k: 100, candidates });
    for (const r of filtered) expect(seen.has(state.items.index(r.item)!)).toBe(false);
    expect(model.recommend('u5', { candidates: ['nope'] })).toEqual([]);
  });

  it('k larger than the catalogue returns every item that qualifies', () => {
    const seen = seenBy(state, 'u9');
    expect(model.recommend('u9', { k: 1000 })).toHaveLength(90 - seen.size);
  });

  it('raw ids match by their string form', () => {
    const numeric = Interactions.fromArrays([1, 1, 2, 2, 3], [10, 11, 11, 12, 10]);
    const m = new HandMadeModel().setState(randomState(3, numeric, 2));
    expect(m.recommend('1', { filterSeen: false })).toEqual(m.recommend(1, { filterSeen: false }));
  });

  it('explicit states score predicted ratings: global + user bias + item bias + dot', () => {
    const s = randomState(4, data, 6, 'explicit');
    const m = new HandMadeModel().setState(s);
    const seen = seenBy(s, 'u2');
    const got = m.recommend('u2', { k: 5 });
    const want = expected(s, 'u2', 5, (i) => !seen.has(i));
    expect(got.map((r) => r.item)).toEqual(want.map(({ i }) => s.items.id(i)));
    got.forEach((r, j) => expect(r.score).toBeCloseTo(want[j]!.score, 4));
  });

  it('item bias alone (BPR-style) is added', () => {
    const s = randomState(5, data, 6, 'item');
    const m = new HandMadeModel().setState(s);
    const want = expected(s, 'u8', 4, () => true);
    expect(m.recommend('u8', { k: 4, filterSeen: false }).map((r) => r.item)).toEqual(want.map(({ i }) => s.items.id(i)));
  });
});

describe('cold start', () => {
  const byPopularity = Array.from({ length: 90 }, (_, i) => i)
    .sort((a, b) => state.itemPopularity[b]! - state.itemPopularity[a]! || a - b)
    .map((i) => state.items.id(i));

  it('an unknown user gets the popular items by default, scored by their share of training users', () => {
    const got = model.recommend('stranger', { k: 5 });
    expect(got.map((r) => r.item)).toEqual(byPopularity.slice(0, 5));
    const trained = model.userIds.filter((u) => model.hasUser(u)).length;
    expect(got[0]!.score).toBe(Math.fround(state.itemPopularity[state.items.index(got[0]!.item)!]! / trained));
    expect(got.every((r) => r.source === 'cold-start' && r.score >= 0 && r.score <= 1)).toBe(true);
    const excluded = model.recommend('stranger', { k: 5, exclude: [byPopularity[0]!] });
    expect(excluded.map((r) => r.item)).toEqual(byPopularity.slice(1, 6));
  });

  it("coldStart: 'error' throws ERR_MFREC_UNKNOWN_ID", async () => {
    expect(codeOf(() => model.recommend('stranger', { coldStart: 'error' }))).toBe('ERR_MFREC_UNKNOWN_ID');
    await expect(model.recommendBatch(['u1', 'stranger'], { coldStart: 'error' })).rejects.toMatchObject({
      code: 'ERR_MFREC_UNKNOWN_ID',
    });
  });

  it('a known user with no training interactions is cold too', async () => {
    const users = data.users.clone();
    users.add('newcomer');
    const s: FactorState = {
      ...state,
      users,
      userFactors: Float32Array.from([...state.userFactors, 1, 1, 1, 1, 1, 1]),
      seen: { ...state.seen, rows: state.seen.rows + 1, indptr: Int32Array.from([...state.seen.indptr, state.seen.indices.length]) },
    };
    const m = new HandMadeModel().setState(s);
    expect(m.recommend('newcomer', { k: 3 }).map((r) => r.item)).toEqual(byPopularity.slice(0, 3));
    expect(codeOf(() => m.recommend('newcomer', { coldStart: 'error' }))).toBe('ERR_MFREC_UNKNOWN_ID');
    const batch = await m.recommendBatch(['u0', 'newcomer']);
    expect(Array.from(batch.coldStart)).toEqual([0, 1]);
  });

  it('a batch mixing warm and cold users fills each row correctly', async () => {
    const users = ['u4', 'ghost', 'u30', 'ghost2'];
    const batch = await model.recommendBatch(users, { k: 4 });
    expect(Array.from(batch.coldStart)).toEqual([0, 1, 0, 1]);
    users.forEach((user, r) => expect(batch.row(r)).toEqual(model.recommend(user, { k: 4 })));
  });
});

describe('recommendBatch and recommendAll', () => {
  it('batch rows equal single calls, with flat typed arrays and an id accessor', async () => {
    const users = ['u10', 'u0', 'u10', 'u44'];
    const batch = await model.recommendBatch(users, { k: 6, exclude: ['i0'] });
    expect(batch).toBeInstanceOf(BatchRecommendations);
    expect(batch.k).toBe(6);
    expect(batch.items).toHaveLength(24);
    expect(batch.users).toEqual(users);
    users.forEach((user, r) => {
      const single = model.recommend(user, { k: 6, exclude: ['i0'] });
      expect(batch.row(r).map((x) => x.item)).toEqual(single.map((x) => x.item));
      expect(batch.itemId(batch.items[r * 6]!)).toBe(single[0]!.item);
    });
    expect([...batch.entries()].map((e) => e.user)).toEqual(users);
  });

  it('batch k shrinks to what can be ranked; rows pad with −1 / −Infinity', async () => {
    const batch = await model.recommendBatch(['u1', 'u2'], { k: 50, candidates: ['i1', 'i2', 'i3', 'i4', 'i5'] });
    expect(batch.k).toBe(5);
    for (let j = 0; j < batch.items.length; j++) {
      if (batch.items[j] === -1) expect(batch.scores[j]).toBe(-Infinity);
    }
  });

  it('recommendAll covers every user exactly once in bounded blocks', async () => {
    const seen: string[] = [];
    let blocks = 0;
    for await (const block of model.recommendAll({ k: 3, blockSize: 7 })) {
      blocks++;
      expect(block.length).toBeLessThanOrEqual(7);
      expect(block.items.length).toBe(block.length * 3);
      for (let r = 0; r < block.length; r++) {
        seen.push(String(block.users[r]));
        expect(block.row(r)).toEqual(model.recommend(block.users[r]!, { k: 3 }));
      }
    }
    expect(blocks).toBe(Math.ceil(60 / 7));
    expect(seen).toEqual(state.users.toArray().map(String));
  });

  it('recommendAll validates its options when called', () => {
    expect(codeOf(() => model.recommendAll({ blockSize: 0 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(codeOf(() => model.recommendAll({ blocksize: 5 } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
  });
});

describe('similar items and users', () => {
  it('an identical vector is the most similar (cosine 1); the query is never its own neighbour', () => {
    const s: FactorState = { ...state, itemFactors: state.itemFactors.slice() };
    const [a, b] = [s.items.index('i3')!, s.items.index('i50')!];
    s.itemFactors.set(
      s.itemFactors.subarray(a * 6, (a + 1) * 6).map((x) => x * 2),
      b * 6,
    ); // same direction
    const m = new HandMadeModel().setState(s);
    const similar = m.similarItems('i3', { k: 5 });
    expect(similar[0]!.item).toBe('i50');
    expect(similar[0]!.score).toBeCloseTo(1, 5);
    expect(similar.map((r) => r.item)).not.toContain('i3');
    for (let j = 1; j < similar.length; j++) expect(similar[j]!.score).toBeLessThanOrEqual(similar[j - 1]!.score);
  });

  it('matches cosine similarity computed by hand, within candidates', () => {
    const f = 6;
    const cos = (x: string, y: string) => {
      const [a, b] = [state.items.index(x)!, state.items.index(y)!];
      let d = 0,
        na = 0,
        nb = 0;
      for (let p = 0; p < f; p++) {
        d += state.itemFactors[a * f + p]! * state.itemFactors[b * f + p]!;
        na += state.itemFactors[a * f + p]! ** 2;
        nb += state.itemFactors[b * f + p]! ** 2;
      }
      return d / Math.sqrt(na * nb);
    };
    const candidates = ['i7', 'i8', 'i9', 'i10', 'i11', 'i12'];
    const got = model.similarItems('i7', { k: 10, candidates });
    expect(got).toHaveLength(5);
    const want = candidates
      .slice(1)
      .map((j) => ({ j, c: cos('i7', j) }))
      .sort((a, b) => b.c - a.c);
    expect(got.map((r) => r.item)).toEqual(want.map(({ j }) => j));
    got.forEach((r, x) => expect(r.score).toBeCloseTo(want[x]!.c, 5));
  });

  it('similarUsers finds an identical user first', () => {
    const s: FactorState = { ...state, userFactors: state.userFactors.slice() };
    const [a, b] = [s.users.index('u0')!, s.users.index('u20')!];
    s.userFactors.set(s.userFactors.subarray(a * 6, (a + 1) * 6), b * 6);
    const m = new HandMadeModel().setState(s);
    const got = m.similarUsers('u0', { k: 3 });
    expect(got[0]!.user).toBe('u20');
    expect(got[0]!.score).toBeCloseTo(1, 5);
    expect(got).toHaveLength(3);
  });

  it('unknown ids throw ERR_MFREC_UNKNOWN_ID', () => {
    expect(codeOf(() => model.similarItems('nope'))).toBe('ERR_MFREC_UNKNOWN_ID');
    expect(codeOf(() => model.similarUsers('nope'))).toBe('ERR_MFREC_UNKNOWN_ID');
  });
});

describe('bad input', () => {
  it('every method refuses an unfitted model with ERR_MFREC_NOT_FITTED', async () => {
    const m = new HandMadeModel();
    expect(codeOf(() => m.recommend('u0'))).toBe('ERR_MFREC_NOT_FITTED');
    await expect(m.recommendBatch(['u0'])).rejects.toMatchObject({ code: 'ERR_MFREC_NOT_FITTED' });
    expect(codeOf(() => m.recommendAll())).toBe('ERR_MFREC_NOT_FITTED');
    expect(codeOf(() => m.similarItems('i0'))).toBe('ERR_MFREC_NOT_FITTED');
    expect(codeOf(() => m.similarUsers('u0'))).toBe('ERR_MFREC_NOT_FITTED');
  });

  it.each([
    ['k = 0', { k: 0 }],
    ['k = 1.5', { k: 1.5 }],
    ['k as a string', { k: '3' }],
    ['filterSeen not boolean', { filterSeen: 'yes' }],
    ['exclude not an array', { exclude: 'i1' }],
    ['exclude holding an object', { exclude: [{}] }],
    ['candidates holding NaN', { candidates: [NaN] }],
    ['unknown coldStart policy', { coldStart: 'random' }],
    ['negative threads', { threads: -1 }],
    ['options not an object', 5],
  ])('%s → ERR_MFREC_INVALID_ARGUMENT', (_what, options) => {
    expect(codeOf(() => model.recommend('u0', options as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });

  it('a misspelt option → ERR_MFREC_UNKNOWN_OPTION with a hint', () => {
    expect(() => model.recommend('u0', { filterseen: false } as never)).toThrow(/Did you mean 'filterSeen'/);
    expect(codeOf(() => model.similarItems('i0', { filterSeen: true } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
    expect(codeOf(() => model.similarUsers('u0', { candidates: [] } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
  });

  it('bad ids → ERR_MFREC_INVALID_ARGUMENT', async () => {
    expect(codeOf(() => model.recommend({} as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(codeOf(() => model.similarItems(Infinity))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(codeOf(() => model.similarUsers('u0', { k: 0 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    await expect(model.recommendBatch('u0' as never)).rejects.toMatchObject({ code: 'ERR_MFREC_INVALID_ARGUMENT' });
    await expect(model.recommendBatch(['u0', null] as never)).rejects.toMatchObject({ code: 'ERR_MFREC_INVALID_ARGUMENT' });
  });
});

describe('similarItemsBatch', () => {
  it('row r holds the neighbours of items[r], equal to similarItems', async () => {
    const items = ['i4', 'i0', 'i4', 'i89'];
    for (const options of [{ k: 6 }, { k: 20, candidates: ['i0', 'i1', 'i2', 'i4', 'i9', 'nope'] }]) {
      const batch = await model.similarItemsBatch(items, { ...options, threads: 2 });
      expect(batch).toBeInstanceOf(BatchRecommendations);
      expect(batch.queries).toEqual(items);
      expect(batch.users).toBe(batch.queries);
      expect(Array.from(batch.coldStart)).toEqual([0, 0, 0, 0]);
      items.forEach((item, r) => {
        const single = model.similarItems(item, options);
        expect(batch.row(r).map((x) => x.item)).toEqual(single.map((x) => x.item));
        batch.row(r).forEach((x, j) => expect(x.score).toBeCloseTo(single[j]!.score, 5));
      });
    }
  });

  it('pads rows whose query is among the candidates; an empty list gives an empty result', async () => {
    const batch = await model.similarItemsBatch(['i1', 'i50'], { k: 10, candidates: ['i1', 'i2', 'i3'] });
    expect(batch.k).toBe(3);
    expect(
      batch
        .row(0)
        .map((x) => x.item)
        .sort(),
    ).toEqual(['i2', 'i3']);
    expect(batch.items[2]).toBe(-1);
    expect(batch.scores[2]).toBe(-Infinity);
    expect(batch.row(1)).toHaveLength(3);
    const empty = await model.similarItemsBatch([]);
    expect(empty.length).toBe(0);
    expect(empty.items).toHaveLength(0);
  });

  it('an unknown item rejects with ERR_MFREC_UNKNOWN_ID; bad options with their codes', async () => {
    await expect(model.similarItemsBatch(['i1', 'nope'])).rejects.toMatchObject({ code: 'ERR_MFREC_UNKNOWN_ID' });
    await expect(model.similarItemsBatch(['i1'], { k: 0 })).rejects.toMatchObject({ code: 'ERR_MFREC_INVALID_ARGUMENT' });
    await expect(model.similarItemsBatch(['i1'], { signal: 'stop' } as never)).rejects.toMatchObject({ code: 'ERR_MFREC_INVALID_ARGUMENT' });
    await expect(model.similarItemsBatch(['i1'], { filterSeen: false } as never)).rejects.toMatchObject({ code: 'ERR_MFREC_UNKNOWN_OPTION' });
  });
});

describe('cancelling batch calls', () => {
  /** Runs `call` with the async top-K kernel spied on; `flags()` lists the cancel flags it was handed so far. */
  async function withKernelSpy(call: (flags: () => Array<Int32Array | undefined>) => Promise<void>): Promise<void> {
    const spy = vi.spyOn(topkBinding(), 'topk');
    try {
      await call(() => spy.mock.calls.map(([args]) => args.cancel));
    } finally {
      spy.mockRestore();
    }
  }

  it('recommendBatch: the signal sets the kernel cancel flag and the call rejects with ERR_MFREC_ABORTED', async () => {
    await withKernelSpy(async (flags) => {
      const controller = new AbortController();
      const running = model.recommendBatch(['u0', 'u1', 'u2'], { signal: controller.signal });
      expect(flags()).toHaveLength(1);
      const [flag] = flags();
      expect(flag).toBeInstanceOf(Int32Array);
      expect(flag![0]).toBe(0);
      controller.abort();
      expect(flag![0]).toBe(1);
      await expect(running).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
    });
  });

  it('recommendBatch: an already aborted signal rejects before any work; an unused signal changes nothing', async () => {
    await withKernelSpy(async (flags) => {
      await expect(model.recommendBatch(['u0'], { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
      await expect(model.recommendBatch(['stranger'], { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
      expect(flags()).toHaveLength(0);
    });
    const quiet = await model.recommendBatch(['u0', 'u7'], { k: 4, signal: new AbortController().signal });
    expect(quiet.row(1)).toEqual(model.recommend('u7', { k: 4 }));
  });

  it('recommendAll: aborting between blocks rejects the next block; an aborted signal rejects the first', async () => {
    const controller = new AbortController();
    const blocks = model.recommendAll({ k: 2, blockSize: 10, signal: controller.signal });
    const first = await blocks.next();
    expect(first.done).toBe(false);
    controller.abort();
    await expect(blocks.next()).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
    await expect(model.recommendAll({ signal: AbortSignal.abort() }).next()).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
  });

  it('recommendAll passes the flag to the kernel of each block', async () => {
    await withKernelSpy(async (flags) => {
      const controller = new AbortController();
      const blocks = model.recommendAll({ blockSize: 30, signal: controller.signal });
      const first = blocks.next();
      expect(flags()).toHaveLength(1);
      controller.abort();
      expect(flags()[0]![0]).toBe(1);
      await expect(first).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
    });
  });

  it('similarItemsBatch honours its signal the same way', async () => {
    await withKernelSpy(async (flags) => {
      const controller = new AbortController();
      const running = model.similarItemsBatch(['i0', 'i1'], { signal: controller.signal });
      expect(flags()).toHaveLength(1);
      controller.abort();
      expect(flags()[0]![0]).toBe(1);
      await expect(running).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
    });
    await expect(model.similarItemsBatch(['i0'], { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
  });

  it('signal must be an AbortSignal, and only the asynchronous calls take one', async () => {
    await expect(model.recommendBatch(['u0'], { signal: {} } as never)).rejects.toMatchObject({ code: 'ERR_MFREC_INVALID_ARGUMENT' });
    expect(codeOf(() => model.recommendAll({ signal: true } as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(codeOf(() => model.recommend('u0', { signal: AbortSignal.abort() } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
    expect(codeOf(() => model.similarItems('i0', { signal: AbortSignal.abort() } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
  });
});
