/**
 * Approximate top-K through the model's HNSW index: recall against the exact
 * ranking, filters and cold start as exact, batch and single calls alike,
 * the index saved and checked on load, and kept current through live updates.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EASE, ImplicitALS, Interactions, loadModel, type FactorState } from '../../../lib/index.js';
import { encodeModelFile, readModelFile, writeModelFile } from '../../../lib/persist/model-file.js';
import { Rng } from '../../../lib/random.js';
import { HandMadeModel, randomInteractions } from '../../helpers/hand-made-model.js';
import { errorCode, stateOf } from '../../helpers/support.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-ann-'));

/**
 * Factors shaped like trained ones: directions from an 8-dimensional latent
 * space plus noise, norms spread over a decade (isotropic random vectors are
 * the worst case of any proximity graph and unlike any trained model).
 */
function lowRank(rng: Rng, rows: number, factors: number, mix: Float32Array): Float32Array {
  const out = new Float32Array(rows * factors);
  for (let r = 0; r < rows; r++) {
    const z = Array.from({ length: 8 }, () => rng.normal());
    const norm = 0.15 + 1.4 * rng.uniform();
    let sq = 0;
    for (let p = 0; p < factors; p++) {
      let x = 0.3 * rng.normal();
      for (let l = 0; l < 8; l++) x += z[l]! * mix[l * factors + p]!;
      out[r * factors + p] = x;
      sq += x * x;
    }
    for (let p = 0; p < factors; p++) out[r * factors + p]! *= norm / Math.sqrt(sq);
  }
  return out;
}

function shopModel(biases: 'none' | 'item' | 'explicit', items = 3000, users = 200): { model: HandMadeModel; data: Interactions } {
  const data = randomInteractions(5, users, items, 0.004);
  const rng = new Rng(17);
  const f = 24;
  const mix = Float32Array.from({ length: 8 * f }, () => rng.normal() / Math.sqrt(8));
  const state: FactorState = {
    factors: f,
    users: data.users.clone(),
    items: data.items.clone(),
    userFactors: lowRank(rng, data.nUsers, f, mix),
    itemFactors: lowRank(rng, data.nItems, f, mix),
    seen: data.byUser,
    itemPopularity: Float32Array.from({ length: data.nItems }, (_, i) => data.byItem.indptr[i + 1]! - data.byItem.indptr[i]!),
  };
  if (biases !== 'none') state.itemBias = Float32Array.from({ length: data.nItems }, () => 0.3 * rng.normal());
  if (biases === 'explicit') {
    state.userBias = Float32Array.from({ length: data.nUsers }, () => rng.normal());
    state.globalBias = 3.5;
  }
  return { model: new HandMadeModel().setState(state), data };
}

function recallAt(exact: Array<{ item: unknown }>, approximate: Array<{ item: unknown }>): number {
  const truth = new Set(exact.map((r) => r.item));
  return approximate.filter((r) => truth.has(r.item)).length / exact.length;
}

describe('approximate recommend', () => {
  for (const biases of ['none', 'item', 'explicit'] as const) {
    it(`finds at least 95% of the exact top 10 (biases: ${biases}), scores as exact`, async () => {
      const { model } = shopModel(biases);
      await model.buildIndex({ threads: 1 });
      let recall = 0;
      const users = model.userIds;
      for (const user of users) {
        const exact = model.recommend(user, { k: 10 });
        const approximate = model.recommend(user, { k: 10, approximate: true });
        expect(approximate).toHaveLength(10);
        recall += recallAt(exact, approximate);
        // Scores of items both found agree with the exact ones to float rounding.
        const exactScore = new Map(exact.map((r) => [r.item, r.score]));
        for (const r of approximate) if (exactScore.has(r.item)) expect(r.score).toBeCloseTo(exactScore.get(r.item)!, 4);
      }
      expect(recall / users.length).toBeGreaterThanOrEqual(0.95);
    });
  }

  it('recall grows with ef: ef 1 finds less than the default', async () => {
    const { model } = shopModel('none');
    await model.buildIndex({ threads: 1, M: 4, efConstruction: 8 });
    let low = 0;
    let high = 0;
    for (const user of model.userIds) {
      const exact = model.recommend(user, { k: 10 });
      low += recallAt(exact, model.recommend(user, { k: 10, approximate: true, ef: 1 }));
      high += recallAt(exact, model.recommend(user, { k: 10, approximate: true, ef: 400 }));
    }
    expect(high).toBeGreaterThan(low);
  });

  it('never returns a seen, excluded or non-candidate item, and keeps k results', async () => {
    const { model } = shopModel('item');
    await model.buildIndex({ threads: 1 });
    const s = stateOf(model);
    const exclude = model.itemIds.slice(0, 1500);
    const candidates = model.itemIds.filter((_, i) => i % 2 === 0);
    for (const user of model.userIds.slice(0, 50)) {
      const u = s.users.index(user)!;
      const seen = new Set(Array.from(s.seen.indices.subarray(s.seen.indptr[u]!, s.seen.indptr[u + 1]!), (i) => s.items.id(i)));
      const got = model.recommend(user, { k: 20, approximate: true, exclude, candidates });
      expect(got).toHaveLength(20);
      const excluded = new Set(exclude);
      const allowed = new Set(candidates);
      for (const r of got) {
        expect(seen.has(r.item)).toBe(false);
        expect(excluded.has(r.item)).toBe(false);
        expect(allowed.has(r.item)).toBe(true);
      }
    }
  });

  it('answers a short candidate list exactly (the exact ranking of those candidates)', async () => {
    const { model } = shopModel('item');
    await model.buildIndex({ threads: 1 });
    const candidates = model.itemIds.filter((_, i) => i % 97 === 0);
    for (const user of model.userIds.slice(0, 20)) {
      const exact = model.recommend(user, { k: 10, candidates });
      expect(model.recommend(user, { k: 10, candidates, approximate: true }).map((r) => r.item)).toEqual(exact.map((r) => r.item));
    }
  });

  it('falls back to the exact ranking when the filters leave too few items for the search', async () => {
    const { model } = shopModel('none', 400);
    await model.buildIndex({ threads: 1 });
    // All but 12 items excluded: the graph search cannot reach 12 results at ef 1.
    const keep = new Set(model.itemIds.filter((_, i) => i % 33 === 0));
    const exclude = model.itemIds.filter((id) => !keep.has(id));
    for (const user of model.userIds.slice(0, 20)) {
      const exact = model.recommend(user, { k: 30, exclude, filterSeen: false });
      const got = model.recommend(user, { k: 30, exclude, filterSeen: false, approximate: true, ef: 1 });
      expect(got.map((r) => r.item)).toEqual(exact.map((r) => r.item));
    }
  });

  it('with business rules the ranking is exact, approximate or not', async () => {
    const { model } = shopModel('item');
    await model.buildIndex({ threads: 1, similar: true });
    const rules = model.compileRules({ allowed: model.itemIds.filter((_, i) => i % 3 === 0), diversity: { lambda: 0.7 } });
    for (const user of model.userIds.slice(0, 10)) expect(model.recommend(user, { rules, approximate: true })).toEqual(model.recommend(user, { rules }));
    const item = model.itemIds[4]!;
    expect(model.similarItems(item, { rules, approximate: true })).toEqual(model.similarItems(item, { rules }));
  });

  it('cold-start users get the same popular items as without the index', async () => {
    const { model } = shopModel('item');
    await model.buildIndex({ threads: 1 });
    expect(model.recommend('nobody', { approximate: true })).toEqual(model.recommend('nobody'));
    await expect(errorCode(() => model.recommend('nobody', { approximate: true, coldStart: 'error' }))).resolves.toBe('ERR_MFREC_UNKNOWN_ID');
  });

  it('recommendBatch and recommendAll give the single calls results', async () => {
    const { model } = shopModel('explicit');
    await model.buildIndex({ threads: 1 });
    const users = [...model.userIds.slice(0, 30), 'nobody'];
    const batch = await model.recommendBatch(users, { k: 10, approximate: true, threads: 2 });
    users.forEach((user, r) => expect(batch.row(r)).toEqual(model.recommend(user, { k: 10, approximate: true })));
    for await (const block of model.recommendAll({ k: 5, approximate: true, blockSize: 64 })) {
      expect(block.row(0)).toEqual(model.recommend(block.users[0]!, { k: 5, approximate: true }));
    }
  });

  it('refuses approximate queries without an index, and bad options, with typed errors', async () => {
    const { model } = shopModel('none', 200);
    await expect(errorCode(() => model.recommend('u1', { approximate: true }))).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
    await expect(errorCode(() => model.recommend('u1', { approximate: true, ef: 0 }))).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
    await expect(errorCode(model.buildIndex({ M: 1 }))).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
    await expect(errorCode(model.buildIndex({ efConstruction: 0 }))).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
    await expect(errorCode(model.buildIndex({ m: 4 } as never))).resolves.toBe('ERR_MFREC_UNKNOWN_OPTION');
    await model.buildIndex({ threads: 1 });
    await expect(errorCode(() => model.similarItems(model.itemIds[0]!, { approximate: true }))).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
    await expect(errorCode(new HandMadeModel().buildIndex())).resolves.toBe('ERR_MFREC_NOT_FITTED');
  });

  it('item-to-item models need no index: buildIndex says so', async () => {
    const model = await new EASE().fit(randomInteractions(3, 40, 30, 0.2));
    await expect(errorCode(model.buildIndex())).resolves.toBe('ERR_MFREC_INVALID_ARGUMENT');
  });
});

describe('approximate similarItems', () => {
  it('finds at least 95% of the exact cosine neighbours, single and batch', async () => {
    const { model } = shopModel('item');
    await model.buildIndex({ threads: 1, similar: true });
    expect(model.indexInfo).toMatchObject({ kind: 'hnsw', similar: true, M: 16 });
    const items = model.itemIds.slice(0, 200);
    const batch = await model.similarItemsBatch(items, { k: 10, approximate: true });
    let recall = 0;
    items.forEach((item, r) => {
      const got = model.similarItems(item, { k: 10, approximate: true });
      expect(batch.row(r).map((x) => x.item)).toEqual(got.map((x) => x.item));
      expect(got.some((x) => x.item === item)).toBe(false);
      recall += recallAt(model.similarItems(item, { k: 10 }), got);
    });
    expect(recall / items.length).toBeGreaterThanOrEqual(0.95);
  });
});

describe('index persistence', () => {
  async function savedWithIndex(): Promise<{ model: ImplicitALS; file: string }> {
    const model = await new ImplicitALS({ factors: 8, iterations: 2, seed: 3 }).fit(randomInteractions(8, 100, 600, 0.03));
    await model.buildIndex({ threads: 1, similar: true, ef: 40 });
    const file = path.join(dir, `indexed-${Math.random().toString(36).slice(2)}.mfrec`);
    await model.save(file);
    return { model, file };
  }

  it('is saved with the model and serves the same results after loading', async () => {
    const { model, file } = await savedWithIndex();
    const loaded = await loadModel(file);
    expect(loaded.indexInfo).toEqual(model.indexInfo);
    for (const user of model.userIds.slice(0, 20)) expect(loaded.recommend(user, { approximate: true })).toEqual(model.recommend(user, { approximate: true }));
    expect(loaded.similarItems(model.itemIds[3]!, { approximate: true })).toEqual(model.similarItems(model.itemIds[3]!, { approximate: true }));
  });

  it('a file without an index loads without one', async () => {
    const model = await new ImplicitALS({ factors: 4, iterations: 1 }).fit(randomInteractions(8, 20, 30, 0.2));
    const file = path.join(dir, 'plain.mfrec');
    await model.save(file);
    expect((await loadModel(file)).indexInfo).toBeUndefined();
  });

  /** Rewrites `file` (checksum recomputed) after `edit` changed its contents; returns the load's error code. */
  async function loadAfter(file: string, edit: (c: Awaited<ReturnType<typeof readModelFile>>) => void): Promise<string> {
    const contents = await readModelFile(file);
    const copy = { header: { ...contents.header }, blocks: { ...contents.blocks } };
    for (const name of Object.keys(copy.blocks)) copy.blocks[name] = copy.blocks[name]!.slice();
    edit(copy);
    const out = path.join(dir, `edited-${Math.random().toString(36).slice(2)}.mfrec`);
    await writeModelFile(out, copy);
    expect(encodeModelFile(copy).length).toBeGreaterThan(0);
    return errorCode(loadModel(out));
  }

  it('a corrupt graph is ERR_MFREC_CORRUPT_FILE, never a crash', async () => {
    const { file } = await savedWithIndex();
    const corruptions: Array<(c: Awaited<ReturnType<typeof readModelFile>>) => void> = [
      (c) => ((c.blocks.annLinks as Int32Array)[1] = 1 << 30), // a link far out of range
      (c) => ((c.blocks.annLinks as Int32Array)[1] = -5),
      (c) => ((c.blocks.annLinks as Int32Array)[0] = 1000), // a count beyond the block
      (c) => ((c.blocks.annSimilarLinks as Int32Array)[2] = 600),
      (c) => ((c.blocks.annLevels as Int32Array)[7] = 99), // a level beyond the cap
      (c) => ((c.blocks.annLevels as Int32Array)[7] = -1),
      (c) => (c.blocks.annLinks = (c.blocks.annLinks as Int32Array).subarray(0, 100)),
      (c) => delete c.blocks.annLevels,
      (c) => (c.header.annIndex = { ...(c.header.annIndex as object), entry: 600 }),
      (c) => (c.header.annIndex = { ...(c.header.annIndex as object), M: 1 }),
      (c) => (c.header.annIndex = 'hnsw'),
      (c) => {
        // A link to a node that does not reach that level: the search would read outside its blocks.
        const levels = c.blocks.annLevels as Int32Array;
        const links = c.blocks.annLinks as Int32Array;
        const low = levels.indexOf(0);
        const high = levels.findIndex((l) => l > 0);
        const m = (c.header.annIndex as { M: number }).M;
        let upper = levels.length * (1 + 2 * m);
        for (let i = 0; i < high; i++) upper += levels[i]! * (1 + m);
        links[upper] = 1;
        links[upper + 1] = low;
      },
    ];
    await expect(loadAfter(file, () => {})).resolves.toBe('no error');
    for (const corrupt of corruptions) await expect(loadAfter(file, corrupt)).resolves.toBe('ERR_MFREC_CORRUPT_FILE');
  });
});

describe('index through live updates', () => {
  const data = Interactions.fromArrays(
    Array.from({ length: 900 }, (_, k) => `u${k % 60}`),
    Array.from({ length: 900 }, (_, k) => `i${(k * 7) % 150}`),
  );

  it('a fit drops it; forgetItem and partialFitItems rebuild it; user updates keep it', async () => {
    const model = await new ImplicitALS({ factors: 8, iterations: 3, seed: 1 }).fit(data);
    await model.buildIndex({ threads: 1, M: 8 });
    const graph = () => stateOf(model).index!.recommend;
    const first = graph();
    await model.forgetUser('u3');
    expect(graph()).toBe(first);
    await model.forgetItem('i14');
    expect(model.indexInfo).toMatchObject({ M: 8 });
    expect(graph()).not.toBe(first);
    expect(graph().levels.length).toBe(model.itemIds.length);
    for (const user of model.userIds.slice(0, 10)) expect(model.recommend(user, { approximate: true, k: 150 }).some((r) => r.item === 'i14')).toBe(false);
    const rebuilt = graph();
    await model.partialFitItems(Interactions.fromArrays(['u1', 'u2', 'u5'], ['new', 'new', 'new']));
    expect(graph()).not.toBe(rebuilt);
    expect(graph().levels.length).toBe(model.itemIds.length);
    expect(model.recommend('u1', { approximate: true, k: 200, filterSeen: false }).some((r) => r.item === 'new')).toBe(true);
    await model.fit(data);
    expect(model.indexInfo).toBeUndefined();
  });

  it('a live cart (recalculate) searches the index too', async () => {
    const model = await new ImplicitALS({ factors: 8, iterations: 3, seed: 1 }).fit(data);
    await model.buildIndex({ threads: 1 });
    const cart = { items: ['i1', 'i8', 'i15'] };
    const exact = model.recommend('visitor', { recalculate: true, interactions: cart, k: 10 });
    const approximate = model.recommend('visitor', { recalculate: true, interactions: cart, k: 10, approximate: true });
    expect(recallAt(exact, approximate)).toBeGreaterThanOrEqual(0.9);
    expect(approximate.some((r) => cart.items.includes(r.item as string))).toBe(false);
  });
});
