import { execFile, execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MfrecError } from '../../lib/errors.js';
import { decodeModelFile, encodeModelFile, readModelFile, writeModelFile } from '../../lib/persist/model-file.js';

const contents = () => ({
  header: { type: 'test', params: { factors: 2 }, users: ['a', 7], note: 'ünïcödé' },
  blocks: {
    f: new Float32Array([1.5, -2, 3.25]),
    i: new Int32Array([1, 2, 3, 4, 5]),
    d: new Float64Array([Math.PI]),
    empty: new Float32Array(0),
  },
});

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof MfrecError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('model file', () => {
  it('round-trips header and blocks with their types', () => {
    const back = decodeModelFile(encodeModelFile(contents()));
    expect(back.header).toEqual(contents().header);
    expect(back.blocks.f).toEqual(new Float32Array([1.5, -2, 3.25]));
    expect(back.blocks.i).toEqual(new Int32Array([1, 2, 3, 4, 5]));
    expect(back.blocks.d).toEqual(new Float64Array([Math.PI]));
    expect(back.blocks.empty!.length).toBe(0);
  });

  it('refuses every truncation with a typed error', () => {
    const full = encodeModelFile(contents());
    for (let n = 0; n < full.length; n++) {
      expect(['ERR_MFREC_BAD_MAGIC', 'ERR_MFREC_CORRUPT_FILE']).toContain(codeOf(() => decodeModelFile(full.subarray(0, n))));
    }
  });

  it('catches every flipped byte', () => {
    const full = encodeModelFile(contents());
    for (let k = 0; k < full.length; k++) {
      const copy = Buffer.from(full);
      copy[k] = copy[k]! ^ 0x40;
      expect(['ERR_MFREC_BAD_MAGIC', 'ERR_MFREC_CORRUPT_FILE', 'ERR_MFREC_UNSUPPORTED_VERSION']).toContain(codeOf(() => decodeModelFile(copy)));
    }
  });

  it('names wrong magic and newer versions', () => {
    expect(codeOf(() => decodeModelFile(Buffer.from('user,item\n1,2\n')))).toBe('ERR_MFREC_BAD_MAGIC');
    const newer = encodeModelFile(contents());
    newer.writeUInt32LE(99, 8);
    expect(codeOf(() => decodeModelFile(newer))).toBe('ERR_MFREC_UNSUPPORTED_VERSION');
  });

  it('saves atomically, leaving no temporary file, and reports IO errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-file-'));
    const file = path.join(dir, 'm.mfrec');
    writeFileSync(file, 'old');
    await writeModelFile(file, contents());
    expect(readdirSync(dir)).toEqual(['m.mfrec']);
    expect((await readModelFile(file)).header.type).toBe('test');
    expect(readFileSync(file).subarray(0, 8).toString()).toBe('MFRECMDL');
    await expect(writeModelFile(path.join(dir, 'missing', 'x.mfrec'), contents())).rejects.toMatchObject({ code: 'ERR_MFREC_IO' });
    await expect(readModelFile(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'ERR_MFREC_IO' });
  });
});

describe('model file bytes', () => {
  it('writes, block by block, the bytes encodeModelFile gives: blocks at their offsets, zero padding, one CRC-32 over all before it', async () => {
    // Views into larger buffers (as the trained factor arrays are), odd lengths that need padding, and a block of several MiB.
    const wide = new Float32Array(1 + 3 * 1024 * 1024 + 5);
    for (let k = 0; k < wide.length; k++) wide[k] = Math.sin(k);
    const blocks = {
      view: wide.subarray(1, wide.length - 5),
      odd: new Int32Array([7, -1, 9]),
      tail: new Float32Array(new ArrayBuffer(64), 12, 5).fill(0.5),
      empty: new Float32Array(0),
      d: new Float64Array([Math.E, -0]),
    };
    const model = { header: { type: 'test', note: 'ünïcödé' }, blocks };
    const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-bytes-'));
    const file = path.join(dir, 'm.mfrec');
    await writeModelFile(file, model);
    const written = readFileSync(file);
    expect(written.equals(encodeModelFile(model))).toBe(true);

    expect(written.subarray(0, 8).toString('latin1')).toBe('MFRECMDL');
    expect(written.readUInt32LE(8)).toBe(1);
    const headerLength = written.readUInt32LE(12);
    const header = JSON.parse(written.toString('utf8', 16, 16 + headerLength)) as { blocks: { name: keyof typeof blocks; offset: number; length: number }[] };
    let end = 16 + headerLength;
    for (const e of header.blocks) {
      expect(written.subarray(end, e.offset).every((b) => b === 0)).toBe(true);
      const a = blocks[e.name];
      expect(e.length).toBe(a.length);
      expect(written.subarray(e.offset, e.offset + a.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength))).toBe(true);
      end = e.offset + a.byteLength;
    }
    const dataEnd = written.length - 4;
    expect(written.subarray(end, dataEnd).every((b) => b === 0)).toBe(true);
    expect(dataEnd % 8).toBe(0);
    expect(written.readUInt32LE(dataEnd)).toBe(crc32(written.subarray(0, dataEnd)) >>> 0);
    const back = await readModelFile(file);
    expect(back.blocks.view).toEqual(blocks.view);
    expect(back.blocks.tail).toEqual(blocks.tail);
  });
});

describe('model files that never end, or are huge', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-endless-'));
  const fifo = path.join(dir, 'model.fifo');
  execFileSync('mkfifo', [fifo]);
  afterAll(() => {
    // Releases a reader blocked on the FIFO (the behaviour before the fix), so the worker can exit.
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader waiting: nothing to release.
    }
  });

  /** The error a read fails with: a typed one, naming the file. */
  async function failure(file: string): Promise<MfrecError> {
    const e = await readModelFile(file).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(MfrecError);
    expect((e as MfrecError).message).toContain(file);
    return e as MfrecError;
  }

  // Before: each of these read without bound until memory ran out, or waited forever for a writer.
  // Devices are read in a child (the compiled library) killed after 15 s, so that a reader without bound dies with it.
  it.each(['/dev/zero', '/dev/urandom'])(
    '%s is refused as not a regular file',
    async (device) => {
      const script = `const { loadModel } = await import(${JSON.stringify(path.resolve(__dirname, '..', '..', 'dist', 'index.js'))});
      await loadModel(${JSON.stringify(device)}).then(() => console.log('{}'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
      const out = await new Promise<string>((resolve) => {
        execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 15_000, killSignal: 'SIGKILL' }, (_e, stdout) => resolve(stdout));
      });
      expect(out, 'the child printed no error (killed?)').not.toBe('');
      const e = JSON.parse(out) as { code: string; message: string };
      expect(e.code).toBe('ERR_MFREC_IO');
      expect(e.message).toContain(device);
      expect(e.message).toMatch(/not a regular file/);
    },
    20_000,
  );

  it('a FIFO without a writer is refused at once', async () => {
    expect((await failure(fifo)).code).toBe('ERR_MFREC_IO');
  }, 10_000);

  it('a 1.5 GB file that is not a model costs its first bytes only: BAD_MAGIC', async () => {
    const big = path.join(dir, 'big.bin');
    writeFileSync(big, 'user,item\n');
    truncateSync(big, 1.5e9);
    expect((await failure(big)).code).toBe('ERR_MFREC_BAD_MAGIC');
  }, 5_000);

  it('a 3 GB file that is not a model: BAD_MAGIC, not an I/O error', async () => {
    const big = path.join(dir, 'bigger.bin');
    writeFileSync(big, '');
    truncateSync(big, 3e9);
    expect((await failure(big)).code).toBe('ERR_MFREC_BAD_MAGIC');
  }, 5_000);

  it('a real model followed by 1.5 GB of zeros: CORRUPT_FILE from its header, the rest unread', async () => {
    const padded = path.join(dir, 'padded.mfrec');
    writeFileSync(padded, encodeModelFile(contents()));
    truncateSync(padded, 1.5e9);
    const e = await failure(padded);
    expect(e.code).toBe('ERR_MFREC_CORRUPT_FILE');
    expect(e.message).toMatch(/1500000000 bytes but its header describes/);
  }, 5_000);

  it('bytes after the last block are refused, on disk and in memory', async () => {
    const longer = Buffer.concat([encodeModelFile(contents()), Buffer.alloc(8)]);
    const file = path.join(dir, 'longer.mfrec');
    writeFileSync(file, longer);
    expect((await failure(file)).code).toBe('ERR_MFREC_CORRUPT_FILE');
    expect(codeOf(() => decodeModelFile(longer))).toBe('ERR_MFREC_CORRUPT_FILE');
  });
});
