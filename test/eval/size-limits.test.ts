/**
 * Size parameters are bounded by what the data makes meaningful (an
 * evaluation cut-off by the catalogue) or by a documented maximum, with a
 * typed error beyond: never minutes of work, gigabytes of arrays or an
 * untyped RangeError.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compareRanking,
  crossValidate,
  evaluateRanking,
  evaluateTopK,
  ExplicitMF,
  ImplicitALS,
  kFold,
  Interactions,
  MAX_K,
  popularityScorer,
  randomSplit,
  tune,
} from '../../lib/index.js';
import { cliIn, writePlantedRatings } from '../helpers/cli.js';
import { errorCode } from '../helpers/support.js';

/** 40 users × 30 items, each user on about half the items. */
function clicks(seed: number, items = 30): Interactions {
  const u: string[] = [];
  const i: string[] = [];
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let a = 0; a < 40; a++) for (let b = 0; b < items; b++) if (rand() < 0.5) u.push(`u${a}`), i.push(`i${b}`);
  return Interactions.fromArrays(u, i);
}

const { train, test } = randomSplit(clicks(1), { testFraction: 0.2, seed: 1 });

let model: ImplicitALS;
beforeAll(async () => {
  model = await new ImplicitALS({ factors: 4, iterations: 2, threads: 1 }).fit(train);
});

describe('k is bounded by the catalogue in evaluation', () => {
  it('evaluateRanking, evaluateTopK and compareRanking accept k up to the number of items', async () => {
    expect(evaluateRanking(popularityScorer(train), train, test, { k: 30 }).k).toBe(30);
    expect((await evaluateTopK(model, train, test, { k: 30 })).k).toBe(30);
  });

  it('refuse k beyond the number of items with a typed error naming the bound', async () => {
    for (const k of [31, 100_000_000, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      expect(await errorCode(() => evaluateRanking(popularityScorer(train), train, test, { k }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(evaluateTopK(model, train, test, { k }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(() => compareRanking({ als: model }, train, test, { k }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    }
    expect(() => evaluateRanking(popularityScorer(train), train, test, { k: 100_000_000 })).toThrow(/\[1, 30\].*30 items.*for k/);
  });

  it('keeps the default cut-off of 10 valid on a catalogue of fewer items', async () => {
    const tiny = randomSplit(clicks(2, 5), { testFraction: 0.3, seed: 1 });
    expect(evaluateRanking(popularityScorer(tiny.train), tiny.train, tiny.test).k).toBe(10);
    expect(evaluateRanking(popularityScorer(tiny.train), tiny.train, tiny.test, { k: 10 }).k).toBe(10);
  });

  it('tune refuses a metric cut-off beyond the catalogue before the first trial', async () => {
    let trials = 0;
    const code = await errorCode(tune(train, { model: 'als', metric: 'ndcg@999999', budget: 2, onTrial: () => trials++ }));
    expect(code).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(trials).toBe(0);
  });
});

describe('folds have a documented maximum', () => {
  it('kFold and crossValidate refuse more than 100 folds (each a copy of the data) with a typed error', async () => {
    const ratings = Interactions.fromArrays(
      Array.from({ length: 400 }, (_, e) => `u${e % 40}`),
      Array.from({ length: 400 }, (_, e) => `i${e % 37}`),
      { values: Array.from({ length: 400 }, (_, e) => 1 + (e % 5)) },
    );
    expect(kFold(ratings, { folds: 100 })).toHaveLength(100);
    expect(await errorCode(() => kFold(ratings, { folds: 101 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(crossValidate(() => new ExplicitMF({ iterations: 1 }), ratings, { folds: 400 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });
});

describe('k has a documented maximum in recommend and similar', () => {
  it('accepts k up to MAX_K (every item that qualifies) and refuses beyond with a typed error', async () => {
    expect(model.recommend('u1', { k: MAX_K }).length).toBeLessThanOrEqual(30);
    expect(model.similarItems('i1', { k: MAX_K })).toHaveLength(29);
    expect(model.similarUsers('u1', { k: MAX_K })).toHaveLength(39);
    expect((await model.recommendBatch(['u1'], { k: MAX_K })).k).toBeLessThanOrEqual(30);
    for (const k of [MAX_K + 1, 2 ** 53]) {
      expect(await errorCode(() => model.recommend('u1', { k }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(() => model.similarItems('i1', { k }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(() => model.similarUsers('u1', { k }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(() => model.recommendBatch(['u1'], { k }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(() => model.recommendAll({ k }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    }
  });
});

describe('the CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-limits-'));
  const mfrec = cliIn(dir);
  beforeAll(() => {
    writePlantedRatings(path.join(dir, 'train.csv'), 1, 0.5);
    writePlantedRatings(path.join(dir, 'test.csv'), 2, 0.5);
  });

  it('evaluate --k beyond the catalogue fails with one typed line, quickly and without the memory', async () => {
    for (const k of ['100000000', '2147483648']) {
      const r = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'popularity', '--implicit', '--k', k);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/\[1, 30\]/);
      expect(r.stderr).not.toMatch(/RangeError|\n\s+at /);
    }
  });
});
