import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes, IdMap, Interactions, isMfrecError, type ErrorCode } from '../../lib/index.js';
import { parseInteractions, readInteractions, type ReadResult } from '../../lib/data/read-delimited.js';
import { readRows } from '../../lib/data/read-rows.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Entries as [user, item, value, timestamp?] tuples, sorted for comparison. */
function tuples(r: ReadResult | Interactions): Array<[string, string, number, number?]> {
  const d = r instanceof Interactions ? r : r.interactions;
  return [...d.entries()]
    .map((e): [string, string, number, number?] =>
      e.timestamp === undefined ? [String(e.user), String(e.item), e.value] : [String(e.user), String(e.item), e.value, e.timestamp],
    )
    .sort((a, b) => (a[0] + ' ' + a[1] < b[0] + ' ' + b[1] ? -1 : 1));
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

describe('delimiters', () => {
  const expected: Array<[string, string, number]> = [
    ['1', '10', 3.5],
    ['1', '11', 4],
    ['2', '10', 5],
  ];
  it.each([
    [',', '1,10,3.5\n1,11,4\n2,10,5\n'],
    ['\t', '1\t10\t3.5\n1\t11\t4\n2\t10\t5\n'],
    [';', '1;10;3.5\n1;11;4\n2;10;5\n'],
    ['|', '1|10|3.5\n1|11|4\n2|10|5\n'],
    ['::', '1::10::3.5\n1::11::4\n2::10::5\n'],
    [' ', '1 10 3.5\n  1\t11   4  \n2 \t 10 5\n'],
  ] as const)('detects and reads %j', async (delimiter, text) => {
    const auto = await parseInteractions(text);
    expect(auto.format.delimiter).toBe(delimiter);
    expect(auto.format.header).toBe(false);
    expect(tuples(auto)).toEqual(expected);
    expect(tuples(await parseInteractions(text, { delimiter }))).toEqual(expected);
  });

  it('prefers the delimiter that splits every line the same way', async () => {
    // Commas inside the third column would fool a count of commas.
    const r = await parseInteractions('1\t10\ta, b, c\n2\t11\td\n', { valueCol: null });
    expect(r.format.delimiter).toBe('\t');
    expect(r.format.columns).toMatchObject({ user: 0, item: 1, value: null, time: null });
  });

  it('fails with ERR_MFREC_PARSE when no delimiter splits the lines', async () => {
    const e = await failure(parseInteractions('justoneword\nanother\n'), ErrorCodes.PARSE);
    expect(e.message).toContain('cannot tell the delimiter');
  });
});

describe('header and columns', () => {
  it('recognises a header by its column names', async () => {
    const r = await parseInteractions('userId,movieId,rating,timestamp\n1,10,4,100\n2,10,3,200\n');
    expect(r.format.header).toBe(true);
    expect(r.format.names).toEqual(['userId', 'movieId', 'rating', 'timestamp']);
    expect(r.format.columns).toEqual({ user: 0, item: 1, value: 2, time: 3, type: null });
    expect(r.lines).toBe(2);
  });

  it('finds columns by common names in any order and case', async () => {
    const r = await parseInteractions('Date,SKU,customer_id,QTY,country\n2011-01-02,A1,c1,3,UK\n2011-01-03,A2,c2,1,FR\n');
    expect(r.format.columns).toEqual({ user: 2, item: 1, value: 3, time: 0, type: null });
    expect(tuples(r)).toEqual([
      ['c1', 'A1', 3, Date.UTC(2011, 0, 2) / 1000],
      ['c2', 'A2', 1, Date.UTC(2011, 0, 3) / 1000],
    ]);
  });

  it('recognises an unnamed header by a column that is numeric below it', async () => {
    const r = await parseInteractions('a,b,c\nx,y,1\nz,w,2\n');
    expect(r.format.header).toBe(true);
    expect(r.format.columns).toMatchObject({ user: 0, item: 1, value: 2 });
    expect(tuples(r)).toEqual([
      ['x', 'y', 1],
      ['z', 'w', 2],
    ]);
  });

  it('treats a first line of data as data', async () => {
    const r = await parseInteractions('alice,book,5\nbob,pen,3\n');
    expect(r.format.header).toBe(false);
    expect(r.lines).toBe(2);
    expect((await parseInteractions('alice,book,view\n', { valueCol: null })).format.header).toBe(false);
    expect((await parseInteractions('user,item\n1,2\n')).format.header).toBe(true);
  });

  it('honours a forced header or a forced absence of header', async () => {
    const forced = await parseInteractions('1,10,3\n2,20,4\n', { header: true });
    expect(forced.format.names).toEqual(['1', '10', '3']);
    expect(tuples(forced)).toEqual([['2', '20', 4]]);
    const none = await parseInteractions('user,item\nu1,i1\n', { header: false });
    expect(tuples(none)).toEqual([
      ['u1', 'i1', 1],
      ['user', 'item', 1],
    ]);
  });

  it('takes columns by name (case-insensitive) and by position', async () => {
    const text = 'when,who,what,stars\n100,u1,i1,2\n200,u2,i2,4\n';
    const byName = await parseInteractions(text, { userCol: 'WHO', itemCol: 'what', valueCol: 'Stars', timeCol: 'when' });
    const byPosition = await parseInteractions(text, { userCol: 1, itemCol: 2, valueCol: 3, timeCol: 0 });
    expect(byName.format.columns).toEqual({ user: 1, item: 2, value: 3, time: 0, type: null });
    expect(tuples(byName)).toEqual([
      ['u1', 'i1', 2, 100],
      ['u2', 'i2', 4, 200],
    ]);
    expect(tuples(byPosition)).toEqual(tuples(byName));
  });

  it('positions without a header default to user, item, value, timestamp when present', async () => {
    expect((await parseInteractions('1,2\n')).format.columns).toEqual({ user: 0, item: 1, value: null, time: null, type: null });
    expect((await parseInteractions('1,2,3,4,5\n')).format.columns).toEqual({ user: 0, item: 1, value: 2, time: 3, type: null });
    // A position given another role is not reused by the defaults.
    expect((await parseInteractions('1,2,3\n', { userCol: 2 })).format.columns).toEqual({
      user: 2,
      item: 1,
      value: null,
      time: null,
      type: null,
    });
  });

  it('rejects an unknown column name and lists the header', async () => {
    const e = await failure(parseInteractions('user,item,rating\n1,2,3\n', { valueCol: 'score' }), ErrorCodes.INVALID_ARGUMENT);
    expect(e.message).toBe("Unknown column 'score' for valueCol. The header's columns are: user, item, rating");
  });

  it('rejects a column name without a header and a position past the last column', async () => {
    const noHeader = await failure(parseInteractions('1,2,3\n', { valueCol: 'rating' }), ErrorCodes.INVALID_ARGUMENT);
    expect(noHeader.message).toContain('needs a header line');
    const tooFar = await failure(parseInteractions('1,2,3\n', { timeCol: 5 }), ErrorCodes.INVALID_ARGUMENT);
    expect(tooFar.message).toContain('the first line has 3 column(s)');
  });

  it('rejects two roles on one column, and a header naming no user or item', async () => {
    const both = await failure(parseInteractions('1,2,3\n', { userCol: 0, itemCol: 0 }), ErrorCodes.INVALID_ARGUMENT);
    expect(both.message).toBe('Column 0 cannot be both the user and the item column');
    const noItem = await failure(parseInteractions('userId,colour,rating\n1,red,3\n'), ErrorCodes.INVALID_ARGUMENT);
    expect(noItem.message).toBe("Cannot tell which column holds the items; pass itemCol. The header's columns are: userId, colour, rating");
  });
});

describe('text encoding details', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks', async () => {
    const text = 'user,item,rating\n"u,1","say ""hi""",2\n"u2","multi\nline",3\nu3,"",4\n';
    const r = await parseInteractions(text, { onBadLine: 'skip' });
    expect(tuples(r)).toEqual([
      ['u,1', 'say "hi"', 2],
      ['u2', 'multi\nline', 3],
    ]);
    expect(r.badLines).toEqual([{ line: 5, text: 'u3,"",4', reason: 'empty item id' }]);
  });

  it('reads quoted numbers and ids that look numeric but are not canonical', async () => {
    const r = await parseInteractions('"7","007","2.5"\n7,7,1\n1.0,7,1\n');
    expect(r.interactions.users.toArray()).toEqual(['7', '1.0']);
    expect(r.interactions.items.toArray()).toEqual(['007', '7']);
    expect(tuples(r)).toEqual([
      ['1.0', '7', 1],
      ['7', '007', 2.5],
      ['7', '7', 1],
    ]);
  });

  it('handles CRLF, a byte order mark, blank lines and a last line without newline', async () => {
    const text = '\ufeffuserId,itemId,rating\r\n1,a,1\r\n\r\n   \r\n2,b,2\r\n2,c,3';
    const r = await parseInteractions(text);
    expect(r.format.names).toEqual(['userId', 'itemId', 'rating']);
    expect(tuples(r)).toEqual([
      ['1', 'a', 1],
      ['2', 'b', 2],
      ['2', 'c', 3],
    ]);
    expect(r.lines).toBe(3);
    // Line numbers count blank lines.
    const bad = await failure(parseInteractions(text + '\r\n\r\n3,d,x\r\n'), ErrorCodes.PARSE);
    expect(bad.message).toBe('<input>:8: value (column 2 \'rating\') is not a finite number: "3,d,x"');
  });

  it('trims blanks around unquoted fields', async () => {
    const r = await parseInteractions('u1 , i1 , 2 , 100 \nu2,i2,3,200\n');
    expect(tuples(r)).toEqual([
      ['u1', 'i1', 2, 100],
      ['u2', 'i2', 3, 200],
    ]);
  });

  it('joins a quoted line break, a CRLF and a line end that straddle a 1 MiB chunk boundary', async () => {
    const chunk = 1024 * 1024;
    // The tail starts `shift` bytes after the chunk boundary: -20..4 puts the
    // boundary on every byte of its first records.
    for (let shift = -20; shift <= 4; shift++) {
      const filler = 'f,g,1\n';
      const prefixLength = chunk + shift;
      const head = 'u,i,r\n' + filler.repeat(Math.floor((prefixLength - 7) / filler.length));
      const pad = 'p'.repeat(prefixLength - head.length);
      const text = `${head}${pad},q,2\r\nx,"a\r\nb",3\r\ny,z,4`;
      const r = await parseInteractions(text);
      const got = tuples(r);
      expect(got.filter((t) => t[0] !== 'f')).toEqual([
        [pad, 'q', 2],
        ['x', 'a\r\nb', 3],
        ['y', 'z', 4],
      ]);
    }
  });

  it('gives the same result whatever the chunk boundaries (multi-megabyte input)', async () => {
    const lines: string[] = ['user,item,rating'];
    const expected = new Map<string, number>();
    for (let k = 0; k < 120_000; k++) {
      const user = `user-${k % 997}`;
      const item = k % 13 === 0 ? `"it,em ""${k % 101}"""` : String(k % 101);
      const raw = k % 13 === 0 ? `it,em "${k % 101}"` : String(k % 101);
      const rating = (k % 9) + 0.5;
      lines.push(`${user},${item},${rating}`);
      const key = `${user}\u0000${raw}`;
      expected.set(key, (expected.get(key) ?? 0) + rating);
    }
    const text = lines.join('\r\n');
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
    const r = await parseInteractions(text, { aggregate: 'sum' });
    expect(r.lines).toBe(120_000);
    const got = new Map([...r.interactions.entries()].map((e) => [`${e.user}\u0000${e.item}`, e.value]));
    expect(got.size).toBe(expected.size);
    for (const [key, value] of expected) expect(got.get(key)).toBeCloseTo(value, 3);
  });
});

describe('columns named by the caller, headers and repeated pairs', () => {
  const retail =
    'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n' +
    '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n' +
    '536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom\n';

  it('naming some columns never unnames the others', async () => {
    const detected = await parseInteractions(retail);
    const named = await parseInteractions(retail, { userCol: 'CustomerID', itemCol: 'StockCode' });
    expect(named.format.columns).toEqual({ user: 6, item: 1, value: 3, time: 4, type: null });
    expect(named.format.columns).toEqual(detected.format.columns);
    expect(tuples(named)).toEqual(tuples(detected));
    const byPosition = await parseInteractions(retail, { userCol: 6, itemCol: 1 });
    expect(byPosition.format.columns).toEqual(detected.format.columns);
  });

  it('says which column it read as the value, by position and name', async () => {
    const e = await failure(parseInteractions(retail, { userCol: 'CustomerID', itemCol: 'StockCode', valueCol: 'Description' }), ErrorCodes.PARSE);
    expect(e.message).toMatch(/^<input>:2: value \(column 2 'Description'\) is not a finite number: "536365,85123A,WHITE/);
  });

  it('recognises shop headers (session_id, sku, event_type...) with ids that are not numbers', async () => {
    const r = await parseInteractions('session_id,sku\ns-1,85123A\ns-2,71053\ns-1,22752\n');
    expect(r.format.header).toBe(true);
    expect(r.interactions.users.toArray()).toEqual(['s-1', 's-2']);
    expect(r.notes).toEqual([]);
    const events = await parseInteractions('visitor,product_id,event_type\nv1,p1,view\nv1,p2,cart\n', { typeCol: 'event_type' });
    expect(events.format.header).toBe(true);
    expect(tuples(events)).toEqual([
      ['v1', 'p1', 1],
      ['v1', 'p2', 3],
    ]);
  });

  it('says which choice it made when the header guess is unclear', async () => {
    const data = await parseInteractions('visitor_key,sku\nk1,A1\nk2,A2\n');
    expect(data.format.header).toBe(false);
    expect(data.notes).toEqual([
      { kind: 'header', message: '<input>: read the first line "visitor_key,sku" as data (pass header: true if it names the columns)' },
    ]);
    const forced = await parseInteractions('visitor_key,sku\nk1,A1\n', { header: true, userCol: 'visitor_key' });
    expect(forced.notes).toEqual([]);
    expect(tuples(forced)).toEqual([['k1', 'A1', 1]]);
  });

  it('keeps repeated ratings on their scale by default, and says so', async () => {
    const text = 'user,item,rating\nu,i,5\nu,i,5\nu,i,4\nu,j,2\n';
    const mean = await parseInteractions(text);
    expect(mean.aggregate).toBe('mean');
    expect(tuples(mean)).toEqual([
      ['u', 'i', expect.closeTo(14 / 3, 5)],
      ['u', 'j', 2],
    ]);
    expect(mean.notes).toEqual([
      {
        kind: 'duplicates',
        message:
          "<input>: 2 line(s) repeat an earlier (user, item) pair; combined by 'mean' (values taken for ratings keep their scale: their mean counts; pass aggregate: sum to add them)",
      },
    ]);
    const last = await parseInteractions('user,item,rating,timestamp\nu,i,5,300\nu,i,1,100\nu,i,4,200\n');
    expect(last.aggregate).toBe('last');
    expect(tuples(last)).toEqual([['u', 'i', 5, 300]]);
    const counts = await parseInteractions('user,item,quantity\nu,i,2\nu,i,3\n');
    expect(counts.aggregate).toBe('sum');
    expect(tuples(counts)).toEqual([['u', 'i', 5]]);
    const lines = await parseInteractions('u,i\nu,i\n', { header: false });
    expect(lines.aggregate).toBe('sum');
    expect(tuples(lines)).toEqual([['u', 'i', 2]]);
    const asked = await parseInteractions(text, { aggregate: 'sum' });
    expect(tuples(asked)[0]![2]).toBe(14);
    expect(asked.notes[0]!.message).toContain("combined by 'sum' (as asked)");
  });

  it('escapes control characters of the data in its messages', async () => {
    const e = await failure(parseInteractions('user,item,rating\nu\u001b[2J,i,x\u009b31m\n'), ErrorCodes.PARSE);
    expect(e.message).toBe('<input>:2: value (column 2 \'rating\') is not a finite number: "u\\x1b[2J,i,x\\x9b31m"');
    expect(e.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    const type = await failure(parseInteractions('u,i,t\nu,i,\u202eweiv\n', { typeCol: 2, header: true }), ErrorCodes.PARSE);
    expect(type.message).toContain('unknown interaction type "\\u202eweiv"');
    const header = await parseInteractions('who\u001b]0;x\u0007,sku\nk1,A1\n');
    expect(header.notes[0]!.message).toContain('"who\\x1b]0;x\\x07,sku"');
    const missing = await failure(parseInteractions('user,item,rat\u001bing\nu,i,5\nv,j\n', { valueCol: 2 }), ErrorCodes.PARSE);
    expect(missing.message).toBe('<input>:3: missing value field (column 2 \'rat\\x1bing\'; the line has 2 fields): "v,j"');
  });
});

describe('values, timestamps and types', () => {
  it('counts every line 1 without a value column', async () => {
    const r = await parseInteractions('u1,i1\nu1,i1\nu2,i1\n');
    expect(tuples(r)).toEqual([
      ['u1', 'i1', 2],
      ['u2', 'i1', 1],
    ]);
    const ignored = await parseInteractions('u1,i1,5\nu2,i1,7\n', { valueCol: null });
    expect(tuples(ignored)).toEqual([
      ['u1', 'i1', 1],
      ['u2', 'i1', 1],
    ]);
  });

  it('parses numbers as Number() does, and rejects what is not a finite number', async () => {
    const r = await parseInteractions('a,x,-1.25\nb,x,+3\nc,x,1e3\nd,x,.5\ne,x,0.1\n');
    expect(tuples(r).map((t) => t[2])).toEqual([-1.25, 3, 1000, 0.5, Math.fround(0.1)]);
    for (const bad of ['inf', 'NaN', '1e999', '0x10', '', '1,5', '3 stars']) {
      const e = await failure(parseInteractions(`a,x,1\nb,x,"${bad}"\n`), ErrorCodes.PARSE);
      expect(e.message).toContain('<input>:2: value (column 2) is not a finite number');
    }
  });

  it('reads ISO-like dates as UTC epoch seconds', async () => {
    const r = await parseInteractions(
      [
        'user,item,rating,date',
        'a,x,1,2011-12-09',
        'b,x,1,2011-12-09 12:50',
        'c,x,1,2011-12-09T12:50:07',
        'd,x,1,2011-12-09T12:50:07.5Z',
        'e,x,1,2011-12-09T14:50:07+02:00',
        'f,x,1,1970-01-01',
        'g,x,1,2024-02-29 23:59:59',
        'h,x,1,1323435007',
      ].join('\n'),
    );
    expect(tuples(r).map((t) => t[3])).toEqual([
      Date.UTC(2011, 11, 9) / 1000,
      Date.UTC(2011, 11, 9, 12, 50) / 1000,
      Date.UTC(2011, 11, 9, 12, 50, 7) / 1000,
      Date.UTC(2011, 11, 9, 12, 50, 7, 500) / 1000,
      Date.UTC(2011, 11, 9, 12, 50, 7) / 1000,
      0,
      Date.UTC(2024, 1, 29, 23, 59, 59) / 1000,
      1323435007,
    ]);
    for (const bad of ['2011-02-29', '2011-13-01', '2011-12-09 24:00', '2011-12-9', '09/12/2011', 'yesterday']) {
      const e = await failure(parseInteractions(`user,item,rating,date\na,x,1,${bad}\n`), ErrorCodes.PARSE);
      expect(e.message).toBe(`<input>:2: timestamp (column 3 'date') is neither a number nor a date: "a,x,1,${bad}"`);
    }
  });

  it('weights interaction types, by default view 1, cart 3, purchase 5', async () => {
    const text = 'user,item,event\nu,a,view\nu,a,cart\nu,b,purchase\nv,b,view\n';
    const r = await parseInteractions(text, { typeCol: 'event' });
    expect(r.format.columns.type).toBe(2);
    expect(tuples(r)).toEqual([
      ['u', 'a', 4],
      ['u', 'b', 5],
      ['v', 'b', 1],
    ]);
    const custom = await parseInteractions(text, { typeCol: 2, typeWeights: { view: 0.5, cart: 2, purchase: 10 } });
    expect(tuples(custom).map((t) => t[2])).toEqual([2.5, 10, 0.5]);
    const times = await parseInteractions('u,a,2,view\nu,b,3,purchase\n', { typeCol: 3 });
    expect(tuples(times).map((t) => t[2])).toEqual([2, 15]);
  });

  it('fails on an unknown interaction type, and on typeWeights without typeCol', async () => {
    const e = await failure(parseInteractions('u,a,view\nu,b,wishlist\n', { typeCol: 2 }), ErrorCodes.PARSE);
    expect(e.message).toBe('<input>:2: unknown interaction type "wishlist" (known: view, cart, purchase): "u,b,wishlist"');
    await failure(parseInteractions('u,a\n', { typeWeights: { view: 1 } }), ErrorCodes.INVALID_ARGUMENT);
    await failure(parseInteractions('u,a,view\n', { typeCol: 2, typeWeights: { view: Infinity } }), ErrorCodes.INVALID_ARGUMENT);
  });

  it.each([
    ['sum', 6, 300],
    ['mean', 2, 300],
    ['last', 1, 300],
  ] as const)('combines duplicates with aggregate %s', async (aggregate, value, time) => {
    const r = await parseInteractions('u,i,2,100\nu,i,3,200\nu,i,1,300\n', { aggregate });
    expect(tuples(r)).toEqual([['u', 'i', value, time]]);
  });

  it("'last' follows timestamps, not line order", async () => {
    const r = await parseInteractions('u,i,2,300\nu,i,3,100\n', { aggregate: 'last' });
    expect(tuples(r)).toEqual([['u', 'i', 2, 300]]);
  });
});

describe('id maps', () => {
  it('extends given maps in place so that indices line up with them', async () => {
    const users = new IdMap(['u9', 7]);
    const items = new IdMap(['b']);
    const r = await parseInteractions('7,a,1\nu9,b,2\nnew,b,3\n', { users, items });
    expect(r.interactions.users).toBe(users);
    expect(users.toArray()).toEqual(['u9', 7, 'new']);
    expect(items.toArray()).toEqual(['b', 'a']);
    const m = r.interactions.byUser;
    expect(Array.from(m.indptr)).toEqual([0, 1, 2, 3]);
    expect(Array.from(m.indices)).toEqual([0, 1, 0]);
    expect(Array.from(m.values)).toEqual([2, 1, 3]);
  });
});

describe('bad lines', () => {
  const text = 'user,item,rating\nu1,a,1\nu2,b\nu3,c,oops\nu4,d,4\n';

  it('fail by default with file, line, reason and text', async () => {
    const p = file('bad.csv', text);
    const e = await failure(readInteractions(p), ErrorCodes.PARSE);
    expect(e.message).toBe(`${p}:3: missing value field (column 2 'rating'; the line has 2 fields): "u2,b"`);
  });

  it("are skipped and counted under onBadLine: 'skip', without adding their ids", async () => {
    const r = await parseInteractions(text, { onBadLine: 'skip' });
    expect(r.lines).toBe(4);
    expect(r.skipped).toBe(2);
    expect(r.badLines).toEqual([
      { line: 3, text: 'u2,b', reason: "missing value field (column 2 'rating'; the line has 2 fields)" },
      { line: 4, text: 'u3,c,oops', reason: "value (column 2 'rating') is not a finite number" },
    ]);
    expect(r.interactions.users.toArray()).toEqual(['u1', 'u4']);
    expect(r.interactions.items.toArray()).toEqual(['a', 'd']);
  });

  it('keep the first 10 and truncate long text to about 200 characters', async () => {
    const long = 'x'.repeat(1000);
    const lines = ['u,i,1'];
    for (let k = 0; k < 15; k++) lines.push(`u${k},i,${long}`);
    const r = await parseInteractions(lines.join('\n'), { onBadLine: 'skip' });
    expect(r.skipped).toBe(15);
    expect(r.badLines).toHaveLength(10);
    expect(r.badLines[0]!.text).toBe(`u0,i,${long}`.slice(0, 200) + '…');
    const e = await failure(parseInteractions(lines.join('\n')), ErrorCodes.PARSE);
    expect(e.message.length).toBeLessThan(300);
  });

  it('include broken quoting', async () => {
    const unterminated = await failure(parseInteractions('u,i,1\nu,"i,2\n'), ErrorCodes.PARSE);
    expect(unterminated.message).toBe('<input>:2: unterminated quoted field: the quote opened on this line is still open at the end of the input: "u,"i,2"');
    const lastLine = await failure(parseInteractions('u,i,1\nu,"i,2'), ErrorCodes.PARSE);
    expect(lastLine.message).toBe('<input>:2: unterminated quoted field: "u,"i,2"');
    const trailing = await failure(parseInteractions('u,i,1\nu,"i"x,2\n'), ErrorCodes.PARSE);
    expect(trailing.message).toBe('<input>:2: unexpected text after a closing quote: "u,"i"x,2"');
  });

  describe('a stray quote', () => {
    const body = Array.from({ length: 5000 }, (_, k) => `u${k % 97},i${k % 89},${(k % 5) + 1}`);

    it('makes only the line where it opened bad, and the error names that line', async () => {
      const lines = ['user,item,rating', ...body];
      lines[3] = 'u1,"dirty name,3';
      const text = lines.join('\n') + '\n';
      const e = await failure(parseInteractions(text), ErrorCodes.PARSE);
      expect(e.message).toBe('<input>:4: unterminated quoted field: the quote opened on this line is still open at the end of the input: "u1,"dirty name,3"');
      const r = await parseInteractions(text, { onBadLine: 'skip' });
      expect(r.skipped).toBe(1);
      expect(r.lines).toBe(5000);
      expect(r.badLines.map((b) => b.line)).toEqual([4]);
      expect(r.interactions.nnz).toBe((await parseInteractions(lines.filter((_, k) => k !== 3).join('\n'))).interactions.nnz);
    });

    it('that closes at a later quote into a malformed or bad record drops only its own line', async () => {
      const malformed = await parseInteractions('user,item,rating\na,"x,1\nb,y,2\nc,"z",3\n', { onBadLine: 'skip' });
      expect(tuples(malformed)).toEqual([
        ['b', 'y', 2],
        ['c', 'z', 3],
      ]);
      expect(malformed.badLines).toEqual([
        {
          line: 2,
          text: 'a,"x,1',
          reason: 'unterminated quoted field: the quote opened on this line closes on a later line into a record that cannot be split',
        },
      ]);
      const badValue = await parseInteractions('user,item,rating\na,"x,1\nb,y,2\nc,z",oops\nd,w,4\n', { onBadLine: 'skip' });
      expect(tuples(badValue)).toEqual([
        ['b', 'y', 2],
        ['d', 'w', 4],
      ]);
      expect(badValue.badLines.map((b) => [b.line, b.text])).toEqual([
        [2, 'a,"x,1'],
        [4, 'c,z",oops'],
      ]);
      expect(badValue.badLines[0]!.reason).toBe(
        "unterminated quoted field? the quote opened on this line runs over 3 lines into a bad record (value (column 2 'rating') is not a finite number)",
      );
      expect(badValue.lines).toBe(4);
    });

    it('followed by lines of empty quoted fields ("") still makes only its own line bad', async () => {
      const lines = ['user,item,note,rating', ...Array.from({ length: 60_000 }, (_, k) => `u${k % 97},i${k % 89},"",${(k % 5) + 1}`)];
      lines[2] = 'u1,"i1,"",3';
      const r = await parseInteractions(lines.join('\n') + '\n', { onBadLine: 'skip' });
      expect(r.badLines.map((b) => [b.line, b.text])).toEqual([[3, 'u1,"i1,"",3']]);
      expect(r.lines).toBe(60_000);
      expect(r.skipped).toBe(1);
    });

    it('may not hold a quoted field longer than 1 MiB across lines', async () => {
      const filler = Array.from({ length: 100_000 }, (_, k) => `u${k},i${k},1`);
      const text = `u,i,1\nv,"opens,2\n${filler.join('\n')}\nw,closes",3\nz,j,4\n`;
      const e = await failure(parseInteractions(text), ErrorCodes.PARSE);
      expect(e.message).toBe('<input>:2: unterminated quoted field: the quote opened on this line is still open after 1048576 bytes: "v,"opens,2"');
      const r = await parseInteractions(text, { onBadLine: 'skip' });
      expect(r.badLines.map((b) => b.line)).toEqual([2]);
      expect(r.interactions.nnz).toBe(100_003);
    });

    it('in a column nobody reads is ignored, and a quoted line break there is followed', async () => {
      const stray = await parseInteractions('user,item,rating,comment\nu1,i1,5,"oops\nu2,i2,3,fine\nu3,i3,4,"a"b\n');
      expect(tuples(stray)).toEqual([
        ['u1', 'i1', 5],
        ['u2', 'i2', 3],
        ['u3', 'i3', 4],
      ]);
      expect(stray.skipped).toBe(0);
      const text = 'user,item,rating,comment\nu1,i1,5,"great,\nbook"\nu2,i2,3,"ok"\nu3\ti3\t4\n';
      const r = await parseInteractions(text.replace('u3\ti3\t4\n', 'u3,i3,4\n'));
      expect(tuples(r)).toEqual([
        ['u1', 'i1', 5],
        ['u2', 'i2', 3],
        ['u3', 'i3', 4],
      ]);
      expect(r.lines).toBe(3);
      for (const d of ['\t', ';', '|', '::', ' ']) {
        const other = 'user,item,rating,comment\nu1,i1,5,"great\nbook"\nu2,i2,3,"ok"\n'.replaceAll(',', d);
        expect(tuples(await parseInteractions(other, { delimiter: d as ',' }))).toEqual([
          ['u1', 'i1', 5],
          ['u2', 'i2', 3],
        ]);
      }
    });

    it('still lets a quoted field hold line breaks', async () => {
      const r = await parseInteractions('user,item,rating\n"multi\nline",i,2\nv,"a ""b""\r\nc",3\nw,j,4\n');
      expect(tuples(r)).toEqual([
        ['multi\nline', 'i', 2],
        ['v', 'a "b"\r\nc', 3],
        ['w', 'j', 4],
      ]);
    });
  });

  it('include a line longer than 16 MiB, which is never buffered whole', async () => {
    const huge = 'x'.repeat(17 * 1024 * 1024);
    const text = `u,i,1\nu,${huge},2\nv,j,3\n`;
    const e = await failure(parseInteractions(text), ErrorCodes.PARSE);
    expect(e.message).toMatch(/^<input>:2: line longer than 16777216 bytes: "u,x+…"$/);
    const r = await parseInteractions(text, { onBadLine: 'skip' });
    expect(tuples(r)).toEqual([
      ['u', 'i', 1],
      ['v', 'j', 3],
    ]);
    expect(r.skipped).toBe(1);
    expect(r.badLines[0]!.line).toBe(2);
  });
});

describe('files', () => {
  const text = 'userId,movieId,rating,timestamp\n1,10,4.5,100\n2,10,3,200\n2,11,1,300\n';

  /** A named pipe that `content` is written into once a reader opens it. */
  function fifo(name: string, content: string | Uint8Array): string {
    const p = path.join(dir, name);
    execFileSync('mkfifo', [p]);
    const writer = createWriteStream(p);
    writer.end(content);
    writer.on('error', () => undefined);
    return p;
  }

  it.skipIf(process.platform === 'win32')('reads a pipe once, as a stream, plain or gzipped, with parsing threads or without', async () => {
    const big = ['user,item,rating', ...Array.from({ length: 30_000 }, (_, k) => `u${k % 331},i${k % 97},${(k % 5) + 1}`)].join('\n') + '\n';
    const expected = tuples(await readInteractions(file('big.csv', big)));
    expect(tuples(await readInteractions(fifo('plain.pipe', big)))).toEqual(expected);
    expect(tuples(await readInteractions(fifo('gz.pipe', gzipSync(big))))).toEqual(expected);
    expect(tuples(await readInteractions(fifo('threads.pipe', big), { threads: 2, chunkBytes: 1024 }))).toEqual(expected);
    const rows = [];
    for await (const batch of readRows(fifo('rows.pipe', text))) rows.push(...batch.users);
    expect(rows).toEqual(['1', '2', '2']);
  });

  it.skipIf(process.platform === 'win32')('refuses a device with ERR_MFREC_IO instead of reading it forever', async () => {
    const e = await failure(readInteractions('/dev/zero'), ErrorCodes.IO);
    expect(e.message).toBe('Cannot read /dev/zero: it is a device, not a file; save the data to a file or pipe it in');
  });

  it('reads plain and gzipped files, recognising gzip by its magic bytes', async () => {
    const plain = await readInteractions(file('r.csv', text));
    const gz = await readInteractions(file('r.csv.gz', gzipSync(text)));
    const disguised = await readInteractions(file('gzipped-but-named.csv', gzipSync(text)));
    expect(tuples(plain)).toEqual([
      ['1', '10', 4.5, 100],
      ['2', '10', 3, 200],
      ['2', '11', 1, 300],
    ]);
    expect(tuples(gz)).toEqual(tuples(plain));
    expect(tuples(disguised)).toEqual(tuples(plain));
    expect(tuples(await parseInteractions(gzipSync(text)))).toEqual(tuples(plain));
  });

  it('reads a multi-chunk gzip stream', async () => {
    const rows = ['u,i,r'];
    for (let k = 0; k < 200_000; k++) rows.push(`${k % 5000},${k % 7919},${(k % 5) + 1}`);
    const r = await readInteractions(file('big.csv.gz', gzipSync(rows.join('\n'))));
    expect(r.lines).toBe(200_000);
    expect(r.interactions.nUsers).toBe(5000);
    expect(r.interactions.nItems).toBe(7919);
  });

  it('fails with ERR_MFREC_IO on a missing file, a directory, a truncated or corrupt gzip', async () => {
    const missing = path.join(dir, 'nope.csv');
    expect((await failure(readInteractions(missing), ErrorCodes.IO)).message).toContain(missing);
    const sub = path.join(dir, 'a-directory');
    mkdirSync(sub, { recursive: true });
    expect((await failure(readInteractions(sub), ErrorCodes.IO)).message).toContain(sub);
    const rows = Array.from({ length: 5000 }, (_, k) => `${k},${k * 7},${k % 5}`).join('\n');
    const gz = gzipSync(rows);
    const truncated = file('truncated.csv.gz', gz.subarray(0, gz.length >> 1));
    expect((await failure(readInteractions(truncated), ErrorCodes.IO)).message).toContain(truncated);
    const corrupt = Buffer.from(gz);
    corrupt.fill(0x55, 10, 60);
    const corruptPath = file('corrupt.csv.gz', corrupt);
    expect((await failure(readInteractions(corruptPath), ErrorCodes.IO)).message).toContain(corruptPath);
  });

  it('fails with ERR_MFREC_EMPTY_DATA on an empty file, a header alone, or no valid line', async () => {
    const empty = file('empty.csv', '');
    expect((await failure(readInteractions(empty), ErrorCodes.EMPTY_DATA)).message).toBe(`${empty} is empty`);
    await failure(parseInteractions('\n\r\n  \n'), ErrorCodes.EMPTY_DATA);
    const header = await failure(parseInteractions('userId,itemId,rating\n'), ErrorCodes.EMPTY_DATA);
    expect(header.message).toBe('<input> has no data lines');
    const allBad = await failure(parseInteractions('user,item,rating\na,b,x\nc,d,y\n', { onBadLine: 'skip' }), ErrorCodes.EMPTY_DATA);
    expect(allBad.message).toBe('<input> has no valid lines (2 bad line(s) skipped)');
  });
});

describe('options', () => {
  it('rejects unknown options with a hint', async () => {
    const e = await failure(parseInteractions('1,2\n', { delimeter: ',' } as never), ErrorCodes.UNKNOWN_OPTION);
    expect(e.message).toContain("Did you mean 'delimiter'?");
    await failure(readInteractions('x.csv', { source: 'x' } as never), ErrorCodes.UNKNOWN_OPTION);
  });

  it.each([
    [{ delimiter: ':' }, "Expected one of 'auto', ',', '\t', ';', '|', ' ', '::' for delimiter"],
    [{ header: 'yes' }, "Expected 'auto' or a boolean for header"],
    [{ userCol: -1 }, 'Expected a column name or a 0-based column position for userCol'],
    [{ itemCol: null }, 'Expected a column name or a 0-based column position for itemCol'],
    [{ valueCol: 1.5 }, 'Expected a column name or a 0-based column position or null for valueCol'],
    [{ aggregate: 'max' }, "Expected one of 'auto', 'sum', 'mean', 'last' for aggregate"],
    [{ onBadLine: 'ignore' }, "Expected one of 'error', 'skip' for onBadLine"],
    [{ users: new Map() }, 'Expected an IdMap for users'],
    [{ typeCol: 2, typeWeights: [] }, 'Expected an object mapping interaction types to weights for typeWeights'],
  ])('rejects %j', async (options, message) => {
    const e = await failure(parseInteractions('1,2,3\n', options as never), ErrorCodes.INVALID_ARGUMENT);
    expect(e.message.startsWith(message)).toBe(true);
  });

  it('rejects a bad input or path', async () => {
    await failure(parseInteractions(42 as never), ErrorCodes.INVALID_ARGUMENT);
    await failure(readInteractions('' as never), ErrorCodes.INVALID_ARGUMENT);
  });

  it('names the input in messages through source', async () => {
    const e = await failure(parseInteractions('u,i,1\nu,i,x\n', { source: 'ratings.csv' }), ErrorCodes.PARSE);
    expect(e.message.startsWith('ratings.csv:2: ')).toBe(true);
  });
});
