/**
 * The HNSW bindings called directly with graphs that do not hold together:
 * a search follows only links it has checked, a build writes only through
 * the layout of its levels; both refuse anything else with a typed error
 * instead of reading or writing outside the arrays.
 */
import { describe, expect, it } from 'vitest';
import { hnswBinding } from '../../lib/addon/hnsw.js';
import { errorCode } from '../helpers/support.js';

/** 4 items, 2 factors, m 2, every node on level 0: links of 4 blocks of 1 + 2m. */
function graph() {
  return {
    m: 2,
    levels: new Int32Array(4),
    upper: Int32Array.of(20, 20, 20, 20),
    links: Int32Array.of(2, 1, 2, 0, 0, 2, 0, 3, 0, 0, 2, 0, 3, 0, 0, 2, 1, 2, 0, 0),
    entry: 0,
  };
}

function search(g: ReturnType<typeof graph>) {
  return {
    ...g,
    query: Float32Array.of(1, 0.5),
    rows: Int32Array.of(0),
    offset: 0,
    target: Float32Array.of(0.1, 0.2, 0.3, 0.1, -0.2, 0.4, 0.5, 0.5),
    factors: 2,
    excludeSelf: false,
    k: 2,
    threads: 1,
    items: new Int32Array(2),
    scores: new Float32Array(2),
    ef: 4,
  };
}

describe('HNSW bindings with inconsistent graphs', () => {
  it('a valid graph searches', () => {
    const a = search(graph());
    hnswBinding().hnswSearchSync(a);
    expect(Array.from(a.items).sort()).toEqual([1, 3]);
  });

  it('a search refuses a link out of range, a count beyond its block, a node above its level', async () => {
    const edits: Array<(g: ReturnType<typeof graph>) => void> = [
      (g) => (g.links[1] = 1 << 30),
      (g) => (g.links[6] = -7),
      (g) => (g.links[5] = 1000),
      (g) => (g.levels[0] = 3), // entry claims level 3: its upper blocks lie past the links
    ];
    for (const edit of edits) {
      const g = graph();
      edit(g);
      await expect(errorCode(() => hnswBinding().hnswSearchSync(search(g)))).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
    }
  });

  it('a check refuses upper offsets that are not the layout of its levels', async () => {
    // Node 0 claims level 1, its upper block placed far past the links; the total length still matches.
    const g = { ...graph(), levels: Int32Array.of(1, 0, 0, 0), upper: Int32Array.of(1 << 29, 23, 23, 23), links: new Int32Array(23) };
    await expect(errorCode(() => hnswBinding().hnswCheckSync(g))).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
  });

  it('a build refuses a layout that is not its levels own', async () => {
    const args = { ...graph(), links: new Int32Array(20), entry: -1, target: new Float32Array(8).fill(0.1), factors: 2, efConstruction: 4, threads: 1 };
    await expect(errorCode(() => hnswBinding().hnswBuildSync({ ...args, upper: Int32Array.of(20, 20, 20, 1 << 29) }))).resolves.toBe(
      'ERR_MFREC_INVALID_ARGUMENT',
    );
    await expect(errorCode(() => hnswBinding().hnswBuildSync({ ...args, levels: Int32Array.of(0, 0, 0, 1) }))).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(hnswBinding().hnswBuildSync(args)).toBe(0);
  });
});
