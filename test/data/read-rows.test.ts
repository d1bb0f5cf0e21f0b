import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes, isMfrecError, type ErrorCode } from '../../lib/index.js';
import { readInteractions } from '../../lib/data/read-delimited.js';
import { readRows, type RowBatch, type RowsSummary } from '../../lib/data/read-rows.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(content: string | Uint8Array, name = `f${files++}.csv`): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function collect(p: string, options?: Parameters<typeof readRows>[1]): Promise<{ batches: RowBatch[]; summary: RowsSummary }> {
  const it = readRows(p, options);
  const batches: RowBatch[] = [];
  for (;;) {
    const next = await it.next();
    if (next.done) return { batches, summary: next.value };
    batches.push(next.value);
  }
}

function flat(batches: RowBatch[]): { users: string[]; items: string[]; values: number[]; lines: number[] } {
  return {
    users: batches.flatMap((b) => b.users),
    items: batches.flatMap((b) => b.items),
    values: batches.flatMap((b) => (b.values ? Array.from(b.values) : [])),
    lines: batches.flatMap((b) => Array.from(b.lines)),
  };
}

async function failure(p: Promise<unknown>, code: ErrorCode): Promise<Error> {
  try {
    await p;
  } catch (e) {
    if (!isMfrecError(e, code)) throw e;
    return e;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

async function drain(p: string, options?: Parameters<typeof readRows>[1]): Promise<void> {
  for await (const batch of readRows(p, options)) void batch;
}

describe('readRows', () => {
  it('yields every line in file order with raw ids, duplicates kept', async () => {
    const text =
      'user,item,rating\n' +
      'u2,b,1\n' +
      'u1,a,2\n' +
      '\n' +
      'u2,b,3\n' + // a repeated pair stays a row of its own
      '"u,3","multi\nline",4\n' +
      ' 007 , a ,5\n' +
      'u2,b,3\n';
    const { batches, summary } = await collect(file(text));
    expect(flat(batches)).toEqual({
      users: ['u2', 'u1', 'u2', 'u,3', '007', 'u2'],
      items: ['b', 'a', 'b', 'multi\nline', 'a', 'b'],
      values: [1, 2, 3, 4, 5, 3],
      lines: [2, 3, 5, 6, 8, 9],
    });
    expect(summary).toEqual({
      lines: 6,
      skipped: 0,
      badLines: [],
      format: { delimiter: ',', header: true, names: ['user', 'item', 'rating'], columns: { user: 0, item: 1, value: 2, time: null, type: null } },
      notes: [],
    });
  });

  it('keeps batches at batchSize, every one full but the last', async () => {
    const lines = Array.from({ length: 10 }, (_, k) => `u${k % 3},i${k},${k}`);
    const { batches } = await collect(file(lines.join('\n')), { batchSize: 3 });
    expect(batches.map((b) => b.users.length)).toEqual([3, 3, 3, 1]);
    for (const b of batches) {
      expect(b.items).toHaveLength(b.users.length);
      expect(b.values).toHaveLength(b.users.length);
      expect(b.lines).toHaveLength(b.users.length);
    }
    expect(flat(batches).lines).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    const many = Array.from({ length: 150_000 }, (_, k) => `${k % 977},${k % 31}`).join('\n');
    const big = await collect(file(many));
    expect(big.batches.map((b) => b.users.length)).toEqual([65_536, 65_536, 150_000 - 2 * 65_536]);
    expect(big.batches.every((b) => b.values === undefined && b.timestamps === undefined)).toBe(true);
    const all = flat(big.batches);
    expect(all.lines[149_999]).toBe(150_000);
    expect(all.users[12_345]).toBe(String(12_345 % 977));
  });

  it('reads gzip, timestamps and type-weighted values like readInteractions', async () => {
    const text = 'user,item,event,date\nu,a,view,2011-12-09\nu,a,purchase,100\n';
    const plain = await collect(file(text), { typeCol: 'event' });
    const gz = await collect(file(gzipSync(text), 'rows.csv.gz'), { typeCol: 'event' });
    expect(plain.batches).toEqual(gz.batches);
    const [b] = plain.batches;
    expect(b!.users).toEqual(['u', 'u']);
    expect(Array.from(b!.values!)).toEqual([1, 5]);
    expect(Array.from(b!.timestamps!)).toEqual([Date.UTC(2011, 11, 9) / 1000, 100]);
  });

  it("skips bad lines under onBadLine: 'skip' and reports them in the summary", async () => {
    const { batches, summary } = await collect(file('u,i,1\nu,i,x\nv,j\nw,j,2\n'), { onBadLine: 'skip' });
    expect(flat(batches)).toEqual({ users: ['u', 'w'], items: ['i', 'j'], values: [1, 2], lines: [1, 4] });
    expect(summary.skipped).toBe(2);
    expect(summary.badLines.map((b) => b.line)).toEqual([2, 3]);
  });

  it('yields the rows before a bad line, then fails there', async () => {
    const it = readRows(file('u,i,1\nv,j,2\nw,k,oops\n'), { batchSize: 1 });
    expect((await it.next()).value).toMatchObject({ users: ['u'] });
    expect((await it.next()).value).toMatchObject({ users: ['v'] });
    const e = await failure(it.next(), ErrorCodes.PARSE);
    expect(e.message).toMatch(/:3: value \(column 2\) is not a finite number: "w,k,oops"$/);
  });

  it('fails exactly as readInteractions does on bad input', async () => {
    const long = `u,i,1\nu,${'x'.repeat(17 * 1024 * 1024)},2\n`;
    const rows = Array.from({ length: 5000 }, (_, k) => `${k},${k * 7},${k % 5}`).join('\n');
    const corrupt = Buffer.from(gzipSync(rows));
    corrupt.fill(0x55, 10, 60);
    const cases: Array<[string, string | Uint8Array, object | undefined]> = [
      ['a bad value', 'user,item,rating\nu1,a,1\nu3,c,oops\n', undefined],
      ['a missing field', 'user,item,rating\nu1,a,1\nu2,b\n', undefined],
      ['an empty id', 'u,,1\n', undefined],
      ['broken quoting', 'u,i,1\nu,"i,2\n', undefined],
      ['a bad date', 'user,item,rating,date\na,x,1,2011-02-29\n', undefined],
      ['an unknown type', 'u,a,view\nu,b,wishlist\n', { typeCol: 2 }],
      ['an over-long line', long, undefined],
      ['an empty file', '', undefined],
      ['a header alone', 'userId,itemId,rating\n', undefined],
      ['only bad lines', 'user,item,rating\na,b,x\nc,d,y\n', { onBadLine: 'skip' }],
      ['no delimiter', 'justoneword\nanother\n', undefined],
      ['an unknown column', 'user,item,rating\n1,2,3\n', { valueCol: 'score' }],
      ['two roles on one column', '1,2,3\n', { userCol: 0, itemCol: 0 }],
      ['a bad option value', '1,2,3\n', { onBadLine: 'ignore' }],
      ['an unknown option', '1,2,3\n', { delimeter: ',' }],
      ['a corrupt gzip', corrupt, undefined],
    ];
    for (const [what, content, options] of cases) {
      const p = file(content);
      let expected: Error | undefined;
      try {
        await readInteractions(p, { threads: 1, ...options });
      } catch (e) {
        expected = e as Error;
      }
      expect(expected, what).toBeDefined();
      const code = (expected as Error & { code: ErrorCode }).code;
      const got = await failure(drain(p, options as never), code);
      // The one difference: readRows also knows batchSize.
      const message = got.message.replaceAll('readRows', 'readInteractions').replace(', batchSize', '');
      expect(message, what).toBe(expected!.message);
    }
    const missing = path.join(dir, 'nope.csv');
    expect((await failure(drain(missing), ErrorCodes.IO)).message).toContain(missing);
  });

  it('rejects a bad batchSize or path', async () => {
    const p = file('1,2\n');
    for (const batchSize of [0, 1.5, -3, '10']) {
      const e = await failure(drain(p, { batchSize } as never), ErrorCodes.INVALID_ARGUMENT);
      expect(e.message).toMatch(/^Expected integer in \[1, \d+\] for batchSize/);
    }
    await failure(drain(''), ErrorCodes.INVALID_ARGUMENT);
  });

  it('stops reading when the consumer stops', async () => {
    const p = file(Array.from({ length: 100_000 }, (_, k) => `u${k},i`).join('\n'));
    let seen = 0;
    for await (const batch of readRows(p, { batchSize: 10 })) {
      seen += batch.users.length;
      if (seen >= 30) break;
    }
    expect(seen).toBe(30);
  });
});
