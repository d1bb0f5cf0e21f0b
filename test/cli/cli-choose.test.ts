/** `--model all` in evaluate and tune: every family of the registry, one table, the best kept. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_TYPES } from '../../lib/models/registry.js';
import { cliIn, writePlantedRatings } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-choose-'));
const mfrec = cliIn(dir);

beforeAll(() => {
  writePlantedRatings(path.join(dir, 'train.csv'), 1, 0.5);
  writePlantedRatings(path.join(dir, 'test.csv'), 2, 0.5);
});

interface Row {
  model: string;
  ranking: { precision: number; ndcg: number };
  fitSeconds: number | null;
  rmse: number | null;
}

describe('mfrec evaluate --model all', () => {
  it('trains every family with its defaults and measures them with popularity, as the single-model runs do', async () => {
    const r = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'all', '--threads', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { k: number; users: number; rows: Row[] };
    expect(out.rows.map((x) => x.model)).toEqual([...MODEL_TYPES, 'popularity']);
    expect(out.k).toBe(10);
    const als = JSON.parse((await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'als', '--threads', '1', '--json')).stdout);
    const row = (m: string) => out.rows.find((x) => x.model === m)!;
    expect(row('als').ranking.precision).toBe(als.models.als.precision);
    expect(row('popularity').ranking.ndcg).toBe(als.models.popularity.ndcg);
    expect(row('popularity').fitSeconds).toBeNull();
    const explicit = JSON.parse((await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'explicit', '--threads', '1', '--json')).stdout);
    expect(row('explicit').rmse).toBe(explicit.rmse);
    for (const m of MODEL_TYPES) expect(row(m).fitSeconds).toBeGreaterThan(0);
    expect(row('als').rmse).toBeNull();
  });

  it('prints one table, a row per family and popularity', async () => {
    const r = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'all', '--threads', '1', '--k', '5', '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^model\s+P@5\s+recall@5\s+NDCG@5\s+MAP@5\s+hit@5\s+cover@5\s+fit s\s+RMSE$/);
    expect(lines.slice(1, -1).map((l) => l.split(/\s+/)[0])).toEqual([...MODEL_TYPES, 'popularity']);
    expect(lines.at(-1)).toMatch(/^\d+ users evaluated/);
  });

  it('leaves the rating families out, with a note, when there are no ratings', async () => {
    const r = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'all', '--implicit', '--threads', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^mfrec: note: explicit left out: .*no value column/m);
    const rows = (JSON.parse(r.stdout) as { rows: Row[] }).rows.map((x) => x.model);
    expect(rows).not.toContain('explicit');
    expect(rows).toContain('als');
  });

  it('writes the HTML report with every row', async () => {
    const r = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'all', '--threads', '1', '--quiet', '--report', 'all.html');
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(path.join(dir, 'all.html'), 'utf8');
    const section = /<section id="comparison">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(section).toContain('Models compared');
    for (const label of ['Explicit MF', 'ALS', 'BPR', 'Popularity']) expect(section).toContain(`<th scope="row">${label}</th>`);
  });

  it("refuses a family's hyperparameter flags", async () => {
    const r = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'all', '--factors', '8');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--factors does not apply to --model all: every family trains with its defaults');
  });

  it.each([
    [['--lambda', '5'], '--lambda'],
    [['--neighbours', '5'], '--neighbours'],
    [['--weighting', 'cosine'], '--weighting'],
    [['--shrink', '5'], '--shrink'],
    [['--beta', '0.2'], '--beta'],
    [['--no-normalize'], '--no-normalize'],
  ])("refuses the item-to-item families' flags too (%j), naming the flag as typed", async (flags, named) => {
    const r = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'all', ...flags, '--quiet');
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain(`${named} does not apply to --model all`);
  });
});

describe('mfrec tune --model all', () => {
  it("searches every family, prints each one's best and saves the best of all", async () => {
    const r = await mfrec(
      'tune',
      'train.csv',
      '--model',
      'all',
      '--budget',
      '2',
      '--strategy',
      'random',
      '--threads',
      '1',
      '--test',
      'test.csv',
      '--out',
      'best.mfrec',
      '--trials',
      'trials.json',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      metric: string;
      best: string;
      families: Array<{ model: string; trials: number; best: { score: number } }>;
      test: { models: Record<string, unknown> };
    };
    expect(out.metric).toBe('ndcg@10');
    expect(out.families.map((f) => f.model)).toEqual([...MODEL_TYPES]);
    for (const f of out.families) expect(f.trials).toBe(2);
    const top = Math.max(...out.families.map((f) => f.best.score));
    expect(out.families.find((f) => f.model === out.best)!.best.score).toBe(top);
    expect(Object.keys(out.test.models)).toEqual([out.best, 'popularity']);
    const info = JSON.parse((await mfrec('info', '--model-file', 'best.mfrec', '--json')).stdout);
    expect(info.type).toBe(out.best);
    const trials = JSON.parse(readFileSync(path.join(dir, 'trials.json'), 'utf8'));
    expect(trials).toMatchObject({ format: 'mfrec-tune-all', best: out.best });
    expect(trials.families).toHaveLength(MODEL_TYPES.length);

    const text = await mfrec('tune', 'train.csv', '--model', 'all', '--budget', '1', '--strategy', 'random', '--threads', '1', '--quiet');
    expect(text.code, text.stderr).toBe(0);
    for (const m of MODEL_TYPES) expect(text.stdout).toMatch(new RegExp(`^${m}\\s+ndcg@10 \\d\\.\\d{4}; random[^,]*, 1 trials`, 'm'));
    expect(text.stdout).toMatch(/^best\s+\w+ \(ndcg@10 \d\.\d{4}\)$/m);
  });

  it('refuses --space and a rating metric', async () => {
    const space = await mfrec('tune', 'train.csv', '--model', 'all', '--space', '{"factors":8}');
    expect(space.code).not.toBe(0);
    expect(space.stderr).toContain('--space does not apply to --model all');
    const rmse = await mfrec('tune', 'train.csv', '--model', 'all', '--metric', 'rmse');
    expect(rmse.code).not.toBe(0);
    expect(rmse.stderr).toContain('--metric rmse does not apply to --model all');
  });
});

describe('defaults adapted to the data', () => {
  const params = async (file: string) => JSON.parse((await mfrec('info', '--model-file', file, '--json')).stdout).params;

  it('train: ALS on ratings takes log confidence at the median rating, says so, and --fixed-defaults or a confidence flag keeps the fixed ones', async () => {
    const adapted = await mfrec('train', 'train.csv', '--model', 'als', '--factors', '2', '--iterations', '2', '--out', 'adapted.mfrec', '--quiet');
    expect(adapted.code, adapted.stderr).toBe(0);
    expect(adapted.stderr).toMatch(
      /^mfrec: note: als defaults adapted to the data: confidence log, alpha 2\.88539, epsilon \d+ \(--fixed-defaults keeps the fixed ones\)$/m,
    );
    expect(await params('adapted.mfrec')).toMatchObject({ confidence: 'log', alpha: 2.88539 });
    for (const flag of [['--fixed-defaults'], ['--alpha', '2']]) {
      const fixed = await mfrec('train', 'train.csv', '--model', 'als', '--factors', '2', '--iterations', '2', '--out', 'fixed.mfrec', '--quiet', ...flag);
      expect(fixed.code, fixed.stderr).toBe(0);
      expect(fixed.stderr).toBe('');
      expect(await params('fixed.mfrec')).toMatchObject({ confidence: 'linear', alpha: 2, epsilon: 1 });
    }
    const presence = await mfrec(
      'train',
      'train.csv',
      '--model',
      'als',
      '--implicit',
      '--factors',
      '2',
      '--iterations',
      '2',
      '--out',
      'presence.mfrec',
      '--quiet',
    );
    expect(presence.stderr).toBe('');
    expect(await params('presence.mfrec')).toMatchObject({ confidence: 'linear', alpha: 2 });
  });

  it('tune starts from the adapted defaults (configuration 0) unless --fixed-defaults', async () => {
    const base = [
      'tune',
      'train.csv',
      '--model',
      'als',
      '--budget',
      '1',
      '--strategy',
      'random',
      '--threads',
      '1',
      '--space',
      '{"factors":4,"iterations":2}',
      '--json',
    ];
    const adapted = JSON.parse((await mfrec(...base)).stdout);
    expect(adapted.best.params).toMatchObject({ confidence: 'log', alpha: 2.88539 });
    expect(adapted.finalParams).toMatchObject({ confidence: 'log', epsilon: expect.any(Number) });
    const fixed = JSON.parse((await mfrec(...base, '--fixed-defaults')).stdout);
    expect(fixed.best.params).toMatchObject({ confidence: 'linear', alpha: 2 });
    expect(fixed.finalParams).toMatchObject({ epsilon: 1 });
  });
});
