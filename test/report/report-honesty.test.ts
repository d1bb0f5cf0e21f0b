/** The report knows when its data do not belong to the model: training data it was not trained on, held-out pairs it was. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Interactions } from '../../lib/data/interactions.js';
import { randomSplit } from '../../lib/data/split.js';
import { ExplicitMF } from '../../lib/models/explicit/explicit-mf.js';
import { ImplicitALS } from '../../lib/models/als/implicit-als.js';
import { loadModel } from '../../lib/persist/load-model.js';
import { checkModelData } from '../../lib/report/data-check.js';
import { buildReportData } from '../../lib/report/report-data.js';
import { checkerboard } from '../helpers/implicit-data.js';

const als = () => new ImplicitALS({ factors: 4, iterations: 4, threads: 1, seed: 3 });

describe('FactorModel.wasTrainedOn and trainingSize', () => {
  it('answer from the training record, before and after a save and load', async () => {
    const data = Interactions.fromArrays(['a', 'a', 'b', 'c'], ['x', 'y', 'y', 'z']);
    const model = await als().fit(data);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mfrec-honesty-')), 'm.mfrec');
    await model.save(file);
    for (const m of [model, await loadModel(file)]) {
      expect(m.trainingSize).toEqual({ users: 3, items: 3, interactions: 4 });
      expect([m.wasTrainedOn('a', 'x'), m.wasTrainedOn('a', 'y'), m.wasTrainedOn('b', 'y'), m.wasTrainedOn('c', 'z')]).toEqual([true, true, true, true]);
      expect([m.wasTrainedOn('a', 'z'), m.wasTrainedOn('b', 'x'), m.wasTrainedOn('nobody', 'x'), m.wasTrainedOn('a', 'nothing')]).toEqual([
        false,
        false,
        false,
        false,
      ]);
    }
  });
});

describe('buildReportData warnings', () => {
  const all = checkerboard(3);
  const { train, test } = randomSplit(all, { testFraction: 0.25, seed: 8 });

  it('none for a model trained on the training data, even when held-out pairs repeat training pairs', async () => {
    const model = await als().fit(train);
    const d = buildReportData({ model, train, test });
    expect(d.warnings).toEqual([]);
    expect(d.model).toMatchObject({ users: train.nUsers, items: train.nItems, interactions: train.nnz });
    // Ranking leaves a user's training items out: a held-out pair that repeats one cannot inflate the figures.
    const repeat = [...test.entries()].concat({ user: train.users.id(0), item: train.items.id(train.byUser.indices[0]!), value: 1 });
    const withRepeat = Interactions.fromArrays(
      repeat.map((e) => e.user),
      repeat.map((e) => e.item),
      { users: train.users, items: train.items },
    );
    expect(withRepeat.nnz).toBe(test.nnz + 1);
    expect(checkModelData(model, train, withRepeat).testPairsInModel).toBe(0);
    expect(buildReportData({ model, train, test: withRepeat }).warnings).toEqual([]);
  });

  it('two for an implicit model trained on all the data: other training data, and held-out pairs ranked as unseen', async () => {
    const model = await als().fit(all);
    const check = checkModelData(model, train, test);
    expect(check).toMatchObject({ model: { interactions: all.nnz }, trainPairsNotInModel: 0, testPairsInModel: test.nnz });
    const d = buildReportData({ model, train, test });
    expect(d.warnings).toHaveLength(2);
    expect(d.warnings[0]).toBe(
      `The training data is not what the model was trained on: the model holds ${all.nnz} training interactions, the training data has ${train.nnz}. ` +
        'Figures that depend on the training data (seen items, popularity, counts) do not describe this model.',
    );
    expect(d.warnings[1]).toMatch(
      new RegExp(
        `^${test.nnz} of the ${test.nnz} held-out interactions \\(100\\.0%\\) \\(outside the training data given, so ranked as unseen\\) were in the model's training data`,
      ),
    );
    // The summary shows the model's counts, not the training data's.
    expect(d.model.interactions).toBe(all.nnz);
    expect(d.data.trainInteractions).toBe(train.nnz);
  });

  it('explicit: every held-out rating the model was trained on counts', async () => {
    const ratings = Interactions.fromArrays(['u1', 'u1', 'u2', 'u2', 'u3', 'u3'], ['a', 'b', 'a', 'c', 'b', 'c'], { values: [5, 3, 4, 2, 1, 5] });
    const model = await new ExplicitMF({ factors: 2, iterations: 5, threads: 1, seed: 1 }).fit(ratings);
    const test = Interactions.fromArrays(['u1', 'u3'], ['b', 'c'], { users: ratings.users, items: ratings.items, values: [3, 5] });
    const d = buildReportData({ model, train: ratings, test });
    expect(d.warnings).toEqual([
      "2 of the 2 held-out interactions (100.0%) were in the model's training data: the model has seen these answers, so the held-out figures are better than an honest test would give.",
    ]);
  });
});

describe('the example table', () => {
  it('explains the ✓ only when one is shown', async () => {
    const { renderReport } = await import('../../lib/report/render.js');
    const { train, test } = randomSplit(checkerboard(3), { testFraction: 0.25, seed: 8 });
    const data = buildReportData({ model: await als().fit(train), train, test, k: 5 });
    const hits = data.examples.flatMap((e) => e.recommended).filter((r) => r.heldOut).length;
    expect(hits).toBeGreaterThan(0);
    expect(renderReport(data)).toContain('✓: bought in the test period.');
    const noHits = { ...data, examples: data.examples.map((e) => ({ ...e, recommended: e.recommended.map((r) => ({ ...r, heldOut: false })) })) };
    const html = renderReport(noHits);
    expect(html).toContain('<h2>Example recommendations</h2>');
    expect(html).not.toContain('in the test period.');
  });
});
