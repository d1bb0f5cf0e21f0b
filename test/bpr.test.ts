import { describe, expect, it } from 'vitest';
import { Interactions } from '../lib/data/interactions.js';
import { BPR, BPR_DEFAULTS, bprInitialFactors } from '../lib/models/bpr.js';
import { bprAddon, type BprEpochArgs } from '../lib/models/bpr-kernel.js';
import { bprEpochTwin } from '../lib/twins/bpr.js';
import { randomInteractions } from './helpers/hand-made-model.js';

/** Two groups: users g0-* like items a*, users g1-* like items b*; each user misses one item of their group. */
function checkerboard(): Interactions {
  const users: string[] = [];
  const items: string[] = [];
  for (let g = 0; g < 2; g++) {
    for (let u = 0; u < 20; u++) {
      for (let i = 0; i < 10; i++) {
        if (i === u % 10) continue;
        users.push(`g${g}-${u}`);
        items.push(`${g === 0 ? 'a' : 'b'}${i}`);
      }
    }
  }
  return Interactions.fromArrays(users, items);
}

function epochArgs(data: Interactions, factors: number, verifyNegative: boolean): BprEpochArgs {
  return {
    indptr: data.byUser.indptr,
    indices: data.byUser.indices,
    userOfEntry: data.userOfEntry,
    users: data.nUsers,
    items: data.nItems,
    factors,
    userFactors: bprInitialFactors(data.nUsers, factors, 9, 0).map((x) => x * 30),
    itemFactors: bprInitialFactors(data.nItems, factors, 9, 1).map((x) => x * 30),
    itemBias: Float32Array.from({ length: data.nItems }, (_, i) => (i % 7) * 0.01),
    learningRate: 0.05,
    regularization: 0.01,
    seed: 123,
    epoch: 1,
    threads: 1,
    verifyNegative,
  };
}

function copy(a: BprEpochArgs): BprEpochArgs {
  return { ...a, userFactors: a.userFactors.slice(), itemFactors: a.itemFactors.slice(), itemBias: a.itemBias.slice() };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('BPR kernel vs twin', () => {
  it.each([true, false])('one epoch at one thread matches the twin (verifyNegative %s)', async (verify) => {
    const data = randomInteractions(4, 50, 80, 0.2);
    const base = epochArgs(data, 8, verify);
    const nat = copy(base);
    const twin = copy(base);
    const ns = await bprAddon().bprEpoch(nat);
    const ts = bprEpochTwin(twin);
    expect(ns.samples).toBe(ts.samples);
    expect(ns.correct).toBe(ts.correct);
    expect(ns.loss).toBeCloseTo(ts.loss, 3);
    expect(maxDiff(nat.userFactors, twin.userFactors)).toBeLessThan(1e-5);
    expect(maxDiff(nat.itemFactors, twin.itemFactors)).toBeLessThan(1e-5);
    expect(maxDiff(nat.itemBias, twin.itemBias)).toBeLessThan(1e-5);
    expect(maxDiff(nat.itemFactors, base.itemFactors)).toBeGreaterThan(1e-3); // it did train
  });

  it('later epochs draw different samples', async () => {
    const data = randomInteractions(5, 20, 30, 0.3);
    const one = copy(epochArgs(data, 4, true));
    const two = { ...copy(one), epoch: 2 };
    await bprAddon().bprEpoch(one);
    await bprAddon().bprEpoch(two);
    expect(maxDiff(one.userFactors, two.userFactors)).toBeGreaterThan(0);
  });

  it('refuses arrays of the wrong length or type', async () => {
    const data = randomInteractions(6, 5, 6, 0.5);
    const a = epochArgs(data, 2, true);
    await expect(codeOf(() => bprAddon().bprEpoch({ ...a, itemBias: new Float32Array(1) }))).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
    await expect(codeOf(() => bprAddon().bprEpoch({ ...a, indices: new Float32Array(a.indices.length) as never }))).resolves.toBe(
      'ERR_MFREC_INVALID_ARGUMENT',
    );
  });
});

describe('BPR model', () => {
  it('recommends within the group on a checkerboard', async () => {
    const data = checkerboard();
    const model = await new BPR({ factors: 4, iterations: 100, learningRate: 0.1, threads: 1 }).fit(data);
    for (let g = 0; g < 2; g++) {
      for (let u = 0; u < 20; u++) {
        const [top] = model.recommend(`g${g}-${u}`, { k: 1 });
        expect(top!.item).toBe(`${g === 0 ? 'a' : 'b'}${u % 10}`);
      }
    }
    // Items of one group are each other's neighbours.
    for (const r of model.similarItems('a0', { k: 5 })) expect(String(r.item)).toMatch(/^a/);
  });

  it('one thread and a seed: bit-reproducible; the state has item biases and popularity', async () => {
    const data = randomInteractions(7, 30, 40, 0.2);
    const a = await new BPR({ factors: 5, iterations: 3, threads: 1, seed: 5 }).fit(data);
    const b = await new BPR({ factors: 5, iterations: 3, threads: 1, seed: 5 }).fit(data);
    expect(a.userVector('u3')).toEqual(b.userVector('u3'));
    expect(a.itemVector('i7')).toEqual(b.itemVector('i7'));
    expect(a.recommend('u3', { k: 40 })).toEqual(b.recommend('u3', { k: 40 }));
    const c = await new BPR({ factors: 5, iterations: 3, threads: 1, seed: 6 }).fit(data);
    expect(c.userVector('u3')).not.toEqual(a.userVector('u3'));
    // Scores are dot products plus the item's bias: score − dot is the same for every user.
    const biasSeenBy = (user: string) => {
      const [r] = a.recommend(user, { candidates: ['i7'], filterSeen: false });
      const uv = a.userVector(user)!;
      const iv = a.itemVector('i7')!;
      return r!.score - uv.reduce((s, x, p) => s + x * iv[p]!, 0);
    };
    expect(biasSeenBy('u3')).toBeCloseTo(biasSeenBy('u11'), 5);
    expect(Math.abs(biasSeenBy('u3'))).toBeGreaterThan(1e-4);
  });

  it('reports every epoch; the loss falls', async () => {
    const data = checkerboard();
    const reports: number[] = [];
    const model = new BPR({ factors: 4, iterations: 20, learningRate: 0.1 });
    await model.fit(data, {
      onIteration: (r) => {
        expect(r.seconds).toBeGreaterThanOrEqual(0);
        reports.push(r.trainLoss!);
      },
    });
    expect(reports).toHaveLength(20);
    expect(reports[0]).toBeCloseTo(Math.LN2, 1);
    expect(reports.at(-1)!).toBeLessThan(reports[0]! * 0.8);
    expect(model.history.map((r) => r.iteration)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('abort keeps the previous state and rejects with ERR_MFREC_ABORTED', async () => {
    const data = checkerboard();
    const model = await new BPR({ factors: 3, iterations: 5, threads: 1 }).fit(data);
    const before = model.recommend('g0-1');
    const controller = new AbortController();
    const other = randomInteractions(8, 10, 10, 0.5);
    const fit = model.fit(other, { signal: controller.signal, onIteration: (r) => r.iteration === 2 && controller.abort() });
    await expect(fit).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
    expect(model.recommend('g0-1')).toEqual(before);
    expect(model.isTraining).toBe(false);

    const fresh = new BPR({ iterations: 2 });
    await expect(fresh.fit(data, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
    expect(fresh.isFitted).toBe(false);
  });

  it('a second fit while one runs is refused with ERR_MFREC_BUSY; reads keep serving', async () => {
    const data = checkerboard();
    const model = await new BPR({ factors: 3, iterations: 2 }).fit(data);
    const first = model.fit(data);
    expect(model.isTraining).toBe(true);
    await expect(model.fit(data)).rejects.toMatchObject({ code: 'ERR_MFREC_BUSY' });
    expect(model.recommend('g1-3', { k: 2 })).toHaveLength(2);
    await first;
  });

  it('an exception thrown by onIteration ends the fit with it', async () => {
    const model = new BPR({ iterations: 3 });
    await expect(model.fit(checkerboard(), { onIteration: () => { throw new Error('stop'); } })).rejects.toThrow('stop');
    expect(model.isFitted).toBe(false);
  });

  it('diverging training fails with ERR_MFREC_DIVERGED', async () => {
    const model = new BPR({ learningRate: 10, regularization: 1, iterations: 20, threads: 1 });
    await expect(model.fit(checkerboard())).rejects.toMatchObject({ code: 'ERR_MFREC_DIVERGED' });
    expect(model.isFitted).toBe(false);
  });
});

describe('BPR bad input', () => {
  it('defaults are complete and exposed', () => {
    expect(new BPR().params).toEqual(BPR_DEFAULTS);
    expect(new BPR().type).toBe('bpr');
  });

  it.each([
    ['factors 0', { factors: 0 }],
    ['factors 1.5', { factors: 1.5 }],
    ['iterations 0', { iterations: 0 }],
    ['learningRate 0', { learningRate: 0 }],
    ['learningRate NaN', { learningRate: NaN }],
    ['regularization -1', { regularization: -1 }],
    ['threads -1', { threads: -1 }],
    ['seed -1', { seed: -1 }],
    ['seed 2^32', { seed: 2 ** 32 }],
    ['verifyNegative "yes"', { verifyNegative: 'yes' }],
    ['options not an object', 'fast'],
  ])('%s → ERR_MFREC_INVALID_ARGUMENT', async (_what, options) => {
    expect(await codeOf(() => new BPR(options as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });

  it('a misspelt option → ERR_MFREC_UNKNOWN_OPTION with a hint', () => {
    expect(() => new BPR({ learningrate: 0.1 } as never)).toThrow(/Did you mean 'learningRate'/);
  });

  it('bad data and control', async () => {
    const model = new BPR({ iterations: 1 });
    expect(await codeOf(model.fit({} as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(model.fit(Interactions.fromArrays([], [])))).toBe('ERR_MFREC_EMPTY_DATA');
    expect(await codeOf(model.fit(checkerboard(), { onIteration: 5 } as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(model.fit(checkerboard(), { signal: {} } as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(model.fit(checkerboard(), { onIter: () => {} } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
    expect(await codeOf(() => model.recommend('g0-0'))).toBe('ERR_MFREC_NOT_FITTED');
  });
});
