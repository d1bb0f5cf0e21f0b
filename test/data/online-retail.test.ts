import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes, isMfrecError, type ErrorCode } from '../../lib/index.js';
import { isProductCode, readOnlineRetail, scanOnlineRetail, type RetailData } from '../../lib/data/online-retail.js';
import { demoDataPath, loadDemoData } from '../../lib/data/demo-data.js';
import { packageRoot } from '../../lib/addon/loader.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-retail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
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

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
/** A few invoices in the original layout, one of each kind of line the reader drops. */
const ORIGINAL = [
  HEADER,
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
  '536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom',
  '536365,71053,WHITE METAL LANTERN,2,2010-12-01 08:26:00,3.39,17850.0,United Kingdom',
  '536366,22633,"HAND WARMER, UNION JACK",12,2010-12-01 08:28:00,1.85,17850.0,United Kingdom',
  '536367,85123A,white hanging heart t-light holder ,4,2010-12-02 09:00:00,2.55,13047.0,United Kingdom',
  '536368,85123A,WHITE HANGING HEART T-LIGHT HOLDER,1,2010-12-03 10:15:00,2.55,17850.0,United Kingdom',
  '536368,POST,POSTAGE,1,2010-12-03 10:15:00,18.0,17850.0,United Kingdom',
  'C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-1,2010-12-03 11:00:00,2.55,17850.0,United Kingdom',
  '536380,22633,,-10,2010-12-03 11:30:00,0.0,,United Kingdom',
  '536381,22633,"HAND WARMER, UNION JACK",3,2010-12-03 12:00:00,1.85,,United Kingdom',
  '536382,gift_0001_20,Dotcomgiftshop Gift Voucher £20.00,1,2010-12-03 12:10:00,17.02,13047.0,United Kingdom',
  '536383,22633,"HAND WARMER, UNION JACK",5,2010-12-04 13:00:00,1.85,13047.0,France',
].join('\n');

function byPair(d: RetailData): Map<string, [number, number]> {
  return new Map([...d.interactions.entries()].map((e) => [`${e.user}/${e.item}`, [e.value, e.timestamp!]]));
}

/** The bytes of a typed array: a fast exact comparison for large arrays. */
function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

const t = (s: string): number => Date.parse(s.replace(' ', 'T') + 'Z') / 1000;

describe('readOnlineRetail', () => {
  it('keeps purchases with a customer and a product, and says what it dropped', async () => {
    const d = await readOnlineRetail(file('small.csv', ORIGINAL));
    expect(d.summary).toEqual({ rows: 12, cancellations: 1, badQuantity: 1, noCustomer: 1, nonProduct: 2, kept: 7 });
    expect(d.interactions.users.toArray()).toEqual(['17850', '13047']);
    expect(d.interactions.items.toArray()).toEqual(['85123A', '71053', '22633']);
  });

  it("counts distinct invoices by default ('orders'), keeping the last purchase time", async () => {
    const d = await readOnlineRetail(file('orders.csv', ORIGINAL));
    expect(byPair(d)).toEqual(
      new Map([
        ['17850/85123A', [2, t('2010-12-03 10:15:00')]],
        ['17850/71053', [1, t('2010-12-01 08:26:00')]],
        ['17850/22633', [1, t('2010-12-01 08:28:00')]],
        ['13047/85123A', [1, t('2010-12-02 09:00:00')]],
        ['13047/22633', [1, t('2010-12-04 13:00:00')]],
      ]),
    );
  });

  it("sums quantities under 'quantity' and combines both under 'both'", async () => {
    const p = file('conf.csv', ORIGINAL);
    const quantity = byPair(await readOnlineRetail(p, { confidence: 'quantity' }));
    expect([...quantity.values()].map((v) => v[0])).toEqual([7, 8, 12, 4, 5]);
    const both = byPair(await readOnlineRetail(p, { confidence: 'both' }));
    expect([...both.values()].map((v) => v[0])).toEqual(
      [
        [2, 7],
        [1, 8],
        [1, 12],
        [1, 4],
        [1, 5],
      ].map(([orders, q]) => Math.fround(orders! * Math.log1p(q!))),
    );
  });

  it('names items by their most frequent description, trimmed', async () => {
    const d = await readOnlineRetail(file('names.csv', ORIGINAL));
    expect(d.itemNames).toEqual(
      new Map([
        ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER'],
        ['71053', 'WHITE METAL LANTERN'],
        ['22633', 'HAND WARMER, UNION JACK'],
      ]),
    );
  });

  it('reads gzip and a compact layout with fewer columns in another order', async () => {
    const compact = [
      'CustomerID,InvoiceNo,InvoiceDate,StockCode,Quantity',
      '17850,536365,2010-12-01 08:26,85123A,6',
      '17850,536366,2010-12-01 08:28,85123A,1',
    ].join('\r\n');
    const d = await readOnlineRetail(file('compact.csv.gz', gzipSync(compact)));
    expect(byPair(d)).toEqual(new Map([['17850/85123A', [2, t('2010-12-01 08:28:00')]]]));
    expect(d.itemNames.size).toBe(0);
  });

  it('reports kept lines in file order through scanOnlineRetail', async () => {
    const rows: string[] = [];
    await scanOnlineRetail(file('scan.csv', ORIGINAL), (r) => rows.push(`${r.line}:${r.invoice}:${r.stockCode}:${r.customer}:${r.invoiceDate}`));
    expect(rows).toEqual([
      '2:536365:85123A:17850:2010-12-01 08:26:00',
      '3:536365:71053:17850:2010-12-01 08:26:00',
      '4:536365:71053:17850:2010-12-01 08:26:00',
      '5:536366:22633:17850:2010-12-01 08:28:00',
      '6:536367:85123A:13047:2010-12-02 09:00:00',
      '7:536368:85123A:17850:2010-12-03 10:15:00',
      '13:536383:22633:13047:2010-12-04 13:00:00',
    ]);
  });

  it('fails with a clear code on bad input', async () => {
    const missing = path.join(dir, 'missing.csv');
    expect((await failure(readOnlineRetail(missing), ErrorCodes.IO)).message).toContain(missing);
    const noColumn = await failure(readOnlineRetail(file('nocol.csv', 'InvoiceNo,StockCode,Quantity\n1,85123A,1\n')), ErrorCodes.PARSE);
    expect(noColumn.message).toContain("not an Online Retail file: no 'InvoiceDate' column");
    const badQuantity = file('badq.csv', `${HEADER}\n536365,85123A,X,six,2010-12-01 08:26:00,2.55,17850.0,UK\n`);
    expect((await failure(readOnlineRetail(badQuantity), ErrorCodes.PARSE)).message).toBe(
      `${badQuantity}:2: Quantity is not a number: "536365,85123A,X,six,2010-12-01 08:26:00,2.55,17850.0,UK"`,
    );
    const badDate = file('badd.csv', `${HEADER}\n536365,85123A,X,6,01/12/2010 08:26,2.55,17850.0,UK\n`);
    expect((await failure(readOnlineRetail(badDate), ErrorCodes.PARSE)).message).toContain(':2: InvoiceDate is not a date');
    const short = file('short.csv', `${HEADER}\n536365,85123A,X\n`);
    expect((await failure(readOnlineRetail(short), ErrorCodes.PARSE)).message).toContain(':2: expected at least 7 fields, found 3');
    const nothing = file('nothing.csv', `${HEADER}\nC1,85123A,X,-1,2010-12-01 08:26:00,2.55,17850.0,UK\n`);
    await failure(readOnlineRetail(nothing), ErrorCodes.EMPTY_DATA);
    await failure(readOnlineRetail(file('o.csv', ORIGINAL), { confidence: 'money' } as never), ErrorCodes.INVALID_ARGUMENT);
    await failure(readOnlineRetail(file('o.csv', ORIGINAL), { confidnce: 'orders' } as never), ErrorCodes.UNKNOWN_OPTION);
  });

  it('tells product codes from bookkeeping codes', () => {
    for (const code of ['85123A', '22423', '15056BL', '84970L', '90214Y']) expect(isProductCode(code)).toBe(true);
    for (const code of ['POST', 'DOT', 'M', 'm', 'D', 'C2', 'S', 'B', 'BANK CHARGES', 'AMAZONFEE', 'CRUK', 'PADS', 'gift_0001_20', 'DCGS0003', '1234']) {
      expect(isProductCode(code)).toBe(false);
    }
  });
});

describe('demo data', () => {
  it('is shipped in data/ and loads as the purchases of Online Retail', async () => {
    expect(demoDataPath()).toBe(path.join(packageRoot, 'data', 'online-retail-purchases.csv.gz'));
    const d = await loadDemoData();
    expect(d.summary).toEqual({ rows: 396_370, cancellations: 0, badQuantity: 0, noCustomer: 0, nonProduct: 0, kept: 396_370 });
    expect(d.interactions.nUsers).toBe(4335);
    expect(d.interactions.nItems).toBe(3659);
    expect(d.itemNames.get('85123A')).toBe('WHITE HANGING HEART T-LIGHT HOLDER');
    expect(d.itemNames.size).toBe(3659);
  });

  const original = path.resolve(packageRoot, '../shared/data/online-retail/online-retail.csv.gz');
  it.skipIf(!existsSync(original)).each(['orders', 'quantity', 'both'] as const)(
    "gives the same interactions and names as the original file ('%s')",
    async (confidence) => {
      const [full, demo] = await Promise.all([readOnlineRetail(original, { confidence }), loadDemoData({ confidence })]);
      expect(full.summary.kept).toBe(demo.summary.kept);
      expect(demo.interactions.users.toArray()).toEqual(full.interactions.users.toArray());
      expect(demo.interactions.items.toArray()).toEqual(full.interactions.items.toArray());
      const a = demo.interactions.byUser;
      const b = full.interactions.byUser;
      expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
      for (const key of ['indptr', 'indices', 'values', 'timestamps'] as const) {
        expect(bytesOf(a[key]!).equals(bytesOf(b[key]!)), key).toBe(true);
      }
      expect(demo.itemNames).toEqual(full.itemNames);
    },
  );
});
