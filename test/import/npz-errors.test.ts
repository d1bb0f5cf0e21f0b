/** Bad .npz input: each refused with a typed error naming the file and the array, never a crash or a wrong model. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { importFactorModel, isMfrecError, type ErrorCode } from '../../lib/index.js';
import { f32, f64, npyBytes, scalarF8, scalarI8, writeNpz, type NpySpec } from './npz-files.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'mfrec-npz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

function npz(arrays: Record<string, NpySpec>): string {
  const file = path.join(tmp, `m${n++}.npz`);
  writeNpz(file, arrays);
  return file;
}

/** Users 3 × 2 factors and items 2 × 2, as the library's ALS saves them. */
const goodAls = (): Record<string, NpySpec> => ({
  user_factors: f32([1, 0, 0, 1, 1, 1], [3, 2]),
  item_factors: f32([0.5, 0.25, -1, 2], [2, 2]),
  factors: scalarI8(2),
  regularization: scalarF8(0.1),
  alpha: scalarF8(1),
});

async function rejects(promise: Promise<unknown>, code: ErrorCode, ...parts: string[]): Promise<void> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isMfrecError(e, code), `expected ${code}, got ${String(e)}`).toBe(true);
  for (const p of parts) expect((e as Error).message).toContain(p);
  expect((e as Error).message).not.toContain('\n');
}

describe('importFactorModel on malformed .npz files', () => {
  it('reads a well-formed file, stored or deflated (savez_compressed), float32 or float64', async () => {
    const stored = await importFactorModel(npz(goodAls()));
    expect(Array.from(stored.scoreItems(2)!)).toEqual([0.75, 1]);
    const deflated = path.join(tmp, 'deflated.npz');
    const entries = Object.fromEntries(
      Object.entries({ ...goodAls(), item_factors: f64([0.5, 0.25, -1, 2], [2, 2]) }).map(([k, v]) => [`${k}.npy`, npyBytes(v)]),
    );
    writeFileSync(deflated, zipSync(entries, { level: 6 }));
    expect(Array.from((await importFactorModel(deflated)).scoreItems(2)!)).toEqual([0.75, 1]);
    const version2 = path.join(tmp, 'v2.npz');
    writeFileSync(version2, zipSync(Object.fromEntries(Object.entries(goodAls()).map(([k, v]) => [`${k}.npy`, npyBytes(v, 2)]))));
    expect(Array.from((await importFactorModel(version2)).scoreItems(2)!)).toEqual([0.75, 1]);
  });

  it('imports a file whose random_state is a pickled RandomState (an object array), with the default seed', async () => {
    const pickled: NpySpec = { descr: '|O', shape: [], body: new Uint8Array([0x80, 0x04, 0x95, 0x2e]) };
    const model = await importFactorModel(npz({ ...goodAls(), random_state: pickled }));
    expect(model.params).toMatchObject({ seed: 1 });
    expect((await importFactorModel(npz({ ...goodAls(), random_state: scalarI8(42) }))).params).toMatchObject({ seed: 42 });
  });

  it('refuses factors of another element type, naming the array', async () => {
    const file = npz({ ...goodAls(), user_factors: { descr: '<i4', shape: [3, 2], body: new Uint8Array(Int32Array.of(1, 0, 0, 1, 1, 1).buffer) } });
    await rejects(importFactorModel(file), 'ERR_MFREC_CORRUPT_FILE', file, 'user_factors', '<i4');
    const big = npz({ ...goodAls(), item_factors: { ...f32([0, 0, 0, 0], [2, 2]), descr: '>f4' } });
    await rejects(importFactorModel(big), 'ERR_MFREC_CORRUPT_FILE', 'item_factors.npy', '>f4', 'is not read');
  });

  it('refuses Fortran order', async () => {
    const file = npz({ ...goodAls(), item_factors: { ...f32([0.5, 0.25, -1, 2], [2, 2]), fortranOrder: true } });
    await rejects(importFactorModel(file), 'ERR_MFREC_CORRUPT_FILE', file, 'item_factors', 'Fortran');
  });

  it('refuses matrices whose factor counts differ, or differ from the factors scalar, or are not matrices', async () => {
    await rejects(
      importFactorModel(npz({ ...goodAls(), item_factors: f32([1, 2, 3, 4, 5, 6], [2, 3]) })),
      'ERR_MFREC_CORRUPT_FILE',
      'user_factors has 2 columns, item_factors 3',
    );
    await rejects(importFactorModel(npz({ ...goodAls(), factors: scalarI8(3) })), 'ERR_MFREC_CORRUPT_FILE', 'factors says 3', '2 columns');
    await rejects(importFactorModel(npz({ ...goodAls(), user_factors: f32([1, 2, 3], [3]) })), 'ERR_MFREC_CORRUPT_FILE', 'user_factors', 'shape (3)');
    const { item_factors: _drop, ...noItems } = goodAls();
    await rejects(importFactorModel(npz(noItems)), 'ERR_MFREC_CORRUPT_FILE', 'no item_factors array');
  });

  it('refuses NaN and infinities, naming the row and column', async () => {
    await rejects(
      importFactorModel(npz({ ...goodAls(), item_factors: f32([0.5, 0.25, -1, NaN], [2, 2]) })),
      'ERR_MFREC_CORRUPT_FILE',
      'item_factors holds NaN at row 1, column 1',
    );
    await rejects(
      importFactorModel(npz({ ...goodAls(), user_factors: f32([1, 0, Infinity, 1, 1, 1], [3, 2]) })),
      'ERR_MFREC_CORRUPT_FILE',
      'user_factors holds Infinity at row 1, column 0',
    );
  });

  it('refuses truncated files: a cut archive, or an array body shorter than its shape', async () => {
    const whole = readFileSync(npz(goodAls()));
    const cut = path.join(tmp, 'cut.npz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    await rejects(importFactorModel(cut), 'ERR_MFREC_CORRUPT_FILE', cut);
    const short = npz({ ...goodAls(), user_factors: { descr: '<f4', shape: [3, 2], body: new Uint8Array(16) } });
    await rejects(importFactorModel(short), 'ERR_MFREC_CORRUPT_FILE', 'user_factors.npy', 'truncated: 16 bytes', 'needs 24');
  });

  it('refuses what is not an .npz, a folder given as one, and a missing file', async () => {
    const text = path.join(tmp, 'text.npz');
    writeFileSync(text, 'user,item\n');
    await rejects(importFactorModel(text), 'ERR_MFREC_CORRUPT_FILE', text, 'not a zip');
    await rejects(importFactorModel(tmp, { format: 'npz' }), 'ERR_MFREC_IO', tmp, 'folder');
    await rejects(importFactorModel(path.join(tmp, 'none.npz')), 'ERR_MFREC_IO', 'none.npz', 'no such file');
  });

  it('asks for the model type when the file does not say it, and for alpha when the file’s has no match', async () => {
    const bare = npz({ user_factors: f32([1, 0, 0, 1], [2, 2]), item_factors: f32([1, 1], [1, 2]) });
    await rejects(importFactorModel(bare), 'ERR_MFREC_INVALID_ARGUMENT', bare, '--model als|bpr');
    expect((await importFactorModel(bare, { model: 'als' })).type).toBe('als');
    const low = npz({ ...goodAls(), alpha: scalarF8(0.5) });
    await rejects(importFactorModel(low), 'ERR_MFREC_INVALID_ARGUMENT', 'alpha 0.5 < 1', '--alpha');
    expect((await importFactorModel(low, { params: { alpha: 0 } })).params).toMatchObject({ alpha: 0 });
  });

  it('refuses a BPR file whose user matrix does not end in the constant 1 column', async () => {
    const bpr = {
      user_factors: f32([0.1, 0.2, 1, 0.3, 0.4, 0.5], [2, 3]),
      item_factors: f32([1, 2, 0.5], [1, 3]),
      factors: scalarI8(2),
      learning_rate: scalarF8(0.01),
    };
    await rejects(importFactorModel(npz(bpr)), 'ERR_MFREC_CORRUPT_FILE', 'user_factors row 1 has 0.5 in its last column');
  });

  it('refuses ids files that do not name every row once', async () => {
    const file = npz(goodAls());
    const ids = (name: string, text: string) => {
      writeFileSync(path.join(tmp, name), text);
      return path.join(tmp, name);
    };
    await rejects(importFactorModel(file, { userIds: ids('two.txt', 'a\nb\n') }), 'ERR_MFREC_PARSE', 'two.txt', '2 user ids, the model has 3 user rows');
    await rejects(importFactorModel(file, { userIds: ids('dup.txt', 'a\nb\na\n') }), 'ERR_MFREC_PARSE', 'line 3', 'also on line 1');
    await rejects(importFactorModel(file, { itemIds: ids('blank.txt', 'x\n\n') }), 'ERR_MFREC_PARSE', 'line 2 is blank');
    const model = await importFactorModel(file, { userIds: ids('users.txt', 'a\nb\nc\n'), itemIds: ['x', 'y'] });
    expect(model.recommend('c', { k: 1 })[0]).toMatchObject({ item: 'y', source: 'model' });
  });
});
