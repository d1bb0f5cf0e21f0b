import { describe, expect, it } from 'vitest';
import { ImplicitALS, Interactions, type IterationReport } from '../../../lib/index.js';
import { checkerboard, randomData } from '../../helpers/implicit-data.js';
import { errorCode, maxAbs, maxAbsDiff, stateOf } from '../../helpers/support.js';

describe("ImplicitALS backend: 'native' | 'js'", () => {
  it("defaults to 'native' and keeps the backend in the JSON-serializable params", () => {
    expect(new ImplicitALS().params.backend).toBe('native');
    const js = new ImplicitALS({ backend: 'js' });
    expect(js.params.backend).toBe('js');
    expect(JSON.parse(JSON.stringify(js.params))).toEqual(js.params);
  });

  it('rejects an unknown backend, listing the allowed ones', async () => {
    expect(await errorCode(() => new ImplicitALS({ backend: 'wasm' as never }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(() => new ImplicitALS({ backend: 'wasm' as never })).toThrow(`Expected one of 'native', 'js' for backend but received "wasm" of type string`);
    expect(await errorCode(() => new ImplicitALS({ backends: 'js' } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
  });

  it.each(['cg', 'cholesky'] as const)('gives the native factors after one iteration at one thread (%s)', async (solver) => {
    const data = randomData(40, 30, 0.2, 8, true);
    const options = { factors: 6, iterations: 1, seed: 5, threads: 1, solver, scaleRegularization: true, calculateLoss: true } as const;
    const native = await new ImplicitALS(options).fit(data);
    const js = await new ImplicitALS({ ...options, backend: 'js' }).fit(data);
    const [n, j] = [stateOf(native), stateOf(js)];
    expect(maxAbs(j.userFactors)).toBeGreaterThan(0.01);
    expect(maxAbsDiff(n.userFactors, j.userFactors)).toBeLessThan(1e-4 * maxAbs(j.userFactors));
    expect(maxAbsDiff(n.itemFactors, j.itemFactors)).toBeLessThan(1e-4 * maxAbs(j.itemFactors));
    expect(js.history[0]!.trainLoss!).toBeCloseTo(native.history[0]!.trainLoss!, 5);
    expect(j.itemPopularity).toEqual(n.itemPopularity);
  });

  it('reports every iteration and learns the checkerboard with the js backend', async () => {
    const data = checkerboard(3);
    const reports: IterationReport[] = [];
    const model = await new ImplicitALS({ factors: 4, iterations: 4, backend: 'js', calculateLoss: true }).fit(data, {
      onIteration: (r) => reports.push(r),
    });
    expect(reports.map((r) => r.iteration)).toEqual([1, 2, 3, 4]);
    expect(reports[3]!.trainLoss!).toBeLessThan(reports[0]!.trainLoss!);
    const score = (u: string, i: string) => {
      const x = model.userVector(u)!;
      const y = model.itemVector(i)!;
      return x.reduce((s, v, j) => s + v * y[j]!, 0);
    };
    expect(score('u0', 'a3')).toBeGreaterThan(score('u0', 'b3'));
    expect(score('u30', 'b3')).toBeGreaterThan(score('u30', 'a3'));
  });

  it('aborts between js iterations, from the callback or from a timer, keeping the previous state', async () => {
    const data = checkerboard(4);
    const model = await new ImplicitALS({ factors: 4, iterations: 2, backend: 'js' }).fit(data);
    const before = stateOf(model);
    const controller = new AbortController();
    const fromCallback = model.fit(checkerboard(5), { signal: controller.signal, onIteration: () => controller.abort() });
    expect(await errorCode(fromCallback)).toBe('ERR_MFREC_ABORTED');
    expect(stateOf(model)).toBe(before);
    expect(await errorCode(model.fit(data, { signal: AbortSignal.abort() }))).toBe('ERR_MFREC_ABORTED');

    // The twin runs on the event loop: a timer can only fire because fit yields between iterations.
    const long = new ImplicitALS({ factors: 8, iterations: 100_000, backend: 'js' });
    const timer = new AbortController();
    const iterations: number[] = [];
    const running = long.fit(randomData(60, 40, 0.2, 6), { signal: timer.signal, onIteration: (r) => iterations.push(r.iteration) });
    setTimeout(() => timer.abort(), 30);
    expect(await errorCode(running)).toBe('ERR_MFREC_ABORTED');
    expect(iterations.length).toBeGreaterThan(0);
    expect(iterations.length).toBeLessThan(100_000);
    expect(long.isFitted).toBe(false);
    expect(long.isTraining).toBe(false);
  });

  it('refuses a second fit while a js fit runs, and reports divergence', async () => {
    const data = checkerboard(6);
    const model = new ImplicitALS({ factors: 4, iterations: 3, backend: 'js' });
    const first = model.fit(data);
    expect(await errorCode(model.fit(data))).toBe('ERR_MFREC_BUSY');
    await first;
    expect(model.isFitted).toBe(true);
    // Two items cannot span four factors: without regularization the exact solve has no unique answer.
    const tiny = Interactions.fromArrays(['x', 'x', 'y'], ['p', 'q', 'q']);
    for (const backend of ['js', 'native'] as const) {
      const singular = new ImplicitALS({ factors: 4, iterations: 1, regularization: 0, solver: 'cholesky', backend });
      expect(await errorCode(singular.fit(tiny))).toBe('ERR_MFREC_DIVERGED');
    }
  });
});
