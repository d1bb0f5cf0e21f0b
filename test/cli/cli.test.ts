import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliIn, writePlantedRatings } from '../helpers/cli.js';
import { beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-cli-'));
const mfrec = cliIn(dir);
const writeRatings = (file: string, seed: number) => writePlantedRatings(file, seed, 0.5);

beforeAll(() => {
  writeRatings(path.join(dir, 'train.csv'), 1);
  writeRatings(path.join(dir, 'test.csv'), 2);
});

describe('mfrec CLI', () => {
  it('info prints version and BLAS, as JSON too', async () => {
    const r = await mfrec('info', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: expect.any(String), blas: expect.any(String) });
  });

  it('--version and -V print the package version alone', async () => {
    const { version } = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await mfrec(flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
      expect(r.stderr).toBe('');
    }
    expect((await mfrec('--help')).stdout).toMatch(/-V, --version/);
  });

  it('--model-file names the model file; --model FILE still works there, with a deprecation note', async () => {
    expect((await mfrec('train', 'train.csv', '--model', 'als', '--implicit', '--factors', '2', '--iterations', '3', '--out', 'mf.mfrec')).code).toBe(0);
    const now = await mfrec('recommend', '--model-file', 'mf.mfrec', '--user', 'u0', '--k', '3');
    expect(now.code).toBe(0);
    expect(now.stderr).toBe('');
    const old = await mfrec('recommend', '--model', 'mf.mfrec', '--user', 'u0', '--k', '3');
    expect(old.code).toBe(0);
    expect(old.stdout).toBe(now.stdout);
    expect(old.stderr).toBe('mfrec: --model FILE is deprecated in recommend: use --model-file FILE (--model names a model type in train, evaluate and tune)\n');
    const similar = await mfrec('similar', '--model', 'mf.mfrec', '--item', 'i1');
    expect(similar.code).toBe(0);
    expect(similar.stderr).toContain('deprecated in similar');
    const both = await mfrec('recommend', '--model-file', 'mf.mfrec', '--model', 'mf.mfrec', '--user', 'u0');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give the model file once, as --model-file');
    const others: Record<string, string[]> = {
      recommend: ['--user', 'u0'],
      similar: ['--item', 'i1'],
      predict: ['pairs.csv'],
      report: ['--train', 'train.csv', '--test', 'test.csv'],
    };
    for (const [command, rest] of Object.entries(others)) {
      const none = await mfrec(command, ...rest);
      expect(none.code, command).toBe(2);
      expect(none.stderr, command).toContain("required option '--model-file <file>' not specified");
      const help = (await mfrec(command, '--help')).stdout;
      expect(help, command).toContain('--model-file <file>');
      expect(help, command).not.toMatch(/--model <file>/);
    }
    const info = await mfrec('info', '--model-file', 'mf.mfrec', '--json');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ type: 'als', factors: 2 });
    // train, evaluate and tune keep --model for the model type.
    expect((await mfrec('train', '--help')).stdout).toMatch(/--model <type>/);
  });

  it('trains an explicit model, describes it and evaluates', async () => {
    const t = await mfrec('train', 'train.csv', '--model', 'explicit', '--factors', '8', '--iterations', '20', '--out', 'e.mfrec', '--json');
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ users: 40, items: 30, iterations: expect.any(Array) });
    const info = JSON.parse((await mfrec('info', 'e.mfrec', '--json')).stdout);
    expect(info).toMatchObject({ type: 'explicit', factors: 8, users: 40, items: 30 });
    const e = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'explicit', '--factors', '8', '--json');
    expect(e.code).toBe(0);
    const metrics = JSON.parse(e.stdout);
    expect(metrics.rmse).toBeLessThan(1.5);
    expect(metrics.iterations.length).toBeGreaterThan(0);
  });

  it('evaluate and tune warn when explicit --test ratings are also in TRAIN, and not when the files are disjoint', async () => {
    const warning = /^mfrec: warning: (\d+) of the (\d+) ratings of (\S+) \([\d.]+%\) are also in the training data: the model was trained on them/;
    const same = await mfrec('evaluate', 'train.csv', '--test', 'train.csv', '--model', 'explicit', '--factors', '2', '--iterations', '3', '--json');
    expect(same.code).toBe(0);
    const m = warning.exec(same.stderr)!;
    expect([m[1], m[3]]).toEqual([m[2], 'train.csv']);
    const tune = await mfrec(
      'tune',
      'train.csv',
      '--test',
      'train.csv',
      '--model',
      'explicit',
      '--budget',
      '1',
      '--strategy',
      'random',
      '--threads',
      '1',
      '--quiet',
      '--space',
      '{"iterations":2}',
    );
    expect(tune.code).toBe(0);
    expect(tune.stderr).toMatch(warning);
    expect((await mfrec('split', 'train.csv', '--out-dir', 'disjoint', '--quiet')).code).toBe(0);
    const clean = await mfrec(
      'evaluate',
      'disjoint/train.csv',
      '--test',
      'disjoint/test.csv',
      '--model',
      'explicit',
      '--factors',
      '2',
      '--iterations',
      '3',
      '--json',
    );
    expect(clean.code).toBe(0);
    expect(clean.stderr).toBe('');
  });

  it('predicts one row per input line, in order, with raw ids', async () => {
    expect((await mfrec('train', 'train.csv', '--model', 'explicit', '--factors', '4', '--iterations', '10', '--out', 'p.mfrec')).code).toBe(0);
    writeFileSync(path.join(dir, 'pairs.csv'), 'user,item\nu3,i4\nu3,i4\nnew-user,i1\nu1,new-item\n');
    const r = await mfrec('predict', '--model-file', 'p.mfrec', 'pairs.csv');
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual(['user', 'item', 'prediction']);
    expect(rows.slice(1).map((c) => c.slice(0, 2))).toEqual([
      ['u3', 'i4'],
      ['u3', 'i4'],
      ['new-user', 'i1'],
      ['u1', 'new-item'],
    ]);
    expect(rows[1]![2]).toBe(rows[2]![2]);
    for (const row of rows.slice(1)) expect(Number(row[2])).toBeGreaterThanOrEqual(1);
    const als = await mfrec('train', 'train.csv', '--model', 'als', '--implicit', '--factors', '2', '--out', 'pa.mfrec');
    expect(als.code).toBe(0);
    const wrong = await mfrec('predict', '--model-file', 'pa.mfrec', 'pairs.csv');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/ERR_MFREC_INVALID_ARGUMENT/);
  });

  it('recommends and finds similar items as CSV, atomically to a file', async () => {
    expect((await mfrec('train', 'train.csv', '--model', 'als', '--implicit', '--factors', '4', '--out', 'a.mfrec')).code).toBe(0);
    const r = await mfrec('recommend', '--model-file', 'a.mfrec', '--user', 'u0', '--k', '3');
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe('user,item,rank,score,source');
    expect(rows.slice(1).map((l) => l.split(',').slice(0, 3))).toHaveLength(3);
    expect(rows[1]!.startsWith('u0,')).toBe(true);
    const all = await mfrec('recommend', '--model-file', 'a.mfrec', '--all', '--k', '2', '--out', 'all.csv', '--quiet');
    expect(all.code).toBe(0);
    expect(readFileSync(path.join(dir, 'all.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 40 * 2);
    const s = await mfrec('similar', '--model-file', 'a.mfrec', '--item', 'i2', '--k', '2');
    expect(s.stdout.split('\n')[0]).toBe('item,similar,rank,score');
  });

  it('ranks against popularity for implicit models', async () => {
    const e = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', 'popularity', '--implicit', '--k', '5', '--json');
    expect(e.code).toBe(0);
    expect(Object.keys(JSON.parse(e.stdout).models)).toEqual(['popularity']);
  });

  it('recommends for the users of a history file by folding them in, known to the model or not', async () => {
    // Shoppers h0..h29: even ones buy e-items, odd ones o-items (6 of 10 each, rotating).
    const lines = ['user,item'];
    for (let u = 0; u < 30; u++) {
      const g = u % 2 === 0 ? 'e' : 'o';
      for (let i = 0; i < 10; i++) if ((i + u) % 10 < 6) lines.push(`h${u},${g}${i}`);
    }
    writeFileSync(path.join(dir, 'shop.csv'), lines.join('\n') + '\n');
    const t = await mfrec('train', 'shop.csv', '--model', 'als', '--implicit', '--factors', '4', '--iterations', '10', '--threads', '1', '--out', 'shop.mfrec');
    expect(t.code).toBe(0);
    writeFileSync(
      path.join(dir, 'recent.csv'),
      ['user,item', 'newcomer,e0', 'h1,e3', 'newcomer,e1', 'h1,e4', 'newcomer,e2', 'h1,e5', 'ghost,not-in-catalogue'].join('\n') + '\n',
    );
    const r = await mfrec('recommend', '--model-file', 'shop.mfrec', '--history', 'recent.csv', '--k', '3');
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe('user,item,rank,score,source');
    const byUser = new Map<string, string[][]>();
    for (const line of rows.slice(1)) {
      const f = line.split(',');
      byUser.set(f[0]!, [...(byUser.get(f[0]!) ?? []), f]);
    }
    expect([...byUser.keys()]).toEqual(['newcomer', 'h1', 'ghost']);
    for (const [user, history] of [
      ['newcomer', ['e0', 'e1', 'e2']],
      ['h1', ['e3', 'e4', 'e5']],
    ] as Array<[string, string[]]>) {
      const got = byUser.get(user)!;
      expect(got.map((f) => f[2])).toEqual(['1', '2', '3']);
      // h1 trained on o-items: its trained vector is replaced by the fold-in of the e-items given.
      for (const f of got) expect(f[1]!.startsWith('e') && !history.includes(f[1]!), `${user} ${f[1]}`).toBe(true);
    }
    expect(byUser.get('ghost')).toHaveLength(3); // no known item: the popular items

    const conflict = await mfrec('recommend', '--model-file', 'shop.mfrec', '--history', 'recent.csv', '--user', 'h1');
    expect(conflict.code).toBe(1);
    expect(conflict.stderr.trim().split('\n')).toHaveLength(1);
    expect(conflict.stderr).toMatch(/ERR_MFREC_INVALID_ARGUMENT/);

    // The explicit model folds users in from ratings: a history without values is refused in one line.
    expect((await mfrec('train', 'train.csv', '--model', 'explicit', '--factors', '4', '--iterations', '5', '--out', 'ex.mfrec')).code).toBe(0);
    const noRatings = await mfrec('recommend', '--model-file', 'ex.mfrec', '--history', 'recent.csv');
    expect(noRatings.code).toBe(1);
    expect(noRatings.stderr.trim().split('\n')).toHaveLength(1);
    expect(noRatings.stderr).toMatch(/value column.*ERR_MFREC_INVALID_ARGUMENT/);
    writeFileSync(path.join(dir, 'rated.csv'), 'user,item,rating\nfan,i0,5\nfan,i2,5\nfan,i1,1\n');
    const rated = await mfrec('recommend', '--model-file', 'ex.mfrec', '--history', 'rated.csv', '--k', '4', '--out', 'rated-out.csv', '--quiet');
    expect(rated.code).toBe(0);
    const out = readFileSync(path.join(dir, 'rated-out.csv'), 'utf8').trim().split('\n').slice(1);
    expect(out).toHaveLength(4);
    for (const line of out) expect(['i0', 'i1', 'i2']).not.toContain(line.split(',')[1]);
  });

  it('fails with one line and a non-zero code', async () => {
    const missing = await mfrec('train', 'nope.csv', '--model', 'explicit', '--out', 'x.mfrec');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/ERR_MFREC_IO/);
    writeFileSync(path.join(dir, 'bad.csv'), 'user,item,rating\na,b,5\nc,d,oops\n');
    const bad = await mfrec('train', 'bad.csv', '--model', 'explicit', '--out', 'x.mfrec');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.csv:3/);
    const usage = await mfrec('train', 'train.csv', '--model', 'nonsense', '--out', 'x');
    expect(usage.code).toBe(2);
    const flag = await mfrec('train', 'train.csv', '--model', 'als', '--factors', '2.5', '--out', 'x');
    expect(flag.code).toBe(2);
    const wrongModel = await mfrec('recommend', '--model-file', 'train.csv', '--user', 'u0');
    expect(wrongModel.code).toBe(1);
    expect(wrongModel.stderr).toMatch(/ERR_MFREC_BAD_MAGIC/);
  });
});
