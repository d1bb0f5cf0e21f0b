import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliIn, writePlantedRatings } from '../helpers/cli.js';
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
    const r = await mfrec(
      'report',
      '--model-file',
      'als.mfrec',
      '--train',
      'train.csv',
      '--test',
      'test.csv',
      '--trials',
      'trials.json',
      '--out',
      'r.html',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ out: 'r.html', users: 40, items: 30, droppedTestInteractions: 0, warnings: [] });
    expect(r.stderr).toBe('');
    expect(readFileSync(path.join(dir, 'r.html'), 'utf8')).not.toContain('id="data-warnings"');
    // A saved model keeps no iteration reports: no training section.
    expect(canvases('r.html')).toEqual([
      'precision-at-k',
      'recall-at-k',
      'ndcg-at-k',
      'trial-1-factors',
      'trial-2-regularization',
      'score-distribution',
      'popularity-deciles',
    ]);
    const plain = await mfrec('report', '--model-file', 'als.mfrec', '--train', 'train.csv', '--test', 'test.csv', '--title', 'A <title>');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('Report written to report.html\n');
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<h1>A &lt;title&gt;</h1>');
  });

  it('says loudly, on stderr and in a banner, when the model was trained on the test pairs or on other data', async () => {
    // Disjoint files from a split, and the model of a careless run: trained on all the ratings, test pairs included.
    expect((await mfrec('split', 'train.csv', '--out-dir', 'h', '--quiet')).code).toBe(0);
    const fit = (file: string, out: string) =>
      mfrec('train', file, '--model', 'explicit', '--factors', '4', '--iterations', '20', '--threads', '1', '--out', out, '--quiet');
    expect((await fit('train.csv', 'leaky.mfrec')).code).toBe(0);
    expect((await fit('h/train.csv', 'honest.mfrec')).code).toBe(0);
    const lines = (file: string) => readFileSync(path.join(dir, file), 'utf8').trim().split('\n').length - 1;
    const [all, trainPairs, testPairs] = [lines('train.csv'), lines('h/train.csv'), lines('h/test.csv')];
    const base = ['--train', 'h/train.csv', '--test', 'h/test.csv'];

    const leaky = await mfrec('report', '--model-file', 'leaky.mfrec', ...base, '--out', 'leaky.html', '--json');
    expect(leaky.code).toBe(0);
    const warnings = leaky.stderr.trim().split('\n');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^mfrec: warning: The training data is not what the model was trained on: the model holds ${all} training interactions, the training data has ${trainPairs}\\.`,
      ),
    );
    expect(warnings[1]).toMatch(
      new RegExp(`^mfrec: warning: ${testPairs} of the ${testPairs} held-out interactions \\(100\\.0%\\) were in the model's training data`),
    );
    expect(JSON.parse(leaky.stdout).warnings).toEqual(warnings.map((w) => w.replace('mfrec: warning: ', '')));
    const html = readFileSync(path.join(dir, 'leaky.html'), 'utf8');
    expect(html).toMatch(/<section id="data-warnings" class="warning" role="alert"><h2>Warning: these figures are not an honest held-out measure<\/h2>/);
    // The summary shows the model's own counts, not the training file's.
    expect(html).toContain(`<div class="label">model training interactions</div><div class="value">${all}</div>`);
    const rmse = (file: string) => Number(/test RMSE<\/div><div class="value">([0-9.]+)/.exec(readFileSync(path.join(dir, file), 'utf8'))![1]);

    const honest = await mfrec('report', '--model-file', 'honest.mfrec', ...base, '--out', 'honest.html');
    expect(honest.code).toBe(0);
    expect(honest.stderr).toBe('');
    expect(readFileSync(path.join(dir, 'honest.html'), 'utf8')).not.toContain('id="data-warnings"');
    // The warning is about a real difference: the leaky model's test error is the smaller one.
    expect(rmse('leaky.html')).toBeLessThan(rmse('honest.html'));

    // The right model with another training file: only the first warning.
    const other = await mfrec('report', '--model-file', 'honest.mfrec', '--train', 'h/test.csv', '--test', 'h/test.csv', '--out', 'other.html');
    expect(other.code).toBe(0);
    expect(other.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^mfrec: warning: The training data is not what the model was trained on: the model holds \d+ training interactions, the training data has \d+, \d+ of them not in the model\./,
      ),
    ]);
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
    const r = await mfrec(
      'evaluate',
      'train.csv',
      '--test',
      'test.csv',
      '--model',
      'explicit',
      '--factors',
      '4',
      '--iterations',
      '10',
      '--report',
      'e.html',
      '--quiet',
    );
    expect(r.code).toBe(0);
    expect(canvases('e.html')).toEqual(['training-rmse', 'training-seconds', 'rating-errors']);
    // The two planted files share pairs: those ratings were trained on, and RMSE counts them.
    const shared = /^mfrec: warning: (\d+) of the (\d+) ratings of test\.csv \([\d.]+%\) are also in the training data: the model was trained on them/.exec(
      r.stderr,
    );
    expect(shared).not.toBeNull();
    expect(Number(shared![1])).toBeGreaterThan(0);
    expect(readFileSync(path.join(dir, 'e.html'), 'utf8')).toMatch(
      new RegExp(`<li>${shared![1]} of the ${shared![2]} held-out interactions \\([\\d.]+%\\) were in the model&#39;s training data`),
    );
    // Disjoint files, as mfrec split writes them: no warning, no banner.
    expect((await mfrec('split', 'train.csv', '--out-dir', 'parts', '--quiet')).code).toBe(0);
    const clean = await mfrec(
      'evaluate',
      'parts/train.csv',
      '--test',
      'parts/test.csv',
      '--model',
      'explicit',
      '--factors',
      '4',
      '--iterations',
      '10',
      '--report',
      'clean.html',
      '--quiet',
    );
    expect(clean.code).toBe(0);
    expect(clean.stderr).toBe('');
    expect(readFileSync(path.join(dir, 'clean.html'), 'utf8')).not.toContain('id="data-warnings"');
  });

  it('implicit: training time, metric@k and distributions', async () => {
    const r = await mfrec(
      'evaluate',
      'train.csv',
      '--test',
      'test.csv',
      '--model',
      'bpr',
      '--factors',
      '4',
      '--iterations',
      '5',
      '--report',
      'b.html',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(canvases('b.html')).toEqual([
      'training-loss',
      'training-seconds',
      'precision-at-k',
      'recall-at-k',
      'ndcg-at-k',
      'score-distribution',
      'popularity-deciles',
    ]);
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
    expect(canvases('demo.html')).toEqual([
      'training-loss',
      'training-seconds',
      'precision-at-k',
      'recall-at-k',
      'ndcg-at-k',
      'score-distribution',
      'popularity-deciles',
    ]);
    const html = readFileSync(path.join(dir, 'demo.html'), 'utf8');
    expect(html).not.toContain('id="data-warnings"');
    // Product descriptions of Online Retail are upper-case names, shown in the example table.
    const recommended = /<th scope="col">recommended<\/th>[\s\S]*?<ol><li[^>]*>([^<]+)</.exec(html);
    expect(recommended?.[1]).toMatch(/^[A-Z0-9 ,.'&;-]{6,}/);
  });
});
