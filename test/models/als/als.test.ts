import { describe, expect, it } from 'vitest';
import { ImplicitALS, IMPLICIT_ALS_DEFAULTS, Interactions, MfrecError, type IterationReport } from '../../../lib/index.js';
import type { FactorState } from '../../../lib/models/base/factor-model.js';
import { initialFactors, kernelOptions } from '../../../lib/models/als/implicit-als.js';
import { alsIteration } from '../../../lib/twins/als.js';
import { checkerboard, randomData } from '../../helpers/implicit-data.js';

const stateOf = (m: ImplicitALS) => (m as unknown as { state: FactorState }).state;

async function errorCode(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(MfrecError);
    return (e as MfrecError).code;
  }
  return 'no error';
}

describe('ImplicitALS', () => {
  it('resolves documented, JSON-serializable defaults', () => {
    const m = new ImplicitALS();
    expect(m.type).toBe('als');
    expect(m.params).toEqual(IMPLICIT_ALS_DEFAULTS);
    expect(JSON.parse(JSON.stringify(m.params))).toEqual(m.params);
    expect(new ImplicitALS({ factors: 8, solver: 'cholesky' }).params).toMatchObject({ factors: 8, solver: 'cholesky', cgSteps: 3 });
    expect(m.isFitted).toBe(false);
  });

  it('regularizationExponent shapes the scaled λ: 0 is one λ for every row, 1 is the default', async () => {
    const data = randomData(30, 20, 0.25, 3);
    const fit = async (o: object) => stateOf(await new ImplicitALS({ factors: 5, iterations: 3, threads: 1, ...o }).fit(data)).userFactors;
    const base = await fit({});
    expect(await fit({ regularizationExponent: 1 })).toEqual(base);
    expect(await fit({ regularizationExponent: 0 })).toEqual(await fit({ scaleRegularization: false }));
    const half = await fit({ regularizationExponent: 0.5 });
    expect(half).not.toEqual(base);
    const js = stateOf(await new ImplicitALS({ factors: 5, iterations: 3, threads: 1, regularizationExponent: 0.5, backend: 'js' }).fit(data)).userFactors;
    for (let j = 0; j < half.length; j++) expect(Math.abs(js[j]! - half[j]!)).toBeLessThan(1e-4);
  });

  it('recommends within the group on checkerboard data (both solvers)', async () => {
    const data = checkerboard();
    for (const solver of ['cg', 'cholesky'] as const) {
      const model = await new ImplicitALS({ factors: 4, iterations: 10, solver, threads: 1 }).fit(data);
      const items = model.itemIds;
      for (const user of model.userIds) {
        const x = model.userVector(user)!;
        const group = Number(String(user).slice(1)) < 20 ? 'a' : 'b';
        const seen = new Set<string>();
        for (const e of data.entries()) if (e.user === user) seen.add(String(e.item));
        let best = '';
        let bestScore = -Infinity;
        let inGroupSum = 0;
        let bestOutOfGroup = -Infinity;
        for (const item of items) {
          const y = model.itemVector(item)!;
          let s = 0;
          for (let j = 0; j < x.length; j++) s += x[j]! * y[j]!;
          if (String(item)[0] === group) inGroupSum += s;
          else bestOutOfGroup = Math.max(bestOutOfGroup, s);
          if (!seen.has(String(item)) && s > bestScore) [best, bestScore] = [String(item), s];
        }
        if (seen.size < 10) expect(best[0]).toBe(group);
        // A clear margin once a user has a few interactions; users with one or two still lean the right way.
        expect(inGroupSum / 10).toBeGreaterThan(bestOutOfGroup + (seen.size >= 4 ? 0.2 : 0));
      }
    }
  });

  it('stores factors, seen items and item popularity only after a successful fit', async () => {
    const data = checkerboard(2);
    const model = await new ImplicitALS({ factors: 3, iterations: 2 }).fit(data);
    const s = stateOf(model);
    expect(s.userFactors.length).toBe(data.nUsers * 3);
    expect(s.itemFactors.length).toBe(data.nItems * 3);
    expect(s.seen).toBe(data.byUser);
    expect(Array.from(s.itemPopularity)).toEqual(Array.from({ length: data.nItems }, (_, i) => data.byItem.indptr[i + 1]! - data.byItem.indptr[i]!));
    expect(model.factors).toBe(3);
    expect(model.history).toHaveLength(2);
  });

  it('is bit-reproducible with a seed, and with any thread count', async () => {
    const data = randomData(60, 50, 0.1, 3);
    const fit = (threads: number) => new ImplicitALS({ factors: 6, iterations: 3, seed: 11, threads }).fit(data);
    const [a, b, c] = [await fit(1), await fit(1), await fit(2)];
    expect(stateOf(a).userFactors).toEqual(stateOf(b).userFactors);
    expect(stateOf(a).itemFactors).toEqual(stateOf(b).itemFactors);
    expect(stateOf(a).userFactors).toEqual(stateOf(c).userFactors);
    const d = await new ImplicitALS({ factors: 6, iterations: 3, seed: 12, threads: 1 }).fit(data);
    expect(stateOf(d).userFactors).not.toEqual(stateOf(a).userFactors);
  });

  it('replays the TypeScript twin from the same seeded start', async () => {
    const data = randomData(30, 20, 0.2, 4);
    for (const solver of ['cg', 'cholesky'] as const) {
      const model = await new ImplicitALS({ factors: 5, iterations: 1, seed: 3, solver }).fit(data);
      const u = initialFactors(data.nUsers, 5, 3, 0, 'users');
      const i = initialFactors(data.nItems, 5, 3, 1, 'items');
      alsIteration(data.byUser, data.byItem, u, i, kernelOptions(model.params));
      const s = stateOf(model);
      for (let j = 0; j < u.length; j++) expect(Math.abs(s.userFactors[j]! - u[j]!)).toBeLessThan(1e-4);
      for (let j = 0; j < i.length; j++) expect(Math.abs(s.itemFactors[j]! - i[j]!)).toBeLessThan(1e-4);
    }
  });

  it('gets close to Cholesky with many conjugate-gradient steps', async () => {
    const data = randomData(50, 40, 0.15, 5);
    const base = { factors: 6, iterations: 4, seed: 2 } as const;
    const chol = stateOf(await new ImplicitALS({ ...base, solver: 'cholesky' }).fit(data));
    // CG reads the fixed side's rows rounded to bfloat16 (native/kernels/als.cc),
    // Cholesky reads them as float32: after four iterations the two agree to
    // about bf16's precision, closer than three CG steps get.
    const distance = async (cgSteps: number) => {
      const cg = stateOf(await new ImplicitALS({ ...base, solver: 'cg', cgSteps }).fit(data));
      let worst = 0;
      for (let j = 0; j < chol.userFactors.length; j++) worst = Math.max(worst, Math.abs(chol.userFactors[j]! - cg.userFactors[j]!));
      return worst;
    };
    const scale = Math.max(...Array.from(chol.userFactors, Math.abs));
    const many = await distance(40);
    expect(many).toBeLessThan(5e-3 * scale); // 0.0034 of 1.01 here; float32 reads gave under 1e-3
    expect(await distance(3)).toBeGreaterThan(2 * many); // 0.0104 here
  });

  it('reports every iteration, with the training loss when asked', async () => {
    const data = checkerboard(3);
    const reports: IterationReport[] = [];
    const model = new ImplicitALS({ factors: 4, iterations: 5, calculateLoss: true });
    await model.fit(data, { onIteration: (r) => reports.push(r) });
    expect(reports.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5]);
    for (const r of reports) {
      expect(r.seconds).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(r.trainLoss)).toBe(true);
    }
    expect(reports[4]!.trainLoss!).toBeLessThan(reports[0]!.trainLoss!);
    const quiet: IterationReport[] = [];
    await new ImplicitALS({ factors: 4, iterations: 2 }).fit(data, { onIteration: (r) => quiet.push(r) });
    expect(quiet[0]!.trainLoss).toBeUndefined();
  });

  it('aborts a native sweep in progress', async () => {
    const data = randomData(400, 300, 0.2, 6);
    const model = new ImplicitALS({ factors: 32, iterations: 1000, solver: 'cholesky' });
    const controller = new AbortController();
    const running = model.fit(data, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await errorCode(running)).toBe('ERR_MFREC_ABORTED');
    expect(model.isFitted).toBe(false);
  });

  it('reports divergence when the factors stop being finite', async () => {
    const data = Interactions.fromArrays(['a', 'b', 'b'], ['x', 'x', 'y'], { values: [1e10, 1, 2] });
    const model = new ImplicitALS({ factors: 2, iterations: 2, alpha: 1e30 });
    expect(await errorCode(model.fit(data))).toBe('ERR_MFREC_DIVERGED');
    expect(model.isFitted).toBe(false);
  });

  it('refuses factor matrices that cannot be allocated, stating the bytes', async () => {
    const n = 70_000;
    const data = Interactions.fromArrays(
      Array.from({ length: n }, (_, u) => u),
      new Array<number>(n).fill(0),
    );
    const model = new ImplicitALS({ factors: 65536, threads: 1 });
    const err = await model.fit(data).catch((e: unknown) => e as MfrecError);
    expect(err).toBeInstanceOf(MfrecError);
    expect((err as MfrecError).code).toBe('ERR_MFREC_OUT_OF_MEMORY');
    // (70,000 + 1) × 65,536 factors, 65,536² for YᵀY, 2 × 70,000 + 3 × 65,536 thread buffer floats
    expect((err as MfrecError).message).toContain(`needs ${(4 * (70_001 * 65536 + 65536 ** 2 + 2 * 70_000 + 3 * 65536)).toLocaleString('en-US')} bytes`);
  });

  it.each([
    [{ factor: 8 }, 'ERR_MFREC_UNKNOWN_OPTION'],
    [{ learningRate: 0.1 }, 'ERR_MFREC_UNKNOWN_OPTION'],
    [{ factors: 0 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ factors: 2.5 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ factors: 65537 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ iterations: 0 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ regularization: -1 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ regularization: Number.NaN }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ alpha: -0.5 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ alpha: Infinity }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ confidence: 'sqrt' }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ epsilon: 0 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ solver: 'lu' }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ cgSteps: 0 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ scaleRegularization: 'yes' }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ regularizationExponent: -0.5 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ regularizationExponent: 2.5 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ regularizationExponent: Number.NaN }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ regularizationExponent: '0.5' }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ calculateLoss: 1 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ threads: -1 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ seed: -1 }, 'ERR_MFREC_INVALID_ARGUMENT'],
    [{ seed: 2 ** 32 }, 'ERR_MFREC_INVALID_ARGUMENT'],
  ])('rejects option %j with %s', async (options, code) => {
    expect(await errorCode(() => new ImplicitALS(options as never))).toBe(code);
  });

  it('hints at the closest option name and pins the message template', () => {
    expect(() => new ImplicitALS({ factor: 8 } as never)).toThrow("Did you mean 'factors'?");
    expect(() => new ImplicitALS({ factors: 1.5 })).toThrow('Expected integer in [1, 65536] for factors but received 1.5 of type number');
    expect(() => new ImplicitALS(null as never)).toThrow(MfrecError);
  });
});
