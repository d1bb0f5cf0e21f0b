import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliIn, writePlantedRatings } from './helpers/cli.js';
import { beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-report-cli-'));
const mfrec = cliIn(dir);
const writeRatings = (file: string, seed: number) => writePlantedRatings(file, seed, 0.4);

const canvases = (file: string) => [...readFileSync(path.join(dir, file), 'utf8').matchAll(/<canvas id="chart-([^"]+)"/g)].map((m) => m[1]);

beforeAll(async () => {
  writeRatings(path.join(dir, 'train.csv'), 1);
  writeRatings(path.join(dir, 'test.csv'), 2);
  const trials = {
    metric: 'ndcg',
    trials: [
      { id: 1, params: { factors: 4, regularization: 0.1 }, score: 0.3, seconds: 0.2, iterations: 5, metrics: {} },
      { id: 2, params: { factors: 8, regularization: 0.01 }, score: 0.4, seconds: 0.3, iterations: 5, metrics: {} },
    ],
  };
  writeFileSync(path.join(dir, 'trials.json'), JSON.stringify(trials));
  writeFileSync(path.join(dir, 'broken.json'), '{"trials": [');
  writeFileSync(path.join(dir, 'shapeless.json'), '{"trials": [{"id": 1}]}');
  const t = await mfrec('train', 'train.csv', '--model', 'als', '--factors', '4', '--iterations', '5', '--threads', '1', '--out', 'als.mfrec', '--quiet');
  expect(t.code).toBe(0);
});

describe('mfrec report', () => {
  it('writes an HTML report of a saved model with tuning trials', async () => {
    const r = await mfrec('report', '--model-file', 'als.mfrec', '--train', 'train.csv', '--test', 'test.csv', '--trials', 'trials.json', '--out', 'r.html', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ out: 'r.html', users: 40, items: 30, droppedTestInteractions: 0 });
    // A saved model keeps no iteration reports: no training section.
    expect(canvases('r.html')).toEqual([
      'precision-at-k', 'recall-at-k', 'ndcg-at-k', 'trial-1-factors', 'trial-2-regularization', 'score-distribution', 'popularity-deciles',
    ]);
    const plain = await mfrec('report', '--model-file', 'als.mfrec', '--train', 'train.csv', '--test', 'test.csv', '--title', 'A <title>');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('Report written to report.html\n');
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<h1>A &lt;title&gt;</h1>');
  });

  it('fails with typed errors on bad trials files, leaving no report', async () => {
    const base = ['report', '--model-file', 'als.mfrec', '--train', 'train.csv', '--test', 'test.csv'];
    const cases: Array<[string, string]> = [
      ['broken.json', 'ERR_MFREC_PARSE'],
      ['missing.json', 'ERR_MFREC_IO'],
      ['shapeless.json', 'ERR_MFREC_INVALID_ARGUMENT'],
    ];
    for (const [file, code] of cases) {
      const r = await mfrec(...base, '--trials', file, '--out', `bad-${file}.html`);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(code);
      expect(existsSync(path.join(dir, `bad-${file}.html`))).toBe(false);
    }
    const noModel = await mfrec('report', '--model-file', 'nope.mfrec', '--train', 'train.csv', '--test', 'test.csv');
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toContain('ERR_MFREC_IO');
  });
});

describe('mfrec evaluate --report', () => {
  it('explicit: training curve and error histogram', async () => {
    const r = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'explicit', '--factors', '4', '--iterations', '10', '--report', 'e.html', '--quiet');
    expect(r.code).toBe(0);
    expect(canvases('e.html')).toEqual(['training-rmse', 'training-seconds', 'rating-errors']);
  });

  it('implicit: training time, metric@k and distributions', async () => {
    const r = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'bpr', '--factors', '4', '--iterations', '5', '--report', 'b.html', '--json');
    expect(r.code).toBe(0);
    expect(canvases('b.html')).toEqual(['training-loss', 'training-seconds', 'precision-at-k', 'recall-at-k', 'ndcg-at-k', 'score-distribution', 'popularity-deciles']);
  });

  it('refuses --report for the popularity baseline before doing any work', async () => {
    const r = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'popularity', '--report', 'p.html');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_MFREC_INVALID_ARGUMENT');
    expect(existsSync(path.join(dir, 'p.html'))).toBe(false);
  });
});

describe('mfrec demo --report', () => {
  it('writes the report of the demo run, with product names', async () => {
    const r = await mfrec('demo', '--quiet', '--customers', '1', '--report', 'demo.html');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Report written to demo.html');
    expect(canvases('demo.html')).toEqual(['training-loss', 'training-seconds', 'precision-at-k', 'recall-at-k', 'ndcg-at-k', 'score-distribution', 'popularity-deciles']);
    const html = readFileSync(path.join(dir, 'demo.html'), 'utf8');
    // Product descriptions of Online Retail are upper-case names, shown in the example table.
    const recommended = /<th scope="col">recommended<\/th>[\s\S]*?<ol><li[^>]*>([^<]+)</.exec(html);
    expect(recommended?.[1]).toMatch(/^[A-Z0-9 ,.'&;-]{6,}/);
  });
});
