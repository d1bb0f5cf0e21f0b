/**
 * Models saved by Python's implicit library (test/fixtures/import/implicit,
 * made by generate.py there with the library built from source): imported
 * scores, rankings, fold-in, save/load and evaluation against expectations
 * computed here from the raw arrays and from the library's own fold-in.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BPR, ImplicitALS, importFactorModel, Interactions, loadModel } from '../../lib/index.js';
import { evaluateTopK } from '../../lib/eval/top-k-ranking.js';
import { fixtureMatrix } from './npz-files.js';

const dir = path.resolve(__dirname, '..', 'fixtures', 'import', 'implicit');
const als = path.join(dir, 'als.npz');
const bpr = path.join(dir, 'bpr.npz');
const ids = { userIds: path.join(dir, 'users.txt'), itemIds: path.join(dir, 'items.txt') };
const lines = (name: string) => readFileSync(path.join(dir, name), 'utf8').trim().split('\n');
const userIds = lines('users.txt');
const itemIds = lines('items.txt');
const pairs = (name: string) =>
  lines(name)
    .slice(1)
    .map((l) => l.split(','));
const tmp = mkdtempSync(path.join(tmpdir(), 'mfrec-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function interactions(name: string, like?: Interactions): Interactions {
  const p = pairs(name);
  return Interactions.fromArrays(
    p.map((x) => x[0]!),
    p.map((x) => x[1]!),
    like === undefined ? {} : { users: like.users, items: like.items },
  );
}

/** Every user's scores of every item: the rows of the file's user matrix times its item matrix. */
function expectedScores(file: string): Float64Array[] {
  const u = fixtureMatrix(file, 'user_factors');
  const v = fixtureMatrix(file, 'item_factors');
  return Array.from({ length: u.rows }, (_, r) => {
    const out = new Float64Array(v.rows);
    for (let i = 0; i < v.rows; i++) {
      let dot = 0;
      for (let c = 0; c < u.columns; c++) dot += u.values[r * u.columns + c]! * v.values[i * v.columns + c]!;
      out[i] = dot;
    }
    return out;
  });
}

function topK(scores: Float64Array, k: number): number[] {
  return Array.from(scores.keys())
    .sort((a, b) => scores[b]! - scores[a]!)
    .slice(0, k);
}

describe('ALS from implicit', () => {
  it('is an ImplicitALS whose scores are user_factors · item_factorsᵀ and whose users are scored, not cold', async () => {
    const model = await importFactorModel(als, ids);
    expect(model).toBeInstanceOf(ImplicitALS);
    expect(model.factors).toBe(8);
    expect(model.userIds).toEqual(userIds);
    expect(model.itemIds).toEqual(itemIds);
    const expected = expectedScores(als);
    expected.forEach((row, u) => {
      const got = model.scoreItems(userIds[u]!)!;
      row.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
      expect(model.hasUser(userIds[u]!)).toBe(true);
    });
    const recs = model.recommend('u003', { k: 5 });
    expect(recs.map((r) => r.source)).toEqual(Array(5).fill('model'));
    expect(recs.map((r) => r.item)).toEqual(topK(expected[3]!, 5).map((i) => itemIds[i]));
  });

  it("takes the file's hyperparameters for fold-in: λ fixed, confidence alpha·value as 1 + (alpha − 1)·value", async () => {
    const model = (await importFactorModel(als)) as ImplicitALS;
    expect(model.params).toMatchObject({ regularization: 0.05, alpha: 2, scaleRegularization: false, iterations: 10, cgSteps: 3, solver: 'cg', seed: 7 });
  });

  it("folds a user in as the library's recalculate_user does", async () => {
    const model = (await importFactorModel(als, ids)) as ImplicitALS;
    const reference = JSON.parse(readFileSync(path.join(dir, 'als-reference.json'), 'utf8')).recalculate_user.users as Record<string, number[]>;
    const train = pairs('train.csv');
    for (const [row, vector] of Object.entries(reference)) {
      const user = userIds[Number(row)]!;
      const items = train.filter((p) => p[0] === user).map((p) => p[1]!);
      const got = model.recalculateUser({ items, values: items.map(() => 1) });
      vector.forEach((x, c) => expect(got[c]).toBeCloseTo(x, 4));
    }
  });

  it('ranks and filters seen items from the training interactions given, and partial fits work', async () => {
    const train = interactions('train.csv');
    const model = (await importFactorModel(als, { ...ids, interactions: train })) as ImplicitALS;
    const seen = new Set(
      pairs('train.csv')
        .filter((p) => p[0] === 'u000')
        .map((p) => p[1]),
    );
    expect(model.trainedHistory('u000').items.length).toBe(seen.size);
    const recs = model.recommend('u000', { k: 10 });
    expect(recs.some((r) => seen.has(String(r.item)))).toBe(false);
    await model.partialFitUsers(Interactions.fromArrays(['u999', 'u999'], ['sku-000', 'sku-004']));
    expect(model.recommend('u999', { k: 3 })[0]!.source).toBe('model');
  });

  it('gives similar items by the cosine of the file’s item vectors', async () => {
    const model = await importFactorModel(als, ids);
    const v = fixtureMatrix(als, 'item_factors');
    const row = (i: number) => v.values.subarray(i * v.columns, (i + 1) * v.columns);
    const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));
    const cos = Float64Array.from({ length: v.rows }, (_, i) =>
      i === 5 ? -Infinity : row(5).reduce((s, x, c) => s + x * row(i)[c]!, 0) / (norm(row(5)) * norm(row(i))),
    );
    expect(model.similarItems('sku-005', { k: 4 }).map((r) => r.item)).toEqual(topK(cos, 4).map((i) => itemIds[i]));
  });

  it('saves and loads back with the same scores, its users still scored by the model', async () => {
    const model = await importFactorModel(als, ids);
    const file = path.join(tmp, 'als.mfrec');
    await model.save(file);
    const loaded = await loadModel(file);
    expect(loaded).toBeInstanceOf(ImplicitALS);
    expect(loaded.recommend('u010', { k: 5 })).toEqual(model.recommend('u010', { k: 5 }));
    expect(loaded.recommend('u010', { k: 1 })[0]!.source).toBe('model');
  });

  it("evaluates on held-out pairs with the library's own figure", async () => {
    const train = interactions('train.csv');
    const test = interactions('test.csv', train);
    const model = await importFactorModel(als, { ...ids, interactions: train });
    const metrics = await evaluateTopK(model, train, test, { k: 5 });
    expect(metrics.users).toBe(60);
    // One held-out item per user: the library's precision@5 (hits / min(5, held-out items)) is the share of users hit.
    const reference = JSON.parse(readFileSync(path.join(dir, 'als-reference.json'), 'utf8')).ranking_metrics_at_5;
    expect(metrics.hitRate).toBeCloseTo(reference.precision, 10);
  });
});

describe('BPR from implicit', () => {
  it('is a BPR model: the extra column is the item bias, scores are the file’s full dot products', async () => {
    const model = await importFactorModel(bpr);
    expect(model).toBeInstanceOf(BPR);
    expect(model.factors).toBe(7);
    expect(model.params).toMatchObject({ learningRate: 0.05, regularization: 0.01, iterations: 60, verifyNegative: true, seed: 7 });
    const expected = expectedScores(bpr);
    expected.forEach((row, u) => {
      const got = model.scoreItems(u)!;
      row.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
    });
    expect(model.recommend(7, { k: 5 }).map((r) => r.item)).toEqual(topK(expected[7]!, 5));
  });

  it('folds a user in: their items rank above the others on average', async () => {
    const model = await importFactorModel(bpr, ids);
    // A user of taste group 1 (items 1, 5, 9, …).
    const items = ['sku-001', 'sku-005', 'sku-009', 'sku-013', 'sku-017'];
    const recs = model.recommend('new shopper', { recalculate: true, interactions: { items }, k: 10, filterSeen: true });
    const groupOne = recs.filter((r) => Number(String(r.item).slice(4)) % 4 === 1).length;
    expect(groupOne).toBeGreaterThanOrEqual(4);
    const saved = path.join(tmp, 'bpr.mfrec');
    await model.save(saved);
    expect((await loadModel(saved)).scoreItems('u001')).toEqual(model.scoreItems('u001'));
  });
});
