import { describe, expect, it } from 'vitest';
import { Interactions, kFold, perUserSplit, randomSplit, timeSplit, type Split } from '../../lib/index.js';
import { Rng } from '../../lib/random.js';

/** 40 users with 1..12 ratings each over 30 items, timestamps all distinct. */
function fixture(withTimes = true): Interactions {
  const rng = new Rng(3);
  const users: string[] = [];
  const items: string[] = [];
  const values: number[] = [];
  const timestamps: number[] = [];
  for (let u = 0; u < 40; u++) {
    const n = 1 + (u % 12);
    const picked = rng.shuffle(Array.from({ length: 30 }, (_, i) => i)).slice(0, n);
    for (const i of picked) {
      users.push(`u${u}`);
      items.push(`i${i}`);
      values.push(1 + rng.below(5));
      timestamps.push(1000 + timestamps.length * 7);
    }
  }
  return Interactions.fromArrays(users, items, withTimes ? { values, timestamps } : { values });
}

/** Every (user, item, value) of a set as strings, for set comparisons. */
function keys(d: Interactions): string[] {
  return [...d.entries()].map((e) => `${e.user}|${e.item}|${e.value}`);
}

function expectPartition(data: Interactions, s: Split): void {
  const train = keys(s.train);
  const test = keys(s.test);
  expect(train.length + test.length).toBe(data.nnz);
  expect(new Set([...train, ...test])).toEqual(new Set(keys(data)));
  expect(s.train.users).toBe(data.users);
  expect(s.test.items).toBe(data.items);
}

describe('randomSplit', () => {
  it('puts round(n × f) interactions in test, disjoint from train', () => {
    const d = fixture();
    const s = randomSplit(d, { testFraction: 0.3, seed: 1 });
    expect(s.test.nnz).toBe(Math.round(d.nnz * 0.3));
    expectPartition(d, s);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const d = fixture();
    expect(keys(randomSplit(d, { seed: 5 }).test)).toEqual(keys(randomSplit(d, { seed: 5 }).test));
    expect(keys(randomSplit(d, { seed: 5 }).test)).not.toEqual(keys(randomSplit(d, { seed: 6 }).test));
    expect(randomSplit(d).test.nnz).toBe(Math.round(d.nnz * 0.2));
  });

  it.each([
    [{ testFraction: 0 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ testFraction: 1.5 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ testFraction: NaN }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ testFraction: '0.2' }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ seed: -1 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ seed: 1.5 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ testFracton: 0.2 }, 'ERR_MFREC_UNKNOWN_OPTION'],
  ])('rejects %o with %s', (options, code) => {
    expect(() => randomSplit(fixture(), options as never)).toThrow(expect.objectContaining({ code }));
  });

  it('rejects empty data and non-interactions', () => {
    const empty = Interactions.fromArrays([], []);
    expect(() => randomSplit(empty)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_EMPTY_DATA' }));
    expect(() => randomSplit([] as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
  });
});

describe('kFold', () => {
  it('has disjoint test sets that cover every interaction, with near-equal sizes', () => {
    const d = fixture();
    const folds = kFold(d, { folds: 4, seed: 2 });
    expect(folds).toHaveLength(4);
    const all: string[] = [];
    for (const s of folds) {
      expectPartition(d, s);
      expect(Math.abs(s.test.nnz - d.nnz / 4)).toBeLessThanOrEqual(1);
      all.push(...keys(s.test));
    }
    expect(all).toHaveLength(d.nnz);
    expect(new Set(all)).toEqual(new Set(keys(d)));
  });

  it('is deterministic per seed and defaults to 5 folds', () => {
    const d = fixture();
    expect(kFold(d, { seed: 9 }).map((s) => keys(s.test))).toEqual(kFold(d, { seed: 9 }).map((s) => keys(s.test)));
    expect(kFold(d)).toHaveLength(5);
  });

  it.each([[1], [2.5], [-3], [1e9]])('rejects folds %s', (folds) => {
    expect(() => kFold(fixture(), { folds })).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
  });

  it('rejects unknown options', () => {
    expect(() => kFold(fixture(), { fold: 3 } as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_OPTION' }));
  });
});

describe('perUserSplit', () => {
  it('stratifies by user: each eligible user keeps about (1 - f) in train and at least one in each side', () => {
    const d = fixture();
    const s = perUserSplit(d, { testFraction: 0.25, seed: 4 });
    expectPartition(d, s);
    for (let u = 0; u < d.nUsers; u++) {
      const n = d.byUser.indptr[u + 1]! - d.byUser.indptr[u]!;
      const nTest = s.test.byUser.indptr[u + 1]! - s.test.byUser.indptr[u]!;
      const nTrain = s.train.byUser.indptr[u + 1]! - s.train.byUser.indptr[u]!;
      if (n < 2) {
        expect(nTest).toBe(0);
      } else {
        expect(nTest).toBe(Math.min(Math.max(1, Math.round(n * 0.25)), n - 1));
        expect(nTrain).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('honours minTrain and is deterministic', () => {
    const d = fixture();
    const s = perUserSplit(d, { testFraction: 0.9, minTrain: 3, seed: 1 });
    for (let u = 0; u < d.nUsers; u++) {
      const n = d.byUser.indptr[u + 1]! - d.byUser.indptr[u]!;
      const nTrain = s.train.byUser.indptr[u + 1]! - s.train.byUser.indptr[u]!;
      expect(nTrain).toBe(n < 4 ? n : 3);
    }
    expect(keys(perUserSplit(d, { seed: 8 }).test)).toEqual(keys(perUserSplit(d, { seed: 8 }).test));
  });

  it.each([[{ minTrain: -1 }], [{ minTrain: 0.5 }], [{ testFraction: -0.1 }]])('rejects %o', (options) => {
    expect(() => perUserSplit(fixture(), options)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
  });
});

describe('timeSplit', () => {
  it('sends interactions at or after `at` to test', () => {
    const d = fixture();
    const at = 1000 + 100 * 7;
    const s = timeSplit(d, { at });
    expectPartition(d, s);
    for (const e of s.train.entries()) expect(e.timestamp!).toBeLessThan(at);
    for (const e of s.test.entries()) expect(e.timestamp!).toBeGreaterThanOrEqual(at);
    expect(s.test.nnz).toBe(d.nnz - 100);
  });

  it('with testFraction, the latest interactions test', () => {
    const d = fixture();
    const s = timeSplit(d, { testFraction: 0.25 });
    expect(s.test.nnz).toBe(Math.round(d.nnz * 0.25));
    const latestTrain = Math.max(...[...s.train.entries()].map((e) => e.timestamp!));
    const earliestTest = Math.min(...[...s.test.entries()].map((e) => e.timestamp!));
    expect(latestTrain).toBeLessThan(earliestTest);
  });

  it('with testFraction and ties in time, takes the latest by time, then by storage position, as a stable sort would', () => {
    // 3,000 pairs over 8 distinct times: the cut falls inside a run of equal times.
    const users: string[] = [];
    const items: string[] = [];
    const timestamps: number[] = [];
    for (let k = 0; k < 3000; k++) {
      users.push(`u${k % 97}`);
      items.push(`i${k % 89}`);
      timestamps.push(((k * 7919) % 8) * 10);
    }
    const d = Interactions.fromArrays(users, items, { timestamps, aggregate: 'last' });
    const times = d.byUser.timestamps!;
    for (const testFraction of [0.01, 0.3, 0.5, 0.77, 1]) {
      const order = Int32Array.from({ length: d.nnz }, (_, k) => k).sort((a, b) => times[a]! - times[b]! || a - b);
      const nTest = Math.round(d.nnz * testFraction);
      const expected = new Set(Array.from(order.subarray(d.nnz - nTest)));
      const s = timeSplit(d, { testFraction });
      expectPartition(d, s);
      const key = (e: { user: unknown; item: unknown }) => `${String(e.user)} ${String(e.item)}`;
      const want = new Set([...expected].map((e) => key({ user: d.users.id(d.userOfEntry[e]!), item: d.items.id(d.byUser.indices[e]!) })));
      expect(new Set([...s.test.entries()].map(key))).toEqual(want);
    }
  });

  it('with testFraction, refuses a NaN timestamp, naming it', () => {
    const d = fixture();
    const times = d.byUser.timestamps!.slice();
    times[3] = Number.NaN;
    const m = d.byUser;
    const withNaN = Interactions.fromIndices(d.users, d.items, d.userOfEntry, m.indices, m.values, times);
    expect(() => timeSplit(withNaN, { testFraction: 0.2 })).toThrow(/timestamps\[3\]/);
  });

  it('needs timestamps and exactly one of at / testFraction', () => {
    const code = 'ERR_MFREC_INVALID_ARGUMENT';
    expect(() => timeSplit(fixture(false), { at: 5 })).toThrow(expect.objectContaining({ code }));
    expect(() => timeSplit(fixture(), {})).toThrow(expect.objectContaining({ code }));
    expect(() => timeSplit(fixture(), { at: 5, testFraction: 0.2 })).toThrow(expect.objectContaining({ code }));
    expect(() => timeSplit(fixture(), { at: NaN })).toThrow(expect.objectContaining({ code }));
    expect(() => timeSplit(fixture(), { after: 5 } as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_OPTION' }));
  });
});
