import { chmodSync, chownSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../lib/persist/atomic-write.js';
import { BPR, ImplicitALS, Interactions, loadModel, MfrecError } from '../../lib/index.js';

function data(): Interactions {
  const users: string[] = [];
  const items: number[] = [];
  for (let u = 0; u < 30; u++) {
    for (let i = 0; i < 20; i++) {
      if (u % 2 === i % 2 && (u * 7 + i * 3) % 4 !== 0) {
        users.push(`u${u}`);
        items.push(i);
      }
    }
  }
  return Interactions.fromArrays(users, items);
}

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-persist-'));

describe.each([
  ['als', () => new ImplicitALS({ factors: 8, iterations: 3, threads: 1 })],
  ['bpr', () => new BPR({ factors: 8, iterations: 5, threads: 1 })],
] as const)('%s save/load', (type, create) => {
  it('round-trips params, ids, factors and recommendations', async () => {
    const model = await create().fit(data());
    const file = path.join(dir, `${type}.mfrec`);
    await model.save(file);
    const back = await loadModel(file);
    expect(back.type).toBe(type);
    expect(back.params).toEqual(model.params);
    expect(back.userIds).toEqual(model.userIds);
    expect(back.itemIds).toEqual(model.itemIds);
    expect(typeof back.itemIds[0]).toBe('number');
    expect(back.userVector('u3')).toEqual(model.userVector('u3'));
    expect(back.recommend('u3', { k: 5 })).toEqual(model.recommend('u3', { k: 5 }));
  });

  it('refuses a corrupted or truncated file with a typed error', async () => {
    const model = await create().fit(data());
    const file = path.join(dir, `${type}-bad.mfrec`);
    await model.save(file);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    await expect(loadModel(file)).rejects.toMatchObject({ code: 'ERR_MFREC_CORRUPT_FILE' });
    const flipped = Buffer.from(bytes);
    flipped[flipped.length >> 1] ^= 1;
    writeFileSync(file, flipped);
    await expect(loadModel(file)).rejects.toBeInstanceOf(MfrecError);
  });
});

it('refuses to save an untrained model', async () => {
  await expect(new BPR().save(path.join(dir, 'x'))).rejects.toMatchObject({ code: 'ERR_MFREC_NOT_FITTED' });
});

describe('saving over an existing file', () => {
  const model = () => new ImplicitALS({ factors: 4, iterations: 2, threads: 1 }).fit(data());

  it('keeps its permission bits: a 0600 model stays private', async () => {
    const m = await model();
    for (const mode of [0o600, 0o640, 0o604]) {
      const file = path.join(dir, `mode-${mode.toString(8)}.mfrec`);
      await m.save(file);
      chmodSync(file, mode);
      await m.save(file);
      expect(statSync(file).mode & 0o7777, mode.toString(8)).toBe(mode);
    }
    // The HTML report and other whole-file outputs go through the same write.
    const report = path.join(dir, 'report.html');
    writeFileSync(report, 'old');
    chmodSync(report, 0o600);
    await writeFileAtomic(report, Buffer.from('new'));
    expect(statSync(report).mode & 0o777).toBe(0o600);
    expect(readFileSync(report, 'utf8')).toBe('new');
  });

  it.runIf(process.getuid?.() === 0)('keeps its owner and group (when the writer may set them)', async () => {
    const file = path.join(dir, 'owned.mfrec');
    const m = await model();
    await m.save(file);
    chownSync(file, 4321, 4322);
    await m.save(file);
    expect([statSync(file).uid, statSync(file).gid]).toEqual([4321, 4322]);
  });

  it('a failure names the path given, never the temporary file', async () => {
    const m = await model();
    const e = await m.save(path.join(dir, 'missing', 'x.mfrec')).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'ERR_MFREC_IO' });
    expect((e as Error).message).toBe(`Cannot write ${path.join(dir, 'missing', 'x.mfrec')}: its folder does not exist`);
  });
});
