import { describe, expect, it } from 'vitest';
import { Interactions } from '../../../lib/data/interactions.js';
import { BPR, BPR_DEFAULTS, bprInitialFactors } from '../../../lib/models/bpr/bpr.js';
import { bprBinding, type BprEpochArgs } from '../../../lib/addon/bpr.js';
import { bprEpochTwin } from '../../../lib/twins/bpr.js';
import { bprEpochArgs } from '../../helpers/bpr-epoch-args.js';
import { randomInteractions } from '../../helpers/hand-made-model.js';

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
  return bprEpochArgs(data, factors, { scale: 30, seed: 123, verifyNegative });
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
  // 64 factors: the kernel's 16-factor loops (its AVX-512 copy where the CPU has one).
  it.each([
    [true, 8],
    [false, 8],
    [true, 64],
  ])('one epoch at one thread matches the twin (verifyNegative %s, %i factors)', async (verify, factors) => {
    const data = randomInteractions(4, 50, 80, 0.2);
    const base = epochArgs(data, factors, verify);
    const nat = copy(base);
    const twin = copy(base);
    const ns = await bprBinding().bprEpoch(nat);
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
    await bprBinding().bprEpoch(one);
    await bprBinding().bprEpoch(two);
    expect(maxDiff(one.userFactors, two.userFactors)).toBeGreaterThan(0);
  });

  it('refuses arrays of the wrong length or type', async () => {
    const data = randomInteractions(6, 5, 6, 0.5);
    const a = epochArgs(data, 2, true);
    await expect(codeOf(() => bprBinding().bprEpoch({ ...a, itemBias: new Float32Array(1) }))).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
    await expect(codeOf(() => bprBinding().bprEpoch({ ...a, indices: new Float32Array(a.indices.length) as never }))).resolves.toBe(
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

  it('diverging training fails with ERR_MFREC_DIVERGED', async () => {
    const model = new BPR({ learningRate: 10, regularization: 1, iterations: 20, threads: 1 });
    await expect(model.fit(checkerboard())).rejects.toMatchObject({ code: 'ERR_MFREC_DIVERGED' });
    expect(model.isFitted).toBe(false);
  });
});

describe("BPR backend 'native' | 'js'", () => {
  const vectors = (m: BPR) => [...m.userIds.map((u) => m.userVector(u)!), ...m.itemIds.map((i) => m.itemVector(i)!)];
  const scores = (m: BPR) => m.userIds.flatMap((u) => m.recommend(u, { k: 5, filterSeen: false }).map((r) => r.score));

  it('both backends agree after one epoch at one thread with the same seed', async () => {
    const data = randomInteractions(11, 40, 60, 0.15);
    const options = { factors: 8, iterations: 1, threads: 1, seed: 21, learningRate: 0.1 };
    const native = await new BPR({ ...options, backend: 'native' }).fit(data);
    const js = await new BPR({ ...options, backend: 'js' }).fit(data);
    const [a, b] = [vectors(native), vectors(js)];
    a.forEach((v, r) => expect(maxDiff(v, b[r]!)).toBeLessThan(1e-5));
    const [x, y] = [scores(native), scores(js)];
    x.forEach((s, j) => expect(Math.abs(s - y[j]!)).toBeLessThan(1e-5));
    expect(js.history[0]!.trainLoss!).toBeCloseTo(native.history[0]!.trainLoss!, 5);
    // It trained: the vectors moved away from where both started.
    const start = bprInitialFactors(data.nUsers, 8, 21, 0);
    expect(maxDiff(Float32Array.from(a.slice(0, data.nUsers).flatMap((v) => [...v])), start)).toBeGreaterThan(1e-3);
  });

  it("'js' runs one thread whatever threads says; 'native' splits the samples over threads", async () => {
    const data = randomInteractions(12, 30, 40, 0.2);
    const fit = (backend: 'native' | 'js', threads: number) => new BPR({ factors: 4, iterations: 2, seed: 3, threads, backend }).fit(data);
    expect(vectors(await fit('js', 2))).toEqual(vectors(await fit('js', 1)));
    expect(vectors(await fit('native', 2))).not.toEqual(vectors(await fit('native', 1)));
  });

  it("'native' is the default; the backend is a JSON-serializable param, validated", async () => {
    expect(new BPR().params.backend).toBe('native');
    const js = new BPR({ backend: 'js' });
    expect(JSON.parse(JSON.stringify(js.params))).toEqual(js.params);
    expect(await codeOf(() => new BPR({ backend: 'wasm' } as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(() => new BPR({ backend: 'gpu' } as never)).toThrow("Expected one of 'native', 'js' for backend but received \"gpu\" of type string");
    expect(() => new BPR({ backnd: 'js' } as never)).toThrow(/Did you mean 'backend'\?/);
  });

  it("'js' reports every epoch, releases the event loop between epochs and stops there on abort", async () => {
    const data = randomInteractions(13, 30, 40, 0.2);
    const model = new BPR({ factors: 4, iterations: 50, backend: 'js' });
    const controller = new AbortController();
    const reports: number[] = [];
    const fit = model.fit(data, { signal: controller.signal, onIteration: (r) => reports.push(r.iteration) });
    // A timer fires while the fit runs: epochs do not hold the event loop.
    await new Promise((resolve) => setTimeout(resolve, 0));
    controller.abort();
    expect(await codeOf(fit)).toBe('ERR_MFREC_ABORTED');
    expect(reports.length).toBeLessThan(50);
    expect(reports).toEqual(Array.from({ length: reports.length }, (_, i) => i + 1));
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
});
