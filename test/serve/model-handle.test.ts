import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, MfrecError } from '../../lib/index.js';
import { readModelFile, writeModelFile } from '../../lib/persist/model-file.js';
import { ModelHandle, type ModelInfo, type Refusal } from '../../lib/serve/model-handle.js';
import { errorCode } from '../helpers/support.js';
import { nextEvent, savedAls, tempDir, trainedAls, trainedBpr } from './fixtures.js';

const handles: ModelHandle[] = [];
async function open(file: string, options?: Parameters<typeof ModelHandle.open>[1]): Promise<ModelHandle> {
  const h = await ModelHandle.open(file, options);
  handles.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

describe('ModelHandle', () => {
  it('opens a model file off the main thread: same recommendations as the saved model, version 1 and the file checksum', async () => {
    const dir = tempDir();
    const model = await trainedAls(3);
    const file = path.join(dir, 'm.mfrec');
    await model.save(file);
    const h = await open(file);
    expect(h.model.recommend('u3', { k: 5 })).toEqual(model.recommend('u3', { k: 5 }));
    const bytes = readFileSync(file);
    expect(h.info).toMatchObject({
      version: 1,
      type: 'als',
      file,
      bytes: bytes.length,
      checksum: bytes
        .readUInt32LE(bytes.length - 4)
        .toString(16)
        .padStart(8, '0'),
    });
  });

  it('refuses to open a corrupt file, a missing file and a model of another type than expected, with typed errors', async () => {
    const dir = tempDir();
    const file = await savedAls(dir);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] ^= 0xff;
    const corrupt = path.join(dir, 'corrupt.mfrec');
    writeFileSync(corrupt, bytes);
    expect(await errorCode(ModelHandle.open(corrupt))).toBe(ErrorCodes.CORRUPT_FILE);
    expect(await errorCode(ModelHandle.open(path.join(dir, 'none.mfrec')))).toBe(ErrorCodes.IO);
    const notModel = path.join(dir, 'text.mfrec');
    writeFileSync(notModel, 'user,item\n');
    expect(await errorCode(ModelHandle.open(notModel))).toBe(ErrorCodes.BAD_MAGIC);
    expect(await errorCode(ModelHandle.open(file, { expectedType: 'bpr' }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(ModelHandle.open(file, { watch: 'yes' as unknown as boolean }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(ModelHandle.open(file, { gaet: 1 } as never))).toBe(ErrorCodes.UNKNOWN_OPTION);
  });

  it('reload() swaps in the model saved over the file, bumps the version and emits reload; the same file again is unchanged', async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const h = await open(file);
    const other = await trainedAls(7);
    await other.save(file);
    const emitted = nextEvent<ModelInfo>(h, 'reload');
    const outcome = await h.reload();
    expect(outcome.status).toBe('swapped');
    expect(h.info.version).toBe(2);
    expect((await emitted).checksum).toBe(h.info.checksum);
    expect(h.model.recommend('u3', { k: 5 })).toEqual(other.recommend('u3', { k: 5 }));
    expect((await h.reload()).status).toBe('unchanged');
    expect(h.info.version).toBe(2);
  });

  it('a corrupt file is refused with CORRUPT_FILE, recorded and emitted, and the old model keeps serving', async () => {
    const dir = tempDir();
    const file = await savedAls(dir);
    const h = await open(file);
    const before = h.model.recommend('u1', { k: 3 });
    const bytes = readFileSync(file);
    bytes[100] ^= 0x01;
    writeFileSync(file, bytes);
    const refused = nextEvent<Refusal>(h, 'refused');
    expect(await errorCode(h.reload())).toBe(ErrorCodes.CORRUPT_FILE);
    expect((await refused).error.code).toBe(ErrorCodes.CORRUPT_FILE);
    expect(h.refusals).toBe(1);
    expect(h.lastRefusal?.error.message).toContain('checksum');
    expect(h.info.version).toBe(1);
    expect(h.model.recommend('u1', { k: 3 })).toEqual(before);
  });

  it('a model of another type than expected is refused on reload', async () => {
    const dir = tempDir();
    const file = await savedAls(dir);
    const h = await open(file, { expectedType: 'als' });
    await (await trainedBpr()).save(file);
    const e = await h.reload().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MfrecError);
    expect((e as MfrecError).message).toMatch(/holds a bpr model, expected als/);
    expect(h.model.type).toBe('als');
  });

  it('the gate sees candidate and current; its refusal is ERR_MFREC_REFUSED with its reason, and the old model stays', async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const seen: string[] = [];
    let accept = false;
    const h = await open(file, {
      gate: (candidate, current) => {
        seen.push(`${candidate.params.seed} over ${current.params.seed}`);
        return { accept, reason: 'not better' };
      },
    });
    await (await trainedAls(2)).save(file);
    const e = await h.reload().catch((x: unknown) => x);
    expect((e as MfrecError).code).toBe(ErrorCodes.REFUSED);
    expect((e as MfrecError).message).toContain('not better');
    expect(h.model.params.seed).toBe(1);
    accept = true;
    expect((await h.reload()).status).toBe('swapped');
    expect(h.model.params.seed).toBe(2);
    expect(seen).toEqual(['2 over 1', '2 over 1']);
  });

  it('a swapped-out model is disposed only after its last lease is released', async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const h = await open(file);
    const lease = h.acquire();
    const old = lease.model;
    const disposed: number[] = [];
    h.on('disposed', (info: ModelInfo) => disposed.push(info.version));
    await (await trainedAls(2)).save(file);
    await h.reload();
    expect(h.retiredInUse).toBe(1);
    // The request that holds the old model can still use it after the swap.
    expect(old.recommend('u2', { k: 2 })).toHaveLength(2);
    expect(old.isFitted).toBe(true);
    expect(disposed).toEqual([]);
    const done = nextEvent(h, 'disposed');
    lease.release();
    lease.release();
    await done;
    expect(disposed).toEqual([1]);
    expect(old.isFitted).toBe(false);
    expect(h.retiredInUse).toBe(0);
    expect(h.model.isFitted).toBe(true);
  });

  it('use() holds the model across awaits', async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const h = await open(file);
    await (await trainedAls(2)).save(file);
    const result = await h.use(async (model, info) => {
      await h.reload();
      return { fitted: model.isFitted, version: info.version, recs: model.recommend('u1', { k: 1 }).length };
    });
    expect(result).toEqual({ fitted: true, version: 1, recs: 1 });
    expect(h.info.version).toBe(2);
  });

  it('watch: a model saved over the file is swapped in; a corrupt copy written over it is refused', async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const h = await open(file, { watch: true, debounceMs: 20 });
    const reloaded = nextEvent<ModelInfo>(h, 'reload');
    await (await trainedAls(5)).save(file);
    expect((await reloaded).version).toBe(2);
    expect(h.model.params.seed).toBe(5);
    const refused = nextEvent<Refusal>(h, 'refused');
    writeFileSync(file, readFileSync(file).subarray(0, 200));
    expect((await refused).error.code).toBe(ErrorCodes.CORRUPT_FILE);
    expect(h.model.params.seed).toBe(5);
  });

  it('reloads called together run one after the other: one swap, then unchanged', async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const h = await open(file);
    await (await trainedAls(2)).save(file);
    const outcomes = await Promise.all([h.reload(), h.reload(), h.reload()]);
    expect(outcomes.map((o) => o.status)).toEqual(['swapped', 'unchanged', 'unchanged']);
    expect(h.info.version).toBe(2);
  });

  it('a gate that throws refuses the candidate (ERR_MFREC_REFUSED naming the failure)', async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const h = await open(file, {
      gate: () => {
        throw new Error('holdout unavailable');
      },
    });
    await (await trainedAls(2)).save(file);
    const e = (await h.reload().catch((x: unknown) => x)) as MfrecError;
    expect(e.code).toBe(ErrorCodes.REFUSED);
    expect(e.message).toMatch(/the promotion gate failed: holdout unavailable/);
    expect(h.model.params.seed).toBe(1);
  });

  it('watch: a deleted file is refused (IO) and the old model serves until a new file appears', async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const h = await open(file, { watch: true, debounceMs: 20 });
    const refused = nextEvent<Refusal>(h, 'refused');
    unlinkSync(file);
    expect((await refused).error.code).toBe(ErrorCodes.IO);
    expect(h.model.recommend('u1', { k: 2 })).toHaveLength(2);
    const reloaded = nextEvent<ModelInfo>(h, 'reload');
    await (await trainedAls(6)).save(file);
    expect((await reloaded).version).toBe(2);
    expect(h.model.params.seed).toBe(6);
  });

  it('the reading thread checks every value: a NaN factor in a file with a valid checksum is refused (CORRUPT_FILE)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'nan.mfrec');
    const contents = readModelFile(await savedAls(dir, 'm.mfrec', 1));
    const { header, blocks } = await contents;
    const itemFactors = Float32Array.from(blocks.itemFactors as Float32Array);
    itemFactors[5] = Number.NaN;
    const seenIndices = Int32Array.from(blocks.seenIndices as Int32Array).reverse();
    await writeModelFile(file, { header, blocks: { ...blocks, itemFactors } });
    const e = (await ModelHandle.open(file).catch((x: unknown) => x)) as MfrecError;
    expect(e.code).toBe(ErrorCodes.CORRUPT_FILE);
    expect(e.message).toMatch(/block itemFactors holds NaN at position 5/);
    await writeModelFile(file, { header, blocks: { ...blocks, seenIndices } });
    expect((await ModelHandle.open(file).catch((x: unknown) => x)) as MfrecError).toMatchObject({
      code: ErrorCodes.CORRUPT_FILE,
      message: expect.stringMatching(/item indices out of range or order/),
    });
  });

  it('close() resolves only once the requests holding a model have released it, then the model is disposed', async () => {
    const dir = tempDir();
    const h = await ModelHandle.open(await savedAls(dir));
    const lease = h.acquire();
    let closed = false;
    const closing = h.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    expect(lease.model.recommend('u1', { k: 1 })).toHaveLength(1);
    expect(await errorCode(() => h.acquire())).toBe(ErrorCodes.NOT_FITTED);
    lease.release();
    await closing;
    expect(lease.model.isFitted).toBe(false);
  });
});
