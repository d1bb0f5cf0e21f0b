/**
 * A model file that loads must be a model that serves finite answers: files
 * resealed with a valid checksum but impossible contents (non-finite values,
 * missing or foreign bias terms, a type that names an Object method, a
 * summary that disagrees with the blocks) are refused as CORRUPT_FILE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { BPR, ExplicitMF, ImplicitALS, loadModel } from '../../lib/index.js';
import type { FactorState } from '../../lib/models/base/factor-model.js';
import { encodeFactorModel } from '../../lib/persist/factor-state.js';
import { encodeModelFile, type ModelFileContents } from '../../lib/persist/model-file.js';
import { randomInteractions, randomState } from '../helpers/hand-made-model.js';
import { errorCode } from '../helpers/support.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-contents-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = randomInteractions(5, 12, 9, 0.4);
const TYPES = {
  explicit: { params: () => ({ ...new ExplicitMF({ factors: 3 }).params }), biases: 'explicit' as const },
  als: { params: () => ({ ...new ImplicitALS({ factors: 3 }).params }), biases: 'none' as const },
  bpr: { params: () => ({ ...new BPR({ factors: 3 }).params }), biases: 'item' as const },
};
type TypeName = keyof typeof TYPES;

/** The contents a save of a model of `type` writes, ready to be tampered with. */
function contentsOf(type: TypeName): ModelFileContents {
  const state: FactorState = randomState(7, data, 3, TYPES[type].biases);
  const training = { users: data.nUsers, items: data.nItems, interactions: data.nnz, valueRange: [1, 1], savedAt: 'now' };
  const contents = encodeFactorModel({ type, params: TYPES[type].params(), state, extra: { training } }, '0.0.0');
  // Copies: the training matrix is shared with `data`, and tests write into the blocks.
  for (const name of Object.keys(contents.blocks)) contents.blocks[name] = contents.blocks[name]!.slice();
  return contents;
}

async function load(contents: ModelFileContents, patch?: (b: Buffer) => Buffer): Promise<string> {
  let bytes = encodeModelFile(contents);
  if (patch) {
    bytes = patch(bytes);
    bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 4)) >>> 0, bytes.length - 4);
  }
  const file = path.join(dir, 'crafted.mfrec');
  writeFileSync(file, bytes);
  return errorCode(loadModel(file));
}

/** Replaces `from` by `to` (same length) in the header text of a file. */
const inHeader = (from: string, to: string) => (b: Buffer) => {
  expect(to.length).toBe(from.length);
  const at = b.indexOf(from);
  expect(at).toBeGreaterThan(0);
  b.write(to, at, 'latin1');
  return b;
};

describe.each(Object.keys(TYPES) as TypeName[])('a resealed %s model file', (type) => {
  it('loads untouched and serves finite scores to every user', async () => {
    const file = path.join(dir, `${type}.mfrec`);
    writeFileSync(file, encodeModelFile(contentsOf(type)));
    const model = await loadModel(file);
    for (const u of model.userIds) {
      const recs = model.recommend(u, { k: 3, filterSeen: false });
      expect(recs.length).toBe(3);
      for (const r of recs) expect(Number.isFinite(r.score)).toBe(true);
    }
  });

  const blocks = [
    'userFactors',
    'itemFactors',
    'seenValues',
    'itemPopularity',
    ...(type === 'als' ? [] : ['itemBias']),
    ...(type === 'explicit' ? ['userBias'] : []),
  ];
  it.each(blocks.flatMap((name) => [NaN, Infinity, -Infinity].map((v) => [name, v] as const)))('with %s holding %s is refused', async (name, value) => {
    const c = contentsOf(type);
    const block = c.blocks[name]!;
    block[block.length - 1] = value;
    expect(await load(c)).toBe('ERR_MFREC_CORRUPT_FILE');
  });

  it('with a negative popularity count is refused', async () => {
    const c = contentsOf(type);
    c.blocks.itemPopularity![0] = -3;
    expect(await load(c)).toBe('ERR_MFREC_CORRUPT_FILE');
  });

  it('with a training summary that disagrees with its blocks is refused', async () => {
    const c = contentsOf(type);
    (c.header.training as { users: number }).users = 999;
    expect(await load(c)).toBe('ERR_MFREC_CORRUPT_FILE');
  });

  it('with bias terms its type does not have, or without the ones it needs, is refused', async () => {
    const cases: Array<(c: ModelFileContents) => void> =
      type === 'explicit'
        ? [(c) => delete c.blocks.userBias, (c) => delete c.blocks.itemBias, (c) => (c.header.globalBias = null), (c) => (c.header.globalBias = 'high')]
        : [(c) => (c.blocks.userBias = new Float32Array(data.nUsers)), (c) => (c.header.globalBias = 3)];
    if (type === 'als') cases.push((c) => (c.blocks.itemBias = new Float32Array(data.nItems)));
    for (const [k, tamper] of cases.entries()) {
      const c = contentsOf(type);
      tamper(c);
      expect(await load(c), `case ${k}`).toBe('ERR_MFREC_CORRUPT_FILE');
    }
  });
});

describe('resealed model file headers', () => {
  it('an infinite global bias (1e999 in the JSON) is refused', async () => {
    const c = contentsOf('explicit');
    c.header.globalBias = 12345.5;
    expect(await load(c, inHeader('"globalBias":12345.5', '"globalBias":1e999  '))).toBe('ERR_MFREC_CORRUPT_FILE');
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('a model type %j is refused, never looked up on Object', async (name) => {
    const c = contentsOf('als');
    c.header.type = name;
    expect(await load(c)).toBe('ERR_MFREC_CORRUPT_FILE');
  });

  it('a block listed twice is refused', async () => {
    // userFactors and itemFactors have names of the same length: the header keeps its size.
    expect(await load(contentsOf('als'), inHeader('"name":"userFactors"', '"name":"itemFactors"'))).toBe('ERR_MFREC_CORRUPT_FILE');
  });
});
