import { describe, expect, it } from 'vitest';
import { hnswBinding, type HnswBuildArgs, type HnswSearchArgs } from '../../lib/addon/hnsw.js';
import { Rng } from '../../lib/random.js';
import { hnswBuildTwin, hnswLayoutTwin, hnswLevelsTwin, hnswSearchTwin } from '../../lib/twins/hnsw.js';

/** n random factor rows with norms spread over a decade, as trained item vectors have. */
function factorRows(n: number, f: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    const scale = 0.2 + 2 * rng.uniform();
    for (let p = 0; p < f; p++) out[i * f + p] = rng.normal() * scale;
  }
  return out;
}

function buildArgs(target: Float32Array, f: number, m: number, seed: number, over: Partial<HnswBuildArgs> = {}): HnswBuildArgs {
  const n = target.length / f;
  const levels = new Int32Array(n);
  hnswBinding().hnswLevelsSync({ m, seed, levels });
  const upper = new Int32Array(n);
  const length = hnswBinding().hnswLayoutSync({ m, levels, upper });
  return { target, factors: f, m, levels, upper, links: new Int32Array(length), entry: -1, efConstruction: 40, threads: 1, ...over };
}

function searchArgs(b: HnswBuildArgs, query: Float32Array, rows: Int32Array, k: number, ef: number, over: Partial<HnswSearchArgs> = {}): HnswSearchArgs {
  return {
    ...b,
    query,
    rows,
    offset: 0,
    excludeSelf: false,
    k,
    ef,
    threads: 1,
    items: new Int32Array(rows.length * k),
    scores: new Float32Array(rows.length * k),
    ...over,
  };
}

describe('HNSW twin', () => {
  it('draws the same levels and lays them out the same way', () => {
    for (const m of [2, 5, 16]) {
      const levels = new Int32Array(5000);
      hnswBinding().hnswLevelsSync({ m, seed: 7, levels });
      expect(levels).toEqual(hnswLevelsTwin(5000, m, 7));
      const upper = new Int32Array(5000);
      const length = hnswBinding().hnswLayoutSync({ m, levels, upper });
      expect({ upper, length }).toEqual(hnswLayoutTwin(m, levels));
      // Geometric: about n/m nodes reach level 1.
      const above = levels.filter((l) => l > 0).length;
      expect(above).toBeGreaterThan(5000 / m / 1.5);
      expect(above).toBeLessThan((5000 / m) * 1.5);
    }
  });

  for (const [name, over] of [
    ['plain inner product', {}],
    ['item biases folded in', { colBias: 'bias' }],
    ['cosine (item scales)', { colScale: 'scale' }],
  ] as const) {
    it(`builds the same graph link for link with one thread: ${name}`, () => {
      const f = 13;
      const n = 700;
      const target = factorRows(n, f, 3);
      const rng = new Rng(9);
      const extra: Partial<HnswBuildArgs> = {};
      if ('colBias' in over) extra.colBias = Float32Array.from({ length: n }, () => rng.normal());
      if ('colScale' in over) extra.colScale = Float32Array.from({ length: n }, () => 0.5 + rng.uniform());
      const native = buildArgs(target, f, 6, 11, extra);
      const twin = { ...native, links: new Int32Array(native.links.length) };
      native.entry = hnswBinding().hnswBuildSync(native);
      twin.entry = hnswBuildTwin(twin);
      expect(native.entry).toBe(twin.entry);
      expect(native.links).toEqual(twin.links);
      // Every level-0 list is used: the graph is not degenerate.
      expect(native.links[0]).toBeGreaterThan(0);
      hnswBinding().hnswCheckSync(native);
    });
  }

  it('searches the same results as the twin, with and without filters', () => {
    const f = 16;
    const n = 900;
    const target = factorRows(n, f, 21);
    const b = buildArgs(target, f, 8, 5);
    b.entry = hnswBinding().hnswBuildSync(b);
    const users = 40;
    const query = factorRows(users, f, 22);
    const rows = Int32Array.from({ length: users }, (_, i) => i);
    const rng = new Rng(4);
    const filterIndptr = new Int32Array(users + 1);
    const seen: number[] = [];
    for (let u = 0; u < users; u++) {
      const row = new Set<number>();
      for (let t = 0; t < 30; t++) row.add(rng.below(n));
      seen.push(...[...row].sort((x, y) => x - y));
      filterIndptr[u + 1] = seen.length;
    }
    const cases: Array<Partial<HnswSearchArgs>> = [
      {},
      { filterIndptr, filterIndices: Int32Array.from(seen) },
      { exclude: Int32Array.from({ length: 300 }, (_, i) => i * 3) },
      { candidates: Int32Array.from({ length: 400 }, (_, i) => i * 2 + 1) },
      { candidates: Int32Array.of(5, 50, 500) },
    ];
    for (const extra of cases) {
      const native = searchArgs(b, query, rows, 10, 24, extra);
      const twin = searchArgs(b, query, rows, 10, 24, extra);
      hnswBinding().hnswSearchSync(native);
      hnswSearchTwin(twin);
      expect(native.items).toEqual(twin.items);
    }
  });
});
