/** `mfrec train --item-metadata FILE`: metadata from CSV or JSON Lines saved in the model; bad lines named by file and line. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/index.js';
import { cliIn } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-cli-metadata-'));
const mfrec = cliIn(dir);
const write = (file: string, text: string) => writeFileSync(path.join(dir, file), text);

beforeAll(() => {
  const lines = ['user,item'];
  for (let u = 0; u < 20; u++) for (let j = 0; j < 4; j++) lines.push(`s${u},p${(u + j) % 8}`);
  write('train.csv', `${lines.join('\n')}\n`);
});

describe('mfrec train --item-metadata', () => {
  it('attaches CSV metadata (quoted fields, numbers, text categories) to the saved model', async () => {
    write('items.csv', 'item,name,category,price,stock\np1,"Mug, blue",01,4.50,3\np2,Lamp,lights,12,\n');
    const r = await mfrec(
      'train',
      'train.csv',
      '--model',
      'als',
      '--factors',
      '4',
      '--iterations',
      '2',
      '--item-metadata',
      'items.csv',
      '--out',
      'm.mfrec',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).itemMetadata).toBe(2);
    const model = await loadModel(path.join(dir, 'm.mfrec'));
    expect(model.itemMetadata('p1')).toEqual({ name: 'Mug, blue', category: '01', price: 4.5, stock: 3 });
    expect(model.itemMetadata('p2')).toEqual({ name: 'Lamp', category: 'lights', price: 12 });
    const info = await mfrec('info', 'm.mfrec', '--json');
    expect(JSON.parse(info.stdout).itemsWithMetadata).toBe(2);
  });

  it('attaches JSON Lines metadata', async () => {
    write('items.jsonl', '{"item":"p3","name":"Chair","tags":["wood"]}\n\n{"id":"p4","price":30}\n');
    const r = await mfrec(
      'train',
      'train.csv',
      '--model',
      'als',
      '--factors',
      '4',
      '--iterations',
      '2',
      '--item-metadata',
      'items.jsonl',
      '--out',
      'j.mfrec',
      '--quiet',
    );
    expect(r.code).toBe(0);
    const model = await loadModel(path.join(dir, 'j.mfrec'));
    expect(model.itemMetadata('p3')).toEqual({ name: 'Chair', tags: ['wood'] });
    expect(model.itemMetadata('p4')).toEqual({ price: 30 });
  });

  it('names the file and line of a bad entry and writes no model', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['bad.jsonl', '{"item":"p1"}\n{"item":"p2",\n', /bad\.jsonl line 2: not valid JSON/],
      ['bad2.jsonl', '{"item":"p1"}\n{"name":"x"}\n', /bad2\.jsonl line 2: no item id/],
      ['bad.csv', 'item,name,price\np1,Mug,4\np2,Lamp,free,extra\n', /bad\.csv line 3/],
      ['bad2.csv', 'item,name\np1,Mug\np1,Again\n', /bad2\.csv line 3: item "p1" already described on line 2/],
      ['bad3.jsonl', '{"item":"p1","price":"free"}\n', /bad3\.jsonl line 1: .*price/],
      ['items.txt', 'item\np1\n', /--item-metadata items\.txt: expected a \.csv, \.tsv or \.jsonl file/],
    ];
    for (const [file, text, message] of cases) {
      write(file, text);
      const r = await mfrec('train', 'train.csv', '--model', 'als', '--item-metadata', file, '--out', `${file}.mfrec`, '--quiet');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      await expect(loadModel(path.join(dir, `${file}.mfrec`))).rejects.toMatchObject({ code: 'ERR_MFREC_IO' });
    }
  });
});
