/**
 * Strings from users and files that name things (a model type, a delimiter,
 * a model in a comparison, a block of a model file) are looked up as keys of
 * their own tables only: `constructor`, `__proto__`, `toString` and friends
 * are unknown names with a typed error, never Object.prototype's members.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRanking, ImplicitALS, ImplicitALS as ALS, Interactions, loadModel, randomSplit, tune } from '../../lib/index.js';
import { decodeModelFile, encodeModelFile, readModelFile, writeModelFile } from '../../lib/persist/model-file.js';
import { modelName } from '../../lib/report/charts.js';
import { cliIn, writePlantedRatings } from '../helpers/cli.js';
import { errorCode } from '../helpers/support.js';

const PROTO_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

function clicks(): Interactions {
  const u: string[] = [];
  const i: string[] = [];
  for (let a = 0; a < 20; a++) for (let b = 0; b < 12; b++) if ((a * 7 + b * 3) % 4 !== 0) u.push(`u${a}`), i.push(`i${b}`);
  return Interactions.fromArrays(u, i);
}

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-keys-'));

describe('model type strings', () => {
  it('a model file whose type is an Object.prototype member fails as an unknown model type', async () => {
    const file = path.join(dir, 'real.mfrec');
    await (await new ImplicitALS({ factors: 2, iterations: 1, threads: 1 }).fit(clicks())).save(file);
    const contents = await readModelFile(file);
    for (const type of PROTO_NAMES) {
      const forged = path.join(dir, `forged-${type}.mfrec`);
      await writeModelFile(forged, { header: { ...contents.header, type }, blocks: contents.blocks });
      const e = await loadModel(forged).catch((x: unknown) => x);
      expect(e, type).toMatchObject({ name: 'MfrecError', code: 'ERR_MFREC_CORRUPT_FILE' });
      expect((e as Error).message, type).toMatch(/unknown model type/);
    }
  });

  it('tune, the ALS confidence mode and the aggregate rule refuse them with a typed error', async () => {
    const data = clicks();
    for (const name of PROTO_NAMES) {
      expect(await errorCode(tune(data, { model: name as 'als', budget: 1 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(tune(data, { model: 'als', metric: name, budget: 1 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(tune(data, { model: 'als', strategy: name as 'random', budget: 1 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(() => new ALS({ confidence: name as 'log' }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(() => Interactions.fromArrays(['a'], ['b'], { aggregate: name as 'sum' }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    }
  });

  it('the report names a model type it does not know by the type itself', () => {
    for (const name of PROTO_NAMES) expect(modelName(name)).toBe(name);
    expect(modelName('als')).toBe('ALS');
  });
});

describe('names in result tables', () => {
  it('compareRanking keeps a model named __proto__ as its own entry and refuses the baseline name', async () => {
    const { train, test } = randomSplit(clicks(), { testFraction: 0.3, seed: 2 });
    const model = await new ImplicitALS({ factors: 2, iterations: 1, threads: 1 }).fit(train);
    const models = Object.defineProperty({}, '__proto__', { value: model, enumerable: true });
    const r = compareRanking(models, train, test, { k: 3 });
    expect(Object.keys(r.models)).toEqual(['__proto__', 'popularity']);
    expect(Object.getPrototypeOf(r.models)).toBe(Object.prototype);
    expect(await errorCode(() => compareRanking({ popularity: model }, train, test))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });

  it('a model-file block named __proto__ stays a block', () => {
    const blocks = Object.defineProperty({ a: Float32Array.of(1) }, '__proto__', { value: Float32Array.of(2, 3), enumerable: true });
    const decoded = decodeModelFile(encodeModelFile({ header: { type: 'als' }, blocks }));
    expect(Object.hasOwn(decoded.blocks, '__proto__')).toBe(true);
    expect(Array.from(decoded.blocks['__proto__']!)).toEqual([2, 3]);
  });
});

describe('the CLI', () => {
  it('--delimiter constructor is an unknown delimiter, --model constructor an invalid choice', async () => {
    const mfrec = cliIn(dir);
    writePlantedRatings(path.join(dir, 'train.csv'), 1, 0.5);
    for (const name of ['constructor', 'toString', '__proto__']) {
      const d = await mfrec('train', 'train.csv', '--model', 'explicit', '--out', 'm.mfrec', '--delimiter', name);
      expect(d.code, name).not.toBe(0);
      expect(d.stderr, name).toMatch(/Unknown --delimiter/);
      const m = await mfrec('train', 'train.csv', '--model', name, '--out', 'm.mfrec');
      expect(m.code, name).not.toBe(0);
      expect(m.stderr, name).not.toMatch(/\n\s+at /);
    }
  });
});
