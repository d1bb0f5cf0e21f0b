/**
 * What the item-to-item families compute, checked against their definitions
 * on small data computed here directly, and the limits and files of their
 * weights. (The shared contract is in test/models/base/conformance.test.ts.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Interactions } from '../../../lib/data/interactions.js';
import { EASE } from '../../../lib/models/ease/ease.js';
import { mostPopularItems } from '../../../lib/models/ease/popular-items.js';
import { ITEMKNN_AUTO, ItemKNN } from '../../../lib/models/itemknn/itemknn.js';
import { RP3BETA_AUTO, RP3beta } from '../../../lib/models/rp3beta/rp3beta.js';
import { decodeModelFile, encodeModelFile } from '../../../lib/persist/model-file.js';
import { loadModel } from '../../../lib/persist/load-model.js';
import { codeOf } from '../../helpers/conformance.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-item-item-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 6 users × 5 items, some repeated values (counts) that binary models ignore. */
const pairs: Array<[string, string, number]> = [
  ['u0', 'i0', 1],
  ['u0', 'i1', 3],
  ['u0', 'i2', 1],
  ['u1', 'i0', 2],
  ['u1', 'i1', 1],
  ['u2', 'i1', 1],
  ['u2', 'i2', 5],
  ['u2', 'i3', 1],
  ['u3', 'i3', 1],
  ['u3', 'i4', 2],
  ['u4', 'i0', 1],
  ['u4', 'i4', 1],
  ['u5', 'i2', 1],
  ['u5', 'i3', 1],
  ['u5', 'i4', 1],
];
const data = Interactions.fromArrays(
  pairs.map((p) => p[0]),
  pairs.map((p) => p[1]),
  { values: pairs.map((p) => p[2]) },
);
const USERS = 6;
const ITEMS = 5;

/** The binary matrix X, users × items, by raw id order of the data. */
function binary(): number[][] {
  const x = Array.from({ length: USERS }, () => new Array<number>(ITEMS).fill(0));
  for (const [u, i] of pairs) x[Number(u.slice(1))]![Number(i.slice(1))] = 1;
  return x;
}

/** Inverse of a small symmetric positive-definite matrix by Gauss-Jordan in float64. */
function inverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const p = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= p;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row) => row.slice(n));
}

/** The user's scores computed from weights w[i][j] over their binary history. */
function scoresFrom(w: number[][], user: number): number[] {
  const x = binary()[user]!;
  return Array.from({ length: ITEMS }, (_, j) => x.reduce((s, xi, i) => s + xi * w[i]![j]!, 0));
}

/** scoreItems in the data's item order ('i0'..'i4'). */
function modelScores(m: EASE | ItemKNN | RP3beta, user: string): number[] {
  const s = m.scoreItems(user)!;
  return Array.from({ length: ITEMS }, (_, j) => s[m.itemIds.indexOf(`i${j}`)]!);
}

describe.each(['native', 'js'] as const)('on the %s backend', (backend) => {
  it('EASE: B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹ on the binary matrix', async () => {
    const lambda = 0.7;
    const x = binary();
    const g = Array.from({ length: ITEMS }, (_, i) =>
      Array.from({ length: ITEMS }, (_, j) => x.reduce((s, row) => s + row[i]! * row[j]!, 0) + (i === j ? lambda : 0)),
    );
    const p = inverse(g);
    const b = p.map((row, i) => row.map((v, j) => (i === j ? 0 : -v / p[j]![j]!)));
    const model = await new EASE({ lambda, backend, threads: 1 }).fit(data);
    for (let u = 0; u < USERS; u++) {
      const want = scoresFrom(b, u);
      modelScores(model, `u${u}`).forEach((v, j) => expect(v, `u${u} i${j}`).toBeCloseTo(want[j]!, 4));
    }
  });

  it('item-KNN co-occurrence: the similarity of two items is the number of users they share', async () => {
    const x = binary();
    const co = Array.from({ length: ITEMS }, (_, i) => Array.from({ length: ITEMS }, (_, j) => (i === j ? 0 : x.reduce((s, row) => s + row[i]! * row[j]!, 0))));
    const model = await new ItemKNN({ weighting: 'cooccurrence', neighbours: ITEMS, backend, threads: 1 }).fit(data);
    for (let i = 0; i < ITEMS; i++) {
      const want = co[i]!.map((v, j) => [`i${j}`, v] as const).filter(([, v]) => v > 0);
      const got = model.similarItems(`i${i}`, { k: ITEMS }).filter((r) => r.score > 0);
      expect(new Map(got.map((r) => [r.item, r.score]))).toEqual(new Map(want));
    }
  });

  it('item-KNN shrinkage scales each similarity by n / (n + shrink)', async () => {
    const plain = await new ItemKNN({ weighting: 'cosine', neighbours: ITEMS, backend, threads: 1 }).fit(data);
    const shrunk = await new ItemKNN({ weighting: 'cosine', neighbours: ITEMS, shrink: 2, backend, threads: 1 }).fit(data);
    const x = binary();
    for (const r of plain.similarItems('i2', { k: ITEMS })) {
      const j = Number(String(r.item).slice(1));
      const n = x.reduce((s, row) => s + row[2]! * row[j]!, 0);
      const other = shrunk.similarItems('i2', { k: ITEMS }).find((s) => s.item === r.item)!;
      expect(other.score).toBeCloseTo((r.score * n) / (n + 2), 5);
    }
  });

  it('RP3beta: W[i][j] = Σ_u P(u|i)^α · P(j|u)^α / popularity(j)^β, diagonal left out; by default each row scaled to sum to 1', async () => {
    const alpha = 0.7;
    const beta = 0.4;
    const x = binary();
    const itemUsers = Array.from({ length: ITEMS }, (_, i) => x.reduce((s, row) => s + row[i]!, 0));
    const userItems = x.map((row) => row.reduce((s, v) => s + v, 0));
    const w = Array.from({ length: ITEMS }, (_, i) =>
      Array.from({ length: ITEMS }, (_, j) => {
        if (i === j) return 0;
        let sum = 0;
        for (let u = 0; u < USERS; u++) if (x[u]![i] && x[u]![j]) sum += (1 / itemUsers[i]!) ** alpha * (1 / userItems[u]!) ** alpha;
        return sum / itemUsers[j]! ** beta;
      }),
    );
    const raw = await new RP3beta({ alpha, beta, neighbours: ITEMS, normalize: false, backend, threads: 1 }).fit(data);
    for (let u = 0; u < USERS; u++) {
      const want = scoresFrom(w, u);
      modelScores(raw, `u${u}`).forEach((v, j) => expect(v, `u${u} i${j}`).toBeCloseTo(want[j]!, 5));
    }
    const rowSums = w.map((row) => row.reduce((s, v) => s + v, 0));
    const normalized = w.map((row, i) => row.map((v) => v / rowSums[i]!));
    const model = await new RP3beta({ alpha, beta, neighbours: ITEMS, backend, threads: 1 }).fit(data);
    expect(model.params.normalize).toBe(true);
    for (let u = 0; u < USERS; u++) {
      const want = scoresFrom(normalized, u);
      modelScores(model, `u${u}`).forEach((v, j) => expect(v, `u${u} i${j}`).toBeCloseTo(want[j]!, 5));
    }
  });
});

describe('EASE limits', () => {
  it('refuses a catalogue past maxItems before allocating, naming the memory and the ways out', async () => {
    const model = new EASE({ maxItems: 4 });
    const error = await model.fit(data).catch((e: unknown) => e as Error & { code: string });
    expect(error.code).toBe('ERR_MFREC_OUT_OF_MEMORY');
    expect(error.message).toMatch(/5 items exceed maxItems \(4\).*about 200 bytes.*topItems: 4.*use ALS/);
    expect(model.isFitted).toBe(false);
  });

  it('topItems trains on the most popular items only: the others are not in the catalogue', async () => {
    const model = await new EASE({ maxItems: 4, topItems: 3 }).fit(data);
    expect(model.itemIds.map(String).sort()).toEqual(mostPopularItems(data, 3).items.toArray().map(String).sort());
    expect(model.itemIds).toHaveLength(3);
    // Every item has 3 users: ties go to the lower index, so i3 and i4 are left out.
    expect(model.hasItem('i4')).toBe(false);
    expect(await codeOf(() => model.similarItems('i4'))).toBe('ERR_MFREC_UNKNOWN_ID');
    expect(model.userIds).toHaveLength(USERS);
  });

  it('mostPopularItems keeps every user and the kept items in their order, by users per item (ties to the lower index)', () => {
    const top = mostPopularItems(data, 2);
    expect(top.items.toArray()).toEqual(['i0', 'i1']);
    expect(mostPopularItems(data.select([0, 3, 12]), 1).items.toArray()).toEqual(['i0']);
    expect(top.nUsers).toBe(USERS);
  });
});

describe('files', () => {
  it('a model file whose weights were tampered with is refused as corrupt, naming the block', async () => {
    const file = path.join(dir, 'knn.mfrec');
    await (await new ItemKNN({ neighbours: 3 }).fit(data)).save(file);
    const contents = decodeModelFile(readFileSync(file), file);
    const indices = Int32Array.from(contents.blocks.weightsIndices as Int32Array);
    indices[0] = 99;
    const bad = path.join(dir, 'bad-index.mfrec');
    writeFileSync(bad, encodeModelFile({ ...contents, blocks: { ...contents.blocks, weightsIndices: indices } }));
    await expect(loadModel(bad)).rejects.toThrow(/weight index 99 out of range/);

    const noWeights = path.join(dir, 'no-weights.mfrec');
    const { weightsIndptr: _p, weightsIndices: _i, weightsValues: _v, ...rest } = contents.blocks;
    writeFileSync(noWeights, encodeModelFile({ ...contents, blocks: rest }));
    expect(await codeOf(() => loadModel(noWeights))).toBe('ERR_MFREC_CORRUPT_FILE');

    const easeFile = path.join(dir, 'ease.mfrec');
    await (await new EASE({ lambda: 1 }).fit(data)).save(easeFile);
    const ease = decodeModelFile(readFileSync(easeFile), easeFile);
    const short = path.join(dir, 'short.mfrec');
    writeFileSync(short, encodeModelFile({ ...ease, blocks: { ...ease.blocks, weights: new Float32Array(7) } }));
    await expect(loadModel(short)).rejects.toThrow(/block weights must hold 5 × 5/);
    const nan = Float32Array.from(ease.blocks.weights as Float32Array);
    nan[3] = Number.NaN;
    const nanFile = path.join(dir, 'nan.mfrec');
    writeFileSync(nanFile, encodeModelFile({ ...ease, blocks: { ...ease.blocks, weights: nan } }));
    await expect(loadModel(nanFile)).rejects.toThrow(/block weights holds NaN at position 3/);
    const relabelled = path.join(dir, 'relabelled.mfrec');
    writeFileSync(relabelled, encodeModelFile({ ...ease, header: { ...ease.header, type: 'als' } }));
    expect(await codeOf(() => loadModel(relabelled))).toBe('ERR_MFREC_CORRUPT_FILE');
  });
});

describe('RP3beta files from before normalize', () => {
  it('load with normalize false, as their weights were fitted; a file saved now keeps normalize true', async () => {
    const file = path.join(dir, 'rp3.mfrec');
    await (await new RP3beta({ neighbours: 3, beta: 0.5, threads: 1 }).fit(data)).save(file);
    expect((await loadModel(file)).params).toMatchObject({ normalize: true });
    const contents = decodeModelFile(readFileSync(file), file);
    const { normalize: _n, ...olderParams } = contents.header.params as Record<string, unknown>;
    const older = path.join(dir, 'rp3-older.mfrec');
    writeFileSync(older, encodeModelFile({ ...contents, header: { ...contents.header, params: olderParams } }));
    expect((await loadModel(older)).params).toMatchObject({ normalize: false });
  });
});

describe("options left at 'auto'", () => {
  it('are chosen among their candidates on a validation slice, and the fit then uses the winner on all the data', async () => {
    const grouped = groupedBaskets();
    const model = await new RP3beta({ neighbours: 10, threads: 1 }).fit(grouped); // alpha given, beta 'auto'
    expect(model.params.beta).toBe('auto');
    expect(model.autoChoice).toHaveLength(RP3BETA_AUTO.beta.length);
    const best = model.autoChoice.reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
    expect(model.fittedParams).toMatchObject(best.params);
    // The winner refitted on all the data gives exactly the model an explicit choice gives.
    const explicit = await new RP3beta({ neighbours: 10, threads: 1, ...best.params }).fit(grouped);
    expect(explicit.autoChoice).toEqual([]);
    for (const u of grouped.users.toArray()) expect(model.recommend(u, { k: 5 })).toEqual(explicit.recommend(u, { k: 5 }));
  });

  it('item-KNN chooses its neighbour count the same way; a given count is used as it is', async () => {
    const grouped = groupedBaskets();
    const auto = await new ItemKNN({ threads: 1 }).fit(grouped);
    expect(auto.autoChoice).toHaveLength(ITEMKNN_AUTO.neighbours.length * ITEMKNN_AUTO.shrink.length);
    expect(ITEMKNN_AUTO.neighbours).toContain(auto.fittedParams!.neighbours);
    const given = await new ItemKNN({ neighbours: 7, shrink: 0, threads: 1 }).fit(grouped);
    expect(given.autoChoice).toEqual([]);
    expect(given.fittedParams).toMatchObject({ neighbours: 7, shrink: 0 });
  });

  it("'auto' is refused where an option does not take it", async () => {
    expect(await codeOf(() => new EASE({ lambda: 'auto' as never }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(() => new ItemKNN({ weighting: 'auto' as never }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(() => new RP3beta({ neighbours: 'many' as never }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(() => new RP3beta({ normalize: 'auto' as never }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });
});

/** 30 shoppers in three groups of 10 items, each buying 6 of their group's items, rotating. */
function groupedBaskets(): Interactions {
  const users: string[] = [];
  const items: string[] = [];
  for (let u = 0; u < 30; u++) {
    for (let j = 0; j < 6; j++) {
      users.push(`s${u}`);
      items.push(`g${u % 3}-${(u + j) % 10}`);
    }
  }
  return Interactions.fromArrays(users, items);
}
