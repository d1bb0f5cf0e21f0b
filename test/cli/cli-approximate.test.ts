/** `train --index hnsw`, `recommend --approximate [--ef]`, `similar --approximate`, and their flag errors. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/index.js';
import { cliIn, writePlantedRatings } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-cli-ann-'));
const cli = cliIn(dir);

describe('CLI approximate top-k', () => {
  beforeAll(() => writePlantedRatings(path.join(dir, 'r.csv'), 3, 0.5));

  it('trains with an index, then recommends and lists similar items through it', async () => {
    const train = await cli(
      'train',
      'r.csv',
      '--model',
      'als',
      '--factors',
      '6',
      '--out',
      'm.mfrec',
      '--index',
      'hnsw',
      '--index-m',
      '8',
      '--index-ef',
      '30',
      '--index-similar',
      '--json',
      '--quiet',
    );
    expect(train.code, train.stderr).toBe(0);
    expect(JSON.parse(train.stdout).index).toMatchObject({ kind: 'hnsw', M: 8, ef: 30, similar: true });
    expect((await loadModel(path.join(dir, 'm.mfrec'))).indexInfo).toMatchObject({ M: 8, ef: 30 });
    const info = await cli('info', 'm.mfrec');
    expect(info.stdout).toMatch(/hnsw/);
    const exact = await cli('recommend', '--model-file', 'm.mfrec', '--user', 'u1', 'u2', '--k', '5');
    const approximate = await cli('recommend', '--model-file', 'm.mfrec', '--user', 'u1', 'u2', '--k', '5', '--approximate', '--ef', '64');
    expect(approximate.code).toBe(0);
    // 30 items and ef 64: the search reaches every item, so the ranking is the exact one.
    expect(approximate.stdout.split('\n').map((l) => l.split(',').slice(0, 3).join())).toEqual(
      exact.stdout.split('\n').map((l) => l.split(',').slice(0, 3).join()),
    );
    const similar = await cli('similar', '--model-file', 'm.mfrec', '--item', 'i1', '--approximate');
    expect(similar.code).toBe(0);
    expect(similar.stdout.trim().split('\n')).toHaveLength(11);
  });

  it('refuses index and approximate flags that do not apply, naming them', async () => {
    const noIndex = await cli('train', 'r.csv', '--model', 'als', '--factors', '4', '--out', 'plain.mfrec', '--quiet');
    expect(noIndex.code).toBe(0);
    const cases: Array<[string[], RegExp]> = [
      [['recommend', '--model-file', 'plain.mfrec', '--user', 'u1', '--approximate'], /approximate: true needs an index/],
      [['recommend', '--model-file', 'plain.mfrec', '--user', 'u1', '--ef', '10'], /--ef applies with --approximate only/],
      [['similar', '--model-file', 'plain.mfrec', '--item', 'i1', '--ef', '10'], /--ef applies with --approximate only/],
      [['train', 'r.csv', '--model', 'als', '--out', 'x.mfrec', '--index-m', '8'], /--index-m applies with --index hnsw only/],
      [['train', 'r.csv', '--model', 'ease', '--out', 'x.mfrec', '--index', 'hnsw'], /needs no index/],
      [['train', 'r.csv', '--model', 'als', '--out', 'x.mfrec', '--index', 'flat'], /--index/],
      [['train', 'r.csv', '--model', 'als', '--out', 'x.mfrec', '--index', 'hnsw', '--index-m', '1'], /--index-m/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(message);
    }
  });
});
