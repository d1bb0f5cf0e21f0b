import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes, IdMap, isMfrecError, type ErrorCode } from '../../lib/index.js';
import { ParsePool } from '../../lib/data/parse-pool.js';
import { parseInteractions, readInteractions, type ReadOptions, type ReadResult } from '../../lib/data/read-delimited.js';
import { Rng } from '../../lib/random.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Small chunks, so that inputs of a few KB are cut into many. */
const PARALLEL = { threads: 2, chunkBytes: 1024 } as const;

async function failure(p: Promise<unknown>, code: ErrorCode): Promise<Error> {
  try {
    await p;
  } catch (e) {
    if (!isMfrecError(e, code)) throw e;
    return e;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

/** Everything a read returns, in plain arrays, for deep comparison. */
function snapshot(r: ReadResult): unknown {
  const m = r.interactions.byUser;
  return {
    users: r.interactions.users.toArray(),
    items: r.interactions.items.toArray(),
    indptr: Array.from(m.indptr),
    indices: Array.from(m.indices),
    values: Array.from(m.values),
    timestamps: m.timestamps ? Array.from(m.timestamps) : undefined,
    lines: r.lines,
    skipped: r.skipped,
    badLines: r.badLines,
    format: r.format,
  };
}

/** Reads `text` on one thread and with parsing threads; both outcomes, results or errors, must match. */
async function expectSameRead(text: string | Uint8Array, options: ReadOptions = {}, parallelOptions: ReadOptions = PARALLEL): Promise<ReadResult | Error> {
  const outcome = async (o: ReadOptions): Promise<ReadResult | Error> => {
    try {
      return await parseInteractions(text, o);
    } catch (e) {
      return e as Error;
    }
  };
  const spy = vi.spyOn(ParsePool.prototype, 'parse');
  const single = await outcome({ ...options, threads: 1 });
  expect(spy).not.toHaveBeenCalled();
  const parallel = await outcome({ ...options, ...parallelOptions });
  expect(spy).toHaveBeenCalled();
  spy.mockRestore();
  if (single instanceof Error) {
    expect(parallel).toBeInstanceOf(Error);
    expect((parallel as Error & { code?: string }).code).toBe((single as Error & { code?: string }).code);
    expect((parallel as Error).message).toBe(single.message);
  } else {
    expect(parallel).not.toBeInstanceOf(Error);
    expect(snapshot(parallel as ReadResult)).toEqual(snapshot(single));
  }
  return single;
}

/** An id in one of the spellings that take different paths through the interner and the splitter. */
function randomId(rng: Rng, prefix: string): string {
  const n = rng.below(40);
  switch (rng.below(8)) {
    case 0:
      return `${prefix}${n}`;
    case 1:
      return `0${n}`; // numeric-looking, not canonical
    case 2:
      return String(4_200_000 + n); // canonical, beyond the dense table
    case 3:
      return `"${prefix},${n}"`;
    case 4:
      return `"${prefix}""${n}"`;
    case 5:
      return rng.below(20) === 0 ? `"${prefix}\n${n}"` : ` ${n} `;
    default:
      return String(n);
  }
}

/** A random ratings text: duplicates, quoting, CRLF, blank and bad lines, sometimes a BOM and a header. */
function randomText(seed: number, lines: number): string {
  const rng = new Rng(seed);
  const out: string[] = [];
  if (rng.below(2) === 0) out.push('user,item,rating,time');
  for (let k = 0; k < lines; k++) {
    const user = randomId(rng, 'u');
    const item = randomId(rng, 'i');
    const value = String(rng.below(10) / 2);
    const time = String(1_000_000 + rng.below(1000));
    const kind = rng.below(40);
    if (kind === 0)
      out.push(`${user},${item}`); // missing fields
    else if (kind === 1)
      out.push(`${user},${item},x,${time}`); // bad value
    else if (kind === 2)
      out.push(`,${item},${value},${time}`); // empty user id
    else if (kind === 3) out.push(rng.below(2) ? '' : '   ');
    else if (kind === 4)
      out.push(`${user},"${item}"x,${value},${time}`); // text after a closing quote
    else out.push(`${user},${item},${value},${time}`);
  }
  const eol = rng.below(3) === 0 ? '\r\n' : '\n';
  return (rng.below(4) === 0 ? '\ufeff' : '') + out.join(eol) + (rng.below(2) ? eol : '');
}

describe('parallel parsing', () => {
  it('gives results identical to one thread on random inputs with duplicates and bad lines skipped', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const text = randomText(seed, 1000 + seed * 150);
      const r = await expectSameRead(text, { onBadLine: 'skip', header: text.includes('user,item') });
      expect(r).not.toBeInstanceOf(Error);
      expect((r as ReadResult).skipped).toBeGreaterThan(0);
      // Duplicates were combined: fewer entries than valid lines.
      expect((r as ReadResult).interactions.nnz).toBeLessThan((r as ReadResult).lines - (r as ReadResult).skipped);
    }
  });

  it('fails on the same first bad line, with its exact line number', async () => {
    const rows = Array.from({ length: 3000 }, (_, k) => `u${k % 97},i${k % 41},${k % 5}`);
    for (const at of [1, 999, 1500, 2999]) {
      const text = rows.map((r, k) => (k === at || k === at + 300 ? `${r}x` : r)).join('\n');
      const e = await expectSameRead(text);
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toBe(`<input>:${at + 1}: value (column 2) is not a finite number: "${rows[at]}x"`);
    }
    await expectSameRead(randomText(99, 2000), { header: false });
  });

  it('re-reads on one thread from a chunk that ends inside a quoted field spanning lines', async () => {
    const filler = 'u1,i1,1\n';
    for (let shift = -6; shift <= 6; shift++) {
      // The quoted field's inner line break lands near byte 1024, the first cut.
      const head = filler.repeat(Math.floor((1000 + shift) / filler.length));
      const text = `${head}x,"a\nb${'c'.repeat(30)}",3\n${filler.repeat(2500)}y,"p\nq",4\n`;
      const r = (await expectSameRead(text)) as ReadResult;
      expect(r.interactions.items.toArray()).toEqual(['i1', `a\nb${'c'.repeat(30)}`, 'p\nq']);
    }
  });

  it('reads the lines after a stray quote the same way, dropping only its line', async () => {
    const rows = Array.from({ length: 3000 }, (_, k) => `u${k % 97},i${k % 41},${k % 5}`);
    for (const at of [2, 1500, 2990]) {
      const dirty = rows.map((r, k) => (k === at ? `u1,"stray${k},2` : r)).join('\n');
      const r = (await expectSameRead(dirty, { onBadLine: 'skip' })) as ReadResult;
      expect(r.skipped).toBe(1);
      expect(r.badLines[0]!.line).toBe(at + 1);
      const e = (await expectSameRead(dirty)) as Error;
      expect(e.message).toMatch(new RegExp(`^<input>:${at + 1}: unterminated quoted field: the quote opened on this line`));
    }
  });

  it('re-reads on one thread from a line longer than a chunk', async () => {
    // Past the first 1 MiB read, so that parsing threads have started.
    const rows = Array.from({ length: 200_000 }, (_, k) => `u${k % 13},i${k % 7},${k % 5}`);
    const big = { threads: 2, chunkBytes: 64 * 1024 };
    rows[190_000] = `long,${'z'.repeat(100_000)},1`;
    await expectSameRead(rows.join('\n'), {}, big);
    rows[190_000] = `long,${'z'.repeat(100_000)},oops`;
    await expectSameRead(rows.join('\n'), {}, big);
    await expectSameRead(rows.join('\n'), { onBadLine: 'skip' }, big);
  });

  it('extends given id maps the same way', async () => {
    const text = randomText(7, 1500);
    const opts = (): ReadOptions => ({ users: new IdMap(['5', 7, 'u9']), items: new IdMap(['i3']), onBadLine: 'skip' });
    const single = await parseInteractions(text, { ...opts(), threads: 1 });
    const parallel = await parseInteractions(text, { ...opts(), ...PARALLEL });
    expect(snapshot(parallel)).toEqual(snapshot(single));
    expect(single.interactions.users.toArray().slice(0, 3)).toEqual(['5', 7, 'u9']);
  });

  it("keeps 'last' and 'mean' aggregation and the all-bad case identical", async () => {
    const text = randomText(11, 1500);
    await expectSameRead(text, { onBadLine: 'skip', aggregate: 'last' });
    await expectSameRead(text, { onBadLine: 'skip', aggregate: 'mean', valueCol: 2, timeCol: null });
    const allBad = 'u,i,1\n' + Array.from({ length: 3000 }, (_, k) => `u${k},i,x`).join('\n');
    const e = await expectSameRead(allBad, { onBadLine: 'skip', header: true });
    expect((e as Error).message).toBe('<input> has no valid lines (3000 bad line(s) skipped)');
  });

  it('reads files and gzip streams in parallel', async () => {
    const text = randomText(5, 3000);
    const plain = path.join(dir, 'r.csv');
    const gz = path.join(dir, 'r.csv.gz');
    writeFileSync(plain, text);
    writeFileSync(gz, gzipSync(text));
    const single = await readInteractions(plain, { threads: 1, onBadLine: 'skip' });
    for (const p of [plain, gz]) {
      expect(snapshot(await readInteractions(p, { ...PARALLEL, onBadLine: 'skip' }))).toEqual(snapshot(single));
    }
    await expectSameRead(gzipSync(text), { onBadLine: 'skip' });
  });

  it('parses inputs shorter than 16 chunks on the calling thread, gzipped or not', async () => {
    const spy = vi.spyOn(ParsePool.prototype, 'parse');
    const text = Array.from({ length: 1000 }, (_, k) => `u${k % 50},i${k % 7},1`).join('\n'); // ~10 KB
    const plain = await parseInteractions(text, { threads: 4, chunkBytes: 1024 });
    const gz = await parseInteractions(gzipSync(text), { threads: 4, chunkBytes: 1024 });
    expect(plain.interactions.nnz).toBe(350);
    expect(snapshot(gz)).toEqual(snapshot(plain));
    expect(spy).not.toHaveBeenCalled();
  });

  it.each([
    [{ threads: -1 }, 'Expected integer in [0, 1024] for threads but received -1'],
    [{ threads: 1.5 }, 'Expected integer in [0, 1024] for threads but received 1.5'],
    [{ threads: '2' }, 'Expected integer in [0, 1024] for threads'],
    [{ chunkBytes: 100 }, 'Expected integer in [1024, 16777216] for chunkBytes but received 100'],
    [{ chunkBytes: 2 ** 25 }, 'Expected integer in [1024, 16777216] for chunkBytes'],
  ])('rejects %j', async (options, message) => {
    const e = await failure(parseInteractions('1,2,3\n', options as never), ErrorCodes.INVALID_ARGUMENT);
    expect(e.message.startsWith(message)).toBe(true);
  });
});
