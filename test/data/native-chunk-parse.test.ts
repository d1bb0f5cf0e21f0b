/**
 * The native chunk parser (native/kernels/chunk_parse.cc) against its twin,
 * the JavaScript chunk parser: the same columns, new ids, counts and line
 * breaks on every chunk it takes, tables untouched on every chunk it declines,
 * and identical reads with it switched on and off.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseChunk, parseChunkInJs, threadState, type ChunkResult, type ChunkTask, type ThreadState } from '../../lib/data/chunk-parse.js';
import { gatherIndices, parseChunkNatively } from '../../lib/data/native-chunk-parse.js';
import { readInteractions, type ReadOptions, type ReadResult } from '../../lib/data/read-delimited.js';
import type { Delimiter } from '../../lib/data/delimiter.js';
import type { RecordRules } from '../../lib/data/record-reader.js';
import { Rng } from '../../lib/random.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-native-chunk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.MFREC_CHUNK_PARSER;
});

interface Layout {
  delimiter?: Delimiter;
  value?: number | null;
  time?: number | null;
  header?: boolean;
  skipBad?: boolean;
}

function rulesOf(layout: Layout = {}): RecordRules {
  const value = layout.value === undefined ? 2 : layout.value;
  const time = layout.time === undefined ? 3 : layout.time;
  return {
    format: { delimiter: layout.delimiter ?? ',', header: layout.header ?? false, names: null, columns: { user: 0, item: 1, value, time, type: null } },
    typeWeights: undefined,
    skipBad: layout.skipBad ?? true,
  };
}

/** A native thread's state and a JavaScript-only one, over the same rules. */
function twinStates(rules: RecordRules): { native: ThreadState; js: ThreadState } {
  const native = threadState(0, rules);
  expect(native.native).toBeDefined();
  return { native, js: { ...threadState(0, rules), native: undefined } };
}

function taskOf(text: string, index: number, last: boolean): ChunkTask {
  const bytes = Buffer.from(text, 'latin1');
  const buffer = new SharedArrayBuffer(bytes.length + 7); // room after the chunk, as a cut chunk has
  Buffer.from(buffer).set(bytes);
  return { index, buffer, length: bytes.length, first: index === 0, last };
}

/** A result with its columns cut to their entries, for deep comparison (-0 and every bit kept). */
function plain(r: ChunkResult): unknown {
  return {
    ...r,
    u: Array.from(r.u.subarray(0, r.n)),
    i: Array.from(r.i.subarray(0, r.n)),
    v: Array.from(new Uint32Array(r.v.buffer, 0, r.n)),
    t: r.t ? Array.from(new BigUint64Array(r.t.buffer, 0, r.n)) : undefined,
  };
}

/** A thread's tables; the dense ones (up to 4M entries) as digests, which deep equality compares quickly. */
function tables(s: ThreadState): unknown {
  const digest = (a: Int32Array): string => createHash('sha256').update(a).digest('hex');
  return { users: [...s.users.ids], items: [...s.items.ids], userDense: digest(s.users.denseTable), itemDense: digest(s.items.denseTable) };
}

/** Values and timestamps in every form the fast path takes, the hard ones for rounding included. */
const PLAIN_NUMBERS = [
  '3.5',
  '4',
  '0',
  '-0',
  '+5',
  '.5',
  '5.',
  '-.25',
  '0.1',
  '0.30000000000001',
  '999999999999999',
  '-999999999999999',
  '16777217',
  '16777219',
  '33554435',
  '0.00000000000001',
  '123456789.012345',
  '3.4028235',
  '1.00000005960464',
  '1.0000000596046',
  '0.99999997',
  '000000000000001',
  '1234567.5',
  '2147483647',
  '-2147483649',
  '1e0'.slice(0, 1),
];
const TIMES = ['978300760', '1700000000', '0', '-86400', '999999999999999', '1.5', '1234567890123.25', '+42', '-0'];

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.below(list.length)]!;
}

function canonicalId(rng: Rng, nearLimit: boolean): string {
  switch (rng.below(nearLimit ? 6 : 5) + (nearLimit ? 0 : 1)) {
    case 0:
      return String(4_194_303 - rng.below(3)); // just below the dense limit: the tables grow to it
    case 1:
      return String(rng.below(300_000));
    default:
      return String(rng.below(60));
  }
}

/** Lines the native parser takes: blanks around ids, CRLF, empty and blank lines, trailing delimiters, extra fields. */
function commonChunk(rng: Rng, lines: number, d: string, endWithBreak: boolean, nearLimit = true): string {
  const out: string[] = [];
  const blank = d === '\t' ? ' ' : pick(rng, [' ', '\t']);
  for (let k = 0; k < lines; k++) {
    const kind = rng.below(30);
    if (kind === 0) out.push('');
    else if (kind === 1) out.push(`${blank}${blank}`);
    else {
      let user = canonicalId(rng, nearLimit);
      if (kind === 2) user = `${blank}${user}${blank}`;
      const fields = [user, canonicalId(rng, nearLimit), pick(rng, PLAIN_NUMBERS), pick(rng, TIMES)];
      if (kind === 3) fields.push('');
      if (kind === 4) fields.push('extra', 'x y');
      out.push(fields.join(d) + (rng.below(3) === 0 ? '\r' : ''));
    }
  }
  return out.join('\n') + (endWithBreak ? '\n' : '');
}

/** One line the native parser must not take, and what it exercises in the JavaScript reader. */
const DECLINED: Array<[string, string]> = [
  ['a quote', '1,"2",3,4'],
  ['a quote after the wanted fields', '1,2,3,4,"x'],
  ['a bad value', '1,2,x,4'],
  ['a missing field', '1,2,3'],
  ['an empty user id', ',2,3,4'],
  ['an empty item id', '1, ,3,4'],
  ['an id with a leading zero', '007,2,3,4'],
  ['a text id', 'u1,2,3,4'],
  ['an id at the dense limit', '4194304,2,3,4'],
  ['a ten-digit id', '1234567890,2,3,4'],
  ['an id beyond 2^53', '9007199254740993,2,3,4'],
  ['a negative id', '-1,2,3,4'],
  ['an exponent', '1,2,1e3,4'],
  ['sixteen digits', '1,2,1234567890123456,4'],
  ['sixteen digits with leading zeros', '1,2,0000000000000001,4'],
  ['blanks around a value', '1,2, 3.5 ,4'],
  ['nan', '1,2,nan,4'],
  ['Infinity', '1,2,Infinity,4'],
  ['hex', '1,2,0x10,4'],
  ['a lone sign', '1,2,-,4'],
  ['a lone point', '1,2,.,4'],
  ['an empty value', '1,2,,4'],
  ['two points', '1,2,1.2.3,4'],
  ['a huge value', `1,2,1${'0'.repeat(40)},4`],
  ['a date', '1,2,3,2020-01-02T03:04:05Z'],
  ['a stray carriage return', '1,2,3,4\r\r'],
  ['a byte order mark', '\ufeff1,2,3,4'],
];

describe('native chunk parser', () => {
  it('takes common-case chunks and gives what the JavaScript parser gives, number bits included', () => {
    for (const d of [',', '\t', ';', '|', ' '] as const) {
      const rules = rulesOf({ delimiter: d });
      const { native, js } = twinStates(rules);
      const rng = new Rng(d.charCodeAt(0));
      for (let index = 0; index < 12; index++) {
        const last = index === 11;
        const task = taskOf(commonChunk(rng, 50 + rng.below(400), d, !last || rng.below(2) === 0), index, last);
        const n = parseChunkNatively(task, native, native.native!.format, native.native!.scratch);
        expect(n, `chunk ${index}, delimiter ${JSON.stringify(d)}`).toBeDefined();
        expect(plain(n!)).toEqual(plain(parseChunkInJs(task, js)));
      }
      expect(native.users.ids).toEqual(js.users.ids);
      expect(native.items.ids).toEqual(js.items.ids);
    }
  });

  it('takes lines of a few bytes, without value or time columns (columns grown on the way)', () => {
    const rules = rulesOf({ value: null, time: null });
    const { native, js } = twinStates(rules);
    const rng = new Rng(7);
    const text = `${Array.from({ length: 5000 }, () => `${rng.below(10)},${rng.below(10)}`).join('\n')}\n`;
    const task = taskOf(text, 3, false);
    const n = parseChunkNatively(task, native, native.native!.format, native.native!.scratch);
    expect(n).toBeDefined();
    expect(n!.n).toBe(5000);
    expect(plain(n!)).toEqual(plain(parseChunkInJs(task, js)));
  });

  it('declines every chunk with a line it cannot take, leaving the tables untouched, and the JavaScript parser gives the answer', () => {
    for (const skipBad of [true, false]) {
      const rules = rulesOf({ skipBad });
      for (const [what, line] of DECLINED) {
        const { native, js } = twinStates(rules);
        const rng = new Rng(what.length);
        // Earlier chunks fill the tables, so that a decline has something to leave alone.
        for (let index = 0; index < 2; index++) {
          const task = taskOf(commonChunk(rng, 200, ',', true, false), index, false);
          expect(plain(parseChunk(task, native))).toEqual(plain(parseChunkInJs(task, js)));
        }
        const before = tables(native);
        const lines = commonChunk(rng, 300, ',', true, false).split('\n');
        lines.splice(150, 0, line); // new ids before and after it
        const task = taskOf(lines.join('\n'), 2, true);
        expect(parseChunkNatively(task, native, native.native!.format, native.native!.scratch), what).toBeUndefined();
        expect(tables(native), what).toEqual(before);
        expect(plain(parseChunk(task, native)), what).toEqual(plain(parseChunkInJs(task, js)));
      }
    }
  });

  it('declines a header, a chunk not ending at a line break, and the delimiters and columns it does not handle', () => {
    const text = '1,2,3,4\n5,6,7,8\n';
    const declined = (rules: RecordRules, task: ChunkTask): void => {
      const s = threadState(0, rules);
      if (s.native) expect(parseChunkNatively(task, s, s.native.format, s.native.scratch)).toBeUndefined();
      expect(plain(parseChunk(task, s))).toEqual(plain(parseChunkInJs(task, { ...threadState(0, rules), native: undefined })));
    };
    declined(rulesOf({ header: true }), taskOf(text, 0, false));
    declined(rulesOf(), taskOf('1,2,3,4\n5,6', 1, false));
    // Blanks are trimmed within a field, never across a tab that delimits it (an empty item id here).
    declined(rulesOf({ delimiter: '\t' }), taskOf('1\t 2 \t3\t4\n1\t\t2\t3\t4\n', 1, false));
    // A column read for two roles.
    declined(rulesOf({ time: 2 }), taskOf(text, 1, false));
    // Runs of blanks: a line with a missing field is the JavaScript reader's bad line.
    declined(rulesOf({ delimiter: ' ' }), taskOf('1 2 3 4\n 5\t 6  7\n', 1, false));
    expect(threadState(0, rulesOf({ delimiter: '::' })).native).toBeUndefined();
    const typed = rulesOf();
    typed.format.columns.type = 3;
    typed.typeWeights = new Map([['view', 1]]);
    expect(threadState(0, typed).native).toBeUndefined();
    process.env.MFREC_CHUNK_PARSER = 'js';
    expect(threadState(0, rulesOf()).native).toBeUndefined();
  });
});

describe('the gather of a merge', () => {
  it('writes what the JavaScript loop writes, and refuses an index without a global one', () => {
    const rng = new Rng(5);
    const table = Int32Array.from({ length: 5000 }, () => rng.below(1 << 30));
    const local = Int32Array.from({ length: 20000 }, () => rng.below(table.length));
    const native = new Int32Array(30000).fill(-7);
    gatherIndices(local, 19000, table, native.subarray(100, 19100));
    process.env.MFREC_CHUNK_PARSER = 'js';
    const js = new Int32Array(30000).fill(-7);
    gatherIndices(local, 19000, table, js.subarray(100, 19100));
    expect(native).toEqual(js);
    delete process.env.MFREC_CHUNK_PARSER;
    for (const bad of [table.length, -1]) {
      local[500] = bad;
      const out = new Int32Array(1000).fill(-7);
      expect(() => gatherIndices(local, 1000, table, out)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_NATIVE' }));
      expect(out.every((x) => x === -7)).toBe(true);
    }
    local[500] = 0;
    table[local[0]!] = -1; // an id not given its global index
    expect(() => gatherIndices(local, 1000, table, new Int32Array(1000))).toThrow(/without a global one/);
  });
});

describe('reads with the native chunk parser on and off', () => {
  /** Small chunks, so that a file of some 100 KB is cut into many and parsed by threads. */
  const PARALLEL: ReadOptions = { threads: 2, chunkBytes: 4096 };

  async function both(text: string, options: ReadOptions): Promise<ReadResult | Error> {
    const file = path.join(dir, `read-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(file, text, 'latin1');
    const outcome = async (): Promise<ReadResult | Error> => {
      try {
        return await readInteractions(file, { ...PARALLEL, ...options });
      } catch (e) {
        return e as Error;
      }
    };
    const on = await outcome();
    process.env.MFREC_CHUNK_PARSER = 'js';
    const off = await outcome();
    delete process.env.MFREC_CHUNK_PARSER;
    if (off instanceof Error) {
      expect(on).toBeInstanceOf(Error);
      expect((on as Error).message).toBe(off.message);
    } else {
      expect(on).not.toBeInstanceOf(Error);
      const r = on as ReadResult;
      expect(r.interactions.users.toArray()).toEqual(off.interactions.users.toArray());
      expect(r.interactions.items.toArray()).toEqual(off.interactions.items.toArray());
      expect(r.interactions.byUser).toEqual(off.interactions.byUser);
      expect({ lines: r.lines, skipped: r.skipped, badLines: r.badLines, format: r.format }).toEqual({
        lines: off.lines,
        skipped: off.skipped,
        badLines: off.badLines,
        format: off.format,
      });
    }
    return on;
  }

  it('gives identical IdMaps and Interactions on clean files, with and without a header', async () => {
    for (const header of [false, true]) {
      const rng = new Rng(header ? 11 : 12);
      const text = (header ? 'userId,movieId,rating,timestamp\n' : '') + commonChunk(rng, 9000, ',', rng.below(2) === 0);
      const r = await both(text, { aggregate: 'sum' });
      expect(r).not.toBeInstanceOf(Error);
      expect((r as ReadResult).lines).toBeGreaterThan(8000);
    }
  });

  it('gives the same bad lines, line numbers and errors when some chunks go to the JavaScript parser', async () => {
    const rng = new Rng(21);
    const lines = commonChunk(rng, 12000, ',', true).split('\n');
    for (const at of [100, 4000, 7000, 11000]) lines.splice(at, 0, pick(rng, DECLINED)[1]);
    const text = lines.join('\n');
    const skipped = await both(text, { onBadLine: 'skip' });
    expect(skipped).not.toBeInstanceOf(Error);
    const failed = await both(text, { onBadLine: 'error' });
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/^.*:101: /);
  });
});
