import { describe, expect, it } from 'vitest';
import { nativeCsrBuild, type CsrBuildInput } from '../../lib/addon/csr-build.js';
import { csrBuildTwin } from '../../lib/twins/csr-build.js';
import { AGGREGATES, Interactions } from '../../lib/data/interactions.js';
import { IdMap } from '../../lib/data/id-map.js';
import { Rng } from '../../lib/random.js';

/** n entries over rows × cols with many duplicates, in random order, optionally grouped by row. */
function entries(n: number, rows: number, cols: number, seed: number, grouped: boolean, withTimes: boolean): Omit<CsrBuildInput, 'aggregate'> {
  const rng = new Rng(seed);
  const order = Array.from({ length: n }, (_, k) => k);
  const r = order.map(() => Math.floor(rng.uniform() * rows));
  if (grouped) r.sort((a, b) => a - b);
  return {
    rows: Int32Array.from(r),
    cols: Int32Array.from(order, () => Math.floor(rng.uniform() * cols)),
    values: Float32Array.from(order, () => Math.floor(rng.uniform() * 10) / 2 + 0.1),
    // Few distinct times: ties between duplicates fall back to input order.
    times: withTimes ? Float64Array.from(order, () => Math.floor(rng.uniform() * 20)) : undefined,
    nRows: rows,
    nCols: cols,
  };
}

describe('CSR build twin', () => {
  // 70,000 entries take the kernel's parallel path (from 65,536); 3,000 its one-thread path.
  for (const n of [3000, 70_000]) {
    for (const grouped of [false, true]) {
      for (const withTimes of [false, true]) {
        it(`agrees with the kernel bit for bit: ${n} entries, ${grouped ? 'grouped by row' : 'any order'}, ${withTimes ? 'with' : 'without'} times`, () => {
          const input = entries(n, 400, 300, n + (grouped ? 1 : 0), grouped, withTimes);
          for (const aggregate of AGGREGATES) {
            const twin = csrBuildTwin({ ...input, aggregate });
            const kernel = nativeCsrBuild({ ...input, aggregate });
            expect(kernel.indices.length).toBeLessThan(n); // duplicates were combined
            expect(kernel).toEqual(twin);
          }
        });
      }
    }
  }

  it('agrees on input already in CSR order (rows copied without a sort), -0 values and times included', () => {
    const n = 70_000;
    const rows = new Int32Array(n);
    const cols = new Int32Array(n);
    const values = new Float32Array(n);
    const times = new Float64Array(n);
    // 700 rows of 100 increasing columns each; one row out of order and one with a repeat take the sorting path.
    for (let k = 0; k < n; k++) {
      rows[k] = Math.floor(k / 100);
      cols[k] = (k % 100) * 3;
      values[k] = k % 7 === 0 ? -0 : (k % 9) / 2;
      times[k] = k % 11;
    }
    cols[150] = 2;
    cols[251] = cols[250]!;
    for (const aggregate of AGGREGATES) {
      for (const t of [times, undefined]) {
        const input = { rows, cols, values, times: t, nRows: 700, nCols: 300, aggregate };
        const kernel = nativeCsrBuild(input)!;
        const twin = csrBuildTwin(input);
        expect(kernel).toEqual(twin);
        // toEqual does not tell -0 from +0: compare the bits.
        expect(new Uint32Array(kernel.values.buffer, 0, kernel.values.length)).toEqual(new Uint32Array(twin.values.buffer, 0, twin.values.length));
      }
    }
  });

  it('keeps the latest rating by time under "last", ties by position, through Interactions.fromIndices', () => {
    const users = new IdMap();
    const items = new IdMap();
    users.add('a');
    items.add('x');
    items.add('y');
    // (a, x) rated 1 at t=5, 2 at t=9, 3 at t=9 (later in the input), 4 at t=1.
    const u = new Int32Array([0, 0, 0, 0, 0]);
    const i = new Int32Array([0, 1, 0, 0, 0]);
    const v = new Float32Array([1, 7, 2, 3, 4]);
    const t = new Float64Array([5, 3, 9, 9, 1]);
    const m = Interactions.fromIndices(users, items, u, i, v, t, 'last').byUser;
    expect(Array.from(m.indices)).toEqual([0, 1]);
    expect(Array.from(m.values)).toEqual([3, 7]);
    expect(Array.from(m.timestamps!)).toEqual([9, 3]);
  });
});
