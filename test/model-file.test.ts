import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MfrecError } from '../lib/errors.js';
import { decodeModelFile, encodeModelFile, readModelFile, writeModelFile } from '../lib/persist/model-file.js';

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
      expect(['ERR_MFREC_BAD_MAGIC', 'ERR_MFREC_CORRUPT_FILE', 'ERR_MFREC_UNSUPPORTED_VERSION']).toContain(
        codeOf(() => decodeModelFile(copy)),
      );
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
