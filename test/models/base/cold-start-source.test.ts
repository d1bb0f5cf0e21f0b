/**
 * Every recommendation says where it comes from (`source: 'model'` or
 * 'cold-start'), fallback scores are shares of training users in [0, 1]
 * rather than counts that look like model scores, and every model answers
 * hasUser / hasItem.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BPR, ExplicitMF, ImplicitALS, Interactions, MfrecError, Popularity, type FactorModel } from '../../../lib/index.js';
import { cliIn } from '../../helpers/cli.js';
import { errorCode } from '../../helpers/support.js';

/** 30 users on 12 items; the first six items are the most popular. */
function shop(values: boolean): Interactions {
  const u: string[] = [];
  const i: string[] = [];
  const v: number[] = [];
  for (let a = 0; a < 30; a++) {
    for (let b = 0; b < 12; b++) {
      if ((a + b) % 3 === 0 || (b < 6 && a % 2 === 0)) {
        u.push(`u${a}`);
        i.push(`i${b}`);
        v.push(1 + ((a + b) % 5));
      }
    }
  }
  return Interactions.fromArrays(u, i, values ? { values: v } : {});
}

const models: Array<[string, () => FactorModel, boolean]> = [
  ['ExplicitMF', () => new ExplicitMF({ factors: 4, iterations: 5, threads: 1 }), true],
  ['ImplicitALS', () => new ImplicitALS({ factors: 4, iterations: 3, threads: 1 }), false],
  ['BPR', () => new BPR({ factors: 4, iterations: 3, threads: 1 }), false],
];

describe.each(models)('%s', (_name, create, values) => {
  let model: FactorModel;
  beforeAll(async () => {
    model = await create().fit(shop(values));
  });

  it('hasUser / hasItem tell known ids from strangers, with typed errors for bad ids and before a fit', async () => {
    expect(model.hasUser('u3')).toBe(true);
    expect(model.hasUser('stranger')).toBe(false);
    expect(model.hasItem('i11')).toBe(true);
    expect(model.hasItem('i12')).toBe(false);
    expect(await errorCode(() => model.hasUser({} as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(() => model.hasItem(NaN))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(() => create().hasUser('u3'))).toBe('ERR_MFREC_NOT_FITTED');
  });

  it("recommend marks model rows 'model' and fallback rows 'cold-start', with shares in [0, 1] as fallback scores", () => {
    const warm = model.recommend('u3', { k: 3 });
    expect(warm.map((r) => r.source)).toEqual(['model', 'model', 'model']);
    const cold = model.recommend('stranger', { k: 12 });
    expect(cold).toHaveLength(12);
    expect(cold.every((r) => r.source === 'cold-start')).toBe(true);
    for (const r of cold) expect(r.score).toBeGreaterThanOrEqual(0);
    for (const r of cold) expect(r.score).toBeLessThanOrEqual(1);
    // The share of the 30 training users who interacted with the item.
    const top = cold[0]!;
    const p = new Popularity().fit(shop(values));
    expect(top.score).toBe(Math.fround(p.popularity(top.item) / 30));
  });

  it('recommendBatch, recommendAll and recalculated recommendations carry the source too', async () => {
    const batch = await model.recommendBatch(['u3', 'stranger'], { k: 2 });
    expect(batch.row(0).map((r) => r.source)).toEqual(['model', 'model']);
    expect(batch.row(1).map((r) => r.source)).toEqual(['cold-start', 'cold-start']);
    for await (const block of model.recommendAll({ k: 2, blockSize: 64 })) {
      for (const { user, recommendations } of block.entries()) {
        const expected = model.hasUser(user) ? 'model' : 'cold-start';
        for (const r of recommendations) expect(r.source, String(user)).toBe(expected);
      }
    }
    if (model.supportsRecalculate) {
      const folded = model.recommend('new', { recalculate: true, interactions: values ? { items: ['i1'], values: [5] } : { items: ['i1'] }, k: 2 });
      expect(folded.map((r) => r.source)).toEqual(['model', 'model']);
      const unknown = model.recommend('new', { recalculate: true, interactions: values ? { items: ['zz'], values: [5] } : { items: ['zz'] }, k: 2 });
      expect(unknown.map((r) => r.source)).toEqual(['cold-start', 'cold-start']);
    }
    expect(model.similarItems('i1', { k: 2 }).map((r) => r.source)).toEqual(['model', 'model']);
  });

  it('a forgotten user is no longer known: cold-start from then on', async () => {
    await model.forgetUser('u29');
    expect(model.hasUser('u29')).toBe(false);
    expect(model.recommend('u29', { k: 1 })[0]!.source).toBe('cold-start');
  });
});

describe('Popularity', () => {
  it('has hasUser / hasItem, and its own ranking is its model', () => {
    const p = new Popularity();
    expect(() => p.hasUser('u1')).toThrow(MfrecError);
    p.fit(shop(false));
    expect(p.hasUser('u1')).toBe(true);
    expect(p.hasUser('stranger')).toBe(false);
    expect(p.hasItem('i0')).toBe(true);
    expect(p.hasItem('nope')).toBe(false);
    expect(p.recommend('stranger', { k: 2 }).map((r) => r.source)).toEqual(['model', 'model']);
  });
});

describe('the CLI CSV', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-source-'));
  const mfrec = cliIn(dir);
  beforeAll(async () => {
    const lines = ['user,item'];
    const data = shop(false);
    for (let e = 0; e < data.nnz; e++) lines.push(`${data.users.id(data.userOfEntry[e]!)},${data.items.id(data.byUser.indices[e]!)}`);
    writeFileSync(path.join(dir, 'shop.csv'), lines.join('\n') + '\n');
    expect((await mfrec('train', 'shop.csv', '--model', 'als', '--implicit', '--factors', '4', '--out', 'shop.mfrec')).code).toBe(0);
  });

  it('recommend --user has a source column: model for a known user, cold-start for a stranger', async () => {
    const known = (await mfrec('recommend', '--model', 'shop.mfrec', '--user', 'u3', '--k', '2')).stdout.trim().split('\n');
    expect(known[0]).toBe('user,item,rank,score,source');
    expect(known.slice(1).map((l) => l.split(',')[4])).toEqual(['model', 'model']);
    const cold = (await mfrec('recommend', '--model', 'shop.mfrec', '--user', 'stranger', '--k', '2')).stdout.trim().split('\n');
    expect(cold.slice(1).map((l) => l.split(',')[4])).toEqual(['cold-start', 'cold-start']);
    for (const l of cold.slice(1)) expect(Number(l.split(',')[3])).toBeLessThanOrEqual(1);
  });

  it('recommend --history marks the users with no known item as cold-start', async () => {
    writeFileSync(path.join(dir, 'recent.csv'), 'user,item\nnewcomer,i1\nnewcomer,i2\nghost,not-in-catalogue\n');
    const rows = (await mfrec('recommend', '--model', 'shop.mfrec', '--history', 'recent.csv', '--k', '2')).stdout.trim().split('\n');
    expect(rows[0]).toBe('user,item,rank,score,source');
    const source = new Map(rows.slice(1).map((l) => [l.split(',')[0], l.split(',')[4]]));
    expect(source.get('newcomer')).toBe('model');
    expect(source.get('ghost')).toBe('cold-start');
  });
});
