/** `mfrec import`: the written model file is read by recommend, similar, report and serve. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFactorModel, loadModel } from '../../lib/index.js';
import { cliIn, writePlantedRatings } from '../helpers/cli.js';
import { startServe, waitReady } from '../helpers/serve-process.js';
import { writeSparkModel } from './spark-layout.js';

const fixtures = path.resolve(__dirname, '..', 'fixtures', 'import', 'implicit');
const tmp = mkdtempSync(path.join(tmpdir(), 'mfrec-import-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const mfrec = cliIn(tmp);
const fixture = (name: string) => path.join(fixtures, name);

describe('mfrec import', () => {
  it('writes an ALS model from an .npz with ids and interactions; recommend and report read it', async () => {
    const out = path.join(tmp, 'als.mfrec');
    const r = await mfrec(
      'import',
      fixture('als.npz'),
      '--out',
      out,
      '--user-ids',
      fixture('users.txt'),
      '--item-ids',
      fixture('items.txt'),
      '--interactions',
      fixture('train.csv'),
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ model: 'als', factors: 8, users: 60, items: 40, seenInteractions: 403, skippedInteractions: 0 });
    const api = await importFactorModel(fixture('als.npz'), { userIds: fixture('users.txt'), itemIds: fixture('items.txt') });
    const rec = await mfrec('recommend', '--model-file', out, '--user', 'u000', '--k', '3');
    expect(rec.code).toBe(0);
    const seen = new Set(
      readFileSync(fixture('train.csv'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('u000,'))
        .map((l) => l.split(',')[1]),
    );
    const expected = api
      .recommend('u000', { k: 20 })
      .filter((x) => !seen.has(String(x.item)))
      .slice(0, 3)
      .map((x) => x.item);
    expect(
      rec.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[1]),
    ).toEqual(expected);
    const report = await mfrec(
      'report',
      '--model-file',
      out,
      '--train',
      fixture('train.csv'),
      '--test',
      fixture('test.csv'),
      '--out',
      path.join(tmp, 'r.html'),
      '--json',
    );
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ users: 60, items: 40, warnings: [] });
  });

  it('evaluate --model-file measures the imported model without training, with the library’s own figure', async () => {
    const out = path.join(tmp, 'als-eval.mfrec');
    expect((await mfrec('import', fixture('als.npz'), '--out', out, '--user-ids', fixture('users.txt'), '--item-ids', fixture('items.txt'))).code).toBe(0);
    const r = await mfrec('evaluate', fixture('train.csv'), '--test', fixture('test.csv'), '--model-file', out, '--k', '5', '--json');
    expect(r.code).toBe(0);
    const reference = JSON.parse(readFileSync(fixture('als-reference.json'), 'utf8')).ranking_metrics_at_5;
    const report = JSON.parse(r.stdout);
    expect(report.iterations).toEqual([]);
    expect(report.models.als.hitRate).toBeCloseTo(reference.precision, 10);
    expect(report.models).toHaveProperty('popularity');
    const both = await mfrec('evaluate', fixture('train.csv'), '--test', fixture('test.csv'), '--model-file', out, '--model', 'als');
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('give --model (train one) or --model-file (a saved model), not both');
    const neither = await mfrec('evaluate', fixture('train.csv'), '--test', fixture('test.csv'));
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain("required option '--model <type>' not specified");
    const family = await mfrec('evaluate', fixture('train.csv'), '--test', fixture('test.csv'), '--model-file', out, '--factors', '4');
    expect(family.stderr).toContain('--factors does not apply to --model-file');
  });

  it('evaluate --model-file gives a saved rating model its RMSE, the same as training it in evaluate', async () => {
    writePlantedRatings(path.join(tmp, 'ratings-train.csv'), 3, 0.5);
    writePlantedRatings(path.join(tmp, 'ratings-test.csv'), 4, 0.2);
    const flags = ['--factors', '4', '--iterations', '5', '--threads', '1'];
    expect((await mfrec('train', 'ratings-train.csv', '--model', 'explicit', ...flags, '--out', 'explicit.mfrec', '--quiet')).code).toBe(0);
    const saved = JSON.parse((await mfrec('evaluate', 'ratings-train.csv', '--test', 'ratings-test.csv', '--model-file', 'explicit.mfrec', '--json')).stdout);
    const trained = JSON.parse((await mfrec('evaluate', 'ratings-train.csv', '--test', 'ratings-test.csv', '--model', 'explicit', ...flags, '--json')).stdout);
    expect(saved.iterations).toEqual([]);
    expect(saved.count).toBe(trained.count);
    expect(saved.rmse).toBeCloseTo(trained.rmse, 5);
  });

  it('writes a BPR model with the fold-in settings given as flags', async () => {
    const out = path.join(tmp, 'bpr.mfrec');
    const r = await mfrec('import', fixture('bpr.npz'), '--out', out, '--learning-rate', '0.02', '--iterations', '30', '--json');
    expect(r.code).toBe(0);
    const model = await loadModel(out);
    expect(model.type).toBe('bpr');
    expect(model.params).toMatchObject({ learningRate: 0.02, iterations: 30, regularization: 0.01 });
    const sim = await mfrec('similar', '--model-file', out, '--item', '3', '--k', '2');
    expect(sim.code).toBe(0);
    expect(sim.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('serves a model imported from a Spark directory', async () => {
    const dir = path.join(tmp, 'spark-model');
    const ids = [11, 12, 13];
    writeSparkModel(
      dir,
      2,
      {
        ids,
        features: [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
      },
      {
        ids: [7, 8],
        features: [
          [2, 0],
          [0, 3],
        ],
      },
    );
    const out = path.join(tmp, 'spark.mfrec');
    const r = await mfrec('import', dir, '--out', out, '--regularization', '0.3');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/model\s+als/);
    const s = startServe(out, '--port', '0', '--no-watch');
    try {
      const url = await s.url;
      await waitReady(url);
      const rec = (await (await fetch(`${url}/recommend/12?k=2`)).json()) as { items: Array<{ item: number; source: string }> };
      expect(rec.items.map((x) => [x.item, x.source])).toEqual([
        [8, 'model'],
        [7, 'model'],
      ]);
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('fails with one line naming what was wrong, and writes nothing', async () => {
    const out = path.join(tmp, 'never.mfrec');
    const dup = await mfrec('import', fixture('als.npz'), '--out', out, '--user-ids', fixture('items.txt'));
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('items.txt: 40 user ids, the model has 60 user rows');
    const spark = await mfrec('import', fixture('als.npz'), '--out', out, '--format', 'spark');
    expect(spark.code).not.toBe(0);
    expect(spark.stderr).toContain('als.npz is a file: a Spark ALSModel is a directory');
    for (const r of [dup, spark]) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const same = await mfrec('import', fixture('als.npz'), '--out', fixture('als.npz'));
    expect(same.code).not.toBe(0);
    await expect(loadModel(out)).rejects.toThrow();
  });
});
