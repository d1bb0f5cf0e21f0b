/**
 * Spark MLlib ALSModel directories. Spark cannot run here: the models are
 * written in Spark's documented layout by spark-layout.ts (hyparquet-writer),
 * and expectations are computed from the rows written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ImplicitALS, importFactorModel, Interactions, isMfrecError, loadModel, type ErrorCode } from '../../lib/index.js';
import { factorParquet, sparkMetadata, writeSparkModel, type FactorRows } from './spark-layout.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'mfrec-spark-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(tmp, `model${n++}`);

/** Deterministic factors: ids out of order and sparse, as Spark's partitions leave them. */
function rows(count: number, rank: number, seed: number, idOf: (r: number) => number): FactorRows {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5;
  const ids = Array.from({ length: count }, (_, r) => idOf(r));
  const features = ids.map(() => Array.from({ length: rank }, () => Math.fround(rand())));
  return { ids, features };
}

const RANK = 4;
const users = rows(30, RANK, 1, (r) => (r * 37) % 101);
const items = rows(20, RANK, 2, (r) => 1000 + ((r * 7) % 20));
const dot = (a: number[], b: number[]) => a.reduce((s, x, c) => s + x * b[c]!, 0);

async function rejects(promise: Promise<unknown>, code: ErrorCode, ...parts: string[]): Promise<void> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isMfrecError(e, code), `expected ${code}, got ${String(e)}`).toBe(true);
  for (const p of parts) expect((e as Error).message).toContain(p);
}

describe('Spark ALSModel directories', () => {
  it('import as ImplicitALS with the id columns as ids and scores from the features', async () => {
    const dir = fresh();
    writeSparkModel(dir, RANK, users, items, { parts: 3, rowGroupSize: 4 });
    const model = await importFactorModel(dir);
    expect(model).toBeInstanceOf(ImplicitALS);
    expect(model.factors).toBe(RANK);
    expect(model.userIds).toEqual(users.ids);
    expect(model.itemIds).toEqual(items.ids);
    users.ids.forEach((u, r) => {
      const got = model.scoreItems(u)!;
      items.features.forEach((f, i) => expect(got[i]).toBeCloseTo(dot(users.features[r]!, f), 6));
    });
    const expected = items.ids.map((id, i) => ({ id, score: dot(users.features[5]!, items.features[i]!) })).sort((a, b) => b.score - a.score);
    const recs = model.recommend(users.ids[5]!, { k: 3 });
    expect(recs.map((r) => r.item)).toEqual(expected.slice(0, 3).map((e) => e.id));
    expect(recs[0]!.source).toBe('model');
  });

  it("folds in with Spark's defaults (regParam 0.1 scaled by activity, alpha 1), overridable", async () => {
    const dir = fresh();
    writeSparkModel(dir, RANK, users, items);
    const model = (await importFactorModel(dir)) as ImplicitALS;
    expect(model.params).toMatchObject({ regularization: 0.1, alpha: 1, scaleRegularization: true, confidence: 'linear' });
    const x = model.recalculateUser({ items: [1000, 1003, 1007] });
    expect(x.every(Number.isFinite) && x.some((v) => v !== 0)).toBe(true);
    expect(model.recommend('shopper', { recalculate: true, interactions: { items: [1000, 1003] }, k: 2 })[0]!.source).toBe('model');
    const tuned = (await importFactorModel(dir, { params: { regularization: 0.02 } })) as ImplicitALS;
    expect(tuned.params.regularization).toBe(0.02);
    const withParams = fresh();
    writeSparkModel(withParams, RANK, users, items, { metadata: sparkMetadata(RANK, { paramMap: { regParam: 0.05, alpha: 40, maxIter: 12 } }) });
    expect(((await importFactorModel(withParams)) as ImplicitALS).params).toMatchObject({ regularization: 0.05, alpha: 40, iterations: 12 });
  });

  it('saves, loads and evaluates like a model trained here', async () => {
    const dir = fresh();
    writeSparkModel(dir, RANK, users, items);
    const train = Interactions.fromArrays([users.ids[0]!, users.ids[0]!, users.ids[1]!], [1000, 1001, 1002]);
    const model = await importFactorModel(dir, { interactions: train });
    expect(model.recommend(users.ids[0]!, { k: 20 }).map((r) => r.item)).not.toContain(1000);
    const file = path.join(tmp, 'spark.mfrec');
    await model.save(file);
    const loaded = await loadModel(file);
    expect(loaded.recommend(users.ids[3]!, { k: 5 })).toEqual(model.recommend(users.ids[3]!, { k: 5 }));
    expect(loaded.trainingSize.interactions).toBe(3);
  });

  it('refuses what is not an ALSModel or disagrees with its metadata, naming the file', async () => {
    const other = fresh();
    writeSparkModel(other, RANK, users, items, { metadata: sparkMetadata(RANK, { class: 'org.apache.spark.ml.classification.LogisticRegressionModel' }) });
    await rejects(importFactorModel(other), 'ERR_MFREC_INVALID_ARGUMENT', 'part-00000', 'LogisticRegressionModel');
    const wrongRank = fresh();
    writeSparkModel(wrongRank, RANK, users, items, { metadata: sparkMetadata(5) });
    await rejects(importFactorModel(wrongRank), 'ERR_MFREC_CORRUPT_FILE', 'userFactors', "has 4 features, the metadata's rank is 5");
    const notJson = fresh();
    writeSparkModel(notJson, RANK, users, items, { metadata: '{"class": ' });
    await rejects(importFactorModel(notJson), 'ERR_MFREC_CORRUPT_FILE', 'metadata', 'not a JSON line');
    await rejects(importFactorModel(notJson, { userIds: ['a'] }), 'ERR_MFREC_INVALID_ARGUMENT', 'carries its own ids');
    await rejects(importFactorModel(notJson, { model: 'bpr' }), 'ERR_MFREC_INVALID_ARGUMENT', 'not BPR');
  });

  it('refuses duplicate ids, non-finite features, a missing folder and a part file that is not Parquet', async () => {
    const twice = fresh();
    writeSparkModel(twice, RANK, { ids: [1, 2, 1], features: users.features.slice(0, 3) }, items, { parts: 2 });
    await rejects(importFactorModel(twice), 'ERR_MFREC_CORRUPT_FILE', 'id 1 appears twice', 'part-00000');
    const nan = fresh();
    writeSparkModel(nan, RANK, users, {
      ids: [1, 2],
      features: [
        [0, 0, 0, 0],
        [0, NaN, 0, 0],
      ],
    });
    await rejects(importFactorModel(nan), 'ERR_MFREC_CORRUPT_FILE', 'itemFactors', 'part-00001', 'features holds NaN at row 0, column 1');
    const missing = fresh();
    writeSparkModel(missing, RANK, users, items);
    rmSync(path.join(missing, 'itemFactors'), { recursive: true });
    await rejects(importFactorModel(missing), 'ERR_MFREC_IO', 'itemFactors', 'no such folder');
    const junk = fresh();
    writeSparkModel(junk, RANK, users, items);
    writeFileSync(path.join(junk, 'userFactors', 'part-00009-x-c000.snappy.parquet'), 'not parquet');
    await rejects(importFactorModel(junk), 'ERR_MFREC_CORRUPT_FILE', 'part-00009', 'not a readable Parquet file');
    const cut = fresh();
    writeSparkModel(cut, RANK, users, items, { parts: 1 });
    const bytes = new Uint8Array(factorParquet(items));
    writeFileSync(path.join(cut, 'itemFactors', 'part-00000-7a1e3c55-1f0b-4c1e-9d0a-2b6f4e8c9a10-c000.snappy.parquet'), bytes.subarray(0, bytes.length - 20));
    await rejects(importFactorModel(cut), 'ERR_MFREC_CORRUPT_FILE', 'itemFactors');
  });
});
