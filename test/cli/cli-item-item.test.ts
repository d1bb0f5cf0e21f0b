/** The item-to-item families through the command line: train, recommend, similar, info and evaluate on saved files. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-cli-item-item-'));
const mfrec = cliIn(dir);

/** Shoppers s0..s39: even ones buy e-items, odd ones o-items (7 of 10 each, rotating). */
function writeBaskets(file: string, shift: number): void {
  const lines = ['user,item,quantity'];
  for (let u = 0; u < 40; u++) {
    const g = u % 2 === 0 ? 'e' : 'o';
    for (let j = 0; j < 7; j++) lines.push(`s${u},${g}${(u + shift + j) % 10},${1 + ((u + j) % 3)}`);
  }
  writeFileSync(path.join(dir, file), `${lines.join('\n')}\n`);
}

beforeAll(() => {
  writeBaskets('train.csv', 0);
  writeBaskets('test.csv', 7);
});

describe.each([
  ['ease', ['--lambda', '2']],
  ['itemknn', ['--neighbours', '9', '--weighting', 'cooccurrence']],
  ['rp3beta', ['--alpha', '0.8', '--beta', '0.3', '--neighbours', '9']],
])('mfrec --model %s', (type, flags) => {
  it('trains, saves, recommends within the shopper group and finds similar items in the same group', async () => {
    const file = `${type}.mfrec`;
    const t = await mfrec('train', 'train.csv', '--model', type, ...flags, '--out', file, '--quiet');
    expect(t.code, t.stderr).toBe(0);
    const r = await mfrec('recommend', '--model-file', file, '--user', 's2', '--k', '3');
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe('user,item,rank,score,source');
    expect(rows.slice(1)).toHaveLength(3);
    for (const line of rows.slice(1)) {
      const [user, item, , , source] = line.split(',');
      expect(user).toBe('s2');
      expect(item!.startsWith('e')).toBe(true);
      expect(source).toBe('model');
    }
    const s = await mfrec('similar', '--model-file', file, '--item', 'o3', '--k', '4');
    expect(s.code, s.stderr).toBe(0);
    const similar = s.stdout.trim().split('\n').slice(1);
    expect(similar).toHaveLength(4);
    for (const line of similar) expect(line.split(',')[1]!.startsWith('o')).toBe(true);
    const all = await mfrec('recommend', '--model-file', file, '--all', '--k', '2', '--out', `${type}-all.csv`, '--quiet');
    expect(all.code, all.stderr).toBe(0);
    expect(
      readFileSync(path.join(dir, `${type}-all.csv`), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(1 + 40 * 2);
    const info = await mfrec('info', file);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain(type);
  });

  it('evaluates against the held-out baskets', async () => {
    const e = await mfrec('evaluate', 'train.csv', '--test', 'test.csv', '--model', type, ...flags, '--k', '3', '--json');
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.models[type].precision).toBeGreaterThan(report.models.popularity.precision);
  });
});

describe('flags of other families', () => {
  it('are refused, naming the flag and the model', async () => {
    const factors = await mfrec('train', 'train.csv', '--model', 'ease', '--factors', '8', '--out', 'x.mfrec');
    expect(factors.code).toBe(1);
    expect(factors.stderr).toMatch(/--factors does not apply to --model ease/);
    const lambda = await mfrec('train', 'train.csv', '--model', 'als', '--lambda', '8', '--out', 'x.mfrec');
    expect(lambda.code).toBe(1);
    expect(lambda.stderr).toMatch(/--lambda does not apply to --model als/);
    const normalize = await mfrec('train', 'train.csv', '--model', 'als', '--no-normalize', '--out', 'x.mfrec');
    expect(normalize.code).toBe(1);
    expect(normalize.stderr).toMatch(/--no-normalize does not apply to --model als/);
  });
});

describe('mfrec train --model rp3beta --no-normalize', () => {
  it('keeps the walk probabilities as they are; without the flag the rows are normalised', async () => {
    for (const [flags, normalize] of [
      [['--no-normalize'], false],
      [[], true],
    ] as const) {
      const t = await mfrec('train', 'train.csv', '--model', 'rp3beta', ...flags, '--out', 'rp3-flag.mfrec', '--quiet');
      expect(t.code, t.stderr).toBe(0);
      const info = await mfrec('info', 'rp3-flag.mfrec', '--json');
      expect(info.code, info.stderr).toBe(0);
      expect(JSON.parse(info.stdout).params.normalize).toBe(normalize);
    }
  });
});
