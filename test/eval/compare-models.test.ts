/** compareModels(): every registry family with its defaults, next to popularity, and the report's table of them. */
import { describe, expect, it } from 'vitest';
import { compareModels, compareRanking, ErrorCodes, ImplicitALS, Interactions, perUserSplit, buildReportData, renderReport } from '../../lib/index.js';
import { adaptedDefaults, MODEL_TYPES, MODELS } from '../../lib/models/registry.js';
import { Rng } from '../../lib/random.js';
import { errorCode } from '../helpers/support.js';

function ratings(seed = 4): Interactions {
  const rng = new Rng(seed);
  const u: string[] = [];
  const i: string[] = [];
  const v: number[] = [];
  for (let a = 0; a < 40; a++)
    for (let b = 0; b < 24; b++)
      if (rng.uniform() < (b % 2 === a % 2 ? 0.5 : 0.08)) {
        u.push(`u${a}`);
        i.push(`i${b}`);
        v.push(b % 2 === a % 2 ? 5 : 1);
      }
  return Interactions.fromArrays(u, i, { values: v });
}

describe('compareModels()', () => {
  const { train, test } = perUserSplit(ratings(), { testFraction: 0.25, seed: 1 });

  it('trains every family of the registry with its defaults and measures each as compareRanking does', async () => {
    const c = await compareModels(train, test, { threads: 1, k: 5 });
    expect(c.rows.map((r) => r.model)).toEqual([...MODEL_TYPES, 'popularity']);
    expect(c.rows.map((r) => r.label)).toEqual([...MODEL_TYPES.map((t) => MODELS[t].label), 'Popularity']);
    // ALS takes the defaults it adapts to these 1-or-5 values (log confidence), as a user of the CLI gets them.
    const als = new ImplicitALS({ ...adaptedDefaults(MODELS.als, train), threads: 1 });
    expect(als.params.confidence).toBe('log');
    await als.fit(train);
    const alone = compareRanking({ als }, train, test, { k: 5 });
    expect(c.rows.find((r) => r.model === 'als')!.ranking).toEqual(alone.models.als);
    const fixed = new ImplicitALS({ threads: 1 });
    await fixed.fit(train);
    const withFixed = await compareModels(train, test, { threads: 1, k: 5, models: ['als'], adaptDefaults: false });
    expect(withFixed.rows[0]!.ranking).toEqual(compareRanking({ fixed }, train, test, { k: 5 }).models.fixed);
    expect(c.rows.at(-1)!.ranking).toEqual(alone.models.popularity);
    expect(c.users).toBe(alone.users);
    for (const r of c.rows) {
      const rating = MODEL_TYPES.includes(r.model as never) && MODELS[r.model as keyof typeof MODELS].kind === 'rating';
      expect(r.rmse === null).toBe(!rating);
      expect(r.fitSeconds === null).toBe(r.model === 'popularity');
    }
    expect(c.models.als?.isFitted).toBe(true);
  });

  it('a seed goes to the families that have one: every family still trains (evaluate --model all --seed)', async () => {
    const c = await compareModels(train, test, { threads: 1, k: 5, seed: 9 });
    expect(c.rows.map((r) => r.model)).toEqual([...MODEL_TYPES, 'popularity']);
    const als = new ImplicitALS({ ...adaptedDefaults(MODELS.als, train), threads: 1, seed: 9 });
    await als.fit(train);
    expect(c.rows.find((r) => r.model === 'als')!.ranking).toEqual(compareRanking({ als }, train, test, { k: 5 }).models.als);
  });

  it('leaves rating families out when the values are not ratings, and takes a list of families', async () => {
    const c = await compareModels(train, test, { threads: 1, ratings: false });
    expect(c.rows.map((r) => r.model)).toEqual([...MODEL_TYPES.filter((t) => MODELS[t].kind !== 'rating'), 'popularity']);
    const one = await compareModels(train, test, { threads: 1, models: ['bpr'] });
    expect(one.rows.map((r) => r.model)).toEqual(['bpr', 'popularity']);
  });

  it('refuses bad options and a test set with nothing the training data knows', async () => {
    expect(await errorCode(compareModels(train, test, { models: ['svd'] as never }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(compareModels(train, test, { models: [] }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(compareModels(train, test, { k: 0 }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(compareModels(train, test, { factors: 8 } as never))).toBe(ErrorCodes.UNKNOWN_OPTION);
    const strangers = Interactions.fromArrays(['x'], ['y'], { values: [3] });
    expect(await errorCode(compareModels(train, strangers))).toBe(ErrorCodes.EMPTY_DATA);
  });

  it("gives the report a table of every row, the detailed model's row marked", async () => {
    const c = await compareModels(train, test, { threads: 1, models: ['als', 'bpr'] });
    const data = buildReportData({ model: c.models.als!, train, test, comparison: c.rows, generatedAt: new Date(0) });
    expect(data.comparison!.map((r) => r.model)).toEqual(['als', 'bpr', 'popularity']);
    expect(data.comparison![0]!.ndcg).toBe(c.rows[0]!.ranking.ndcg);
    const html = renderReport(data);
    expect(html).toMatch(/<tr class="best"><th scope="row">ALS<\/th>/);
    expect(html).toContain('<th scope="row">BPR</th>');
    expect(buildReportData({ model: c.models.als!, train, test, generatedAt: new Date(0) }).comparison).toBeNull();
    expect(await errorCode(() => buildReportData({ model: c.models.als!, train, test, comparison: 'all' as never }))).toBe(ErrorCodes.INVALID_ARGUMENT);
  });
});
