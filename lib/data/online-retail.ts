/**
 * The UCI Online Retail dataset (every invoice line of a UK online gift shop,
 * 2010-12-01 to 2011-12-09; Chen, D. (2015), doi:10.24432/C5BW33, CC BY 4.0)
 * as implicit feedback: customers × products, confidence from their purchases.
 *
 * Reads the original CSV (`InvoiceNo,StockCode,Description,Quantity,
 * InvoiceDate,UnitPrice,CustomerID,Country`) as well as the compact copy
 * shipped in `data/` (same column names, only the columns and rows used here,
 * each product's name on its first line only): columns are found by name.
 */
import { printable } from '../text/printable.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid, knownOptions, number, oneOf } from '../validate.js';
import { openFile, ioError } from './byte-source.js';
import { fieldText, parseDate, parseNumber, trimEnd, trimStart } from './field-parse.js';
import { IdMap } from './id-map.js';
import { Interactions } from './interactions.js';
import { countingSort } from './sparse.js';
import { RecordSplitter, preview, type RecordSink } from './line-source.js';

export interface RetailOptions {
  /**
   * The value of each (customer, product) pair:
   * - `'orders'` (default): the number of distinct invoices in which the customer bought the product;
   * - `'quantity'`: the total quantity bought;
   * - `'both'`: orders × ln(1 + total quantity), repeat purchases first, volume damped.
   */
  confidence?: 'orders' | 'quantity' | 'both';
}

/** How the rows of the file were used; every row falls in exactly one of the last five counts. */
export interface RetailSummary {
  /** Data rows in the file. */
  rows: number;
  /** Rows of cancelled invoices (InvoiceNo starting with "C"). */
  cancellations: number;
  /** Other rows with a quantity of zero or less (stock adjustments, returns). */
  badQuantity: number;
  /** Purchases without a CustomerID (guest checkouts). */
  noCustomer: number;
  /** Lines whose StockCode is not a product: postage, fees, discounts, vouchers... (see {@link isProductCode}). */
  nonProduct: number;
  /** Purchases kept. */
  kept: number;
}

export interface RetailData {
  /** Users are customers ("17850"), items stock codes ("85123A"), timestamps the last purchase (epoch seconds, UTC). */
  interactions: Interactions;
  /** Stock code → the description most often written for it on the kept rows (trimmed; ties: first seen). */
  itemNames: Map<string, string>;
  summary: RetailSummary;
}

/** One kept purchase line, as {@link scanOnlineRetail} reports it. */
export interface RetailPurchase {
  line: number;
  invoice: string;
  stockCode: string;
  /** Trimmed; may be empty. */
  description: string;
  quantity: number;
  /** As written in the file (`YYYY-MM-DD HH:MM[:SS]`). */
  invoiceDate: string;
  /** Epoch seconds, UTC. */
  time: number;
  /** Without the `.0` the original file writes after it. */
  customer: string;
}

/**
 * Product codes start with five digits ("85123A", "22423", "15056BL"). The
 * codes that do not are bookkeeping lines: POST, DOT (postage), C2 (carriage),
 * M (manual), D (discount), S (samples), B (bad debt), BANK CHARGES,
 * AMAZONFEE, CRUK (commission), PADS, gift_0001_* (vouchers), and the DCGS*
 * lines of the marketplace channel (a few dozen one-off listings).
 */
export function isProductCode(code: string): boolean {
  return /^\d{5}/.test(code);
}

const COLUMNS = {
  invoice: 'InvoiceNo',
  stockCode: 'StockCode',
  quantity: 'Quantity',
  invoiceDate: 'InvoiceDate',
  customer: 'CustomerID',
  description: 'Description',
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: readonly Column[] = ['invoice', 'stockCode', 'quantity', 'invoiceDate', 'customer'];
/** Fields split per line: the original file has 8 columns. */
const MAX_FIELDS = 16;

class RetailSink implements RecordSink {
  readonly splitter = new RecordSplitter(',', MAX_FIELDS, this);
  readonly summary: RetailSummary = { rows: 0, cancellations: 0, badQuantity: 0, noCustomer: 0, nonProduct: 0, kept: 0 };
  private columns: Record<Column, number> | undefined;
  private needed = 0;

  constructor(
    private readonly source: string,
    private readonly onPurchase: (row: RetailPurchase) => void,
  ) {}

  record(buf: Buffer, start: number, end: number, line: number, count: number): void {
    const { starts, ends, quoted } = this.splitter.spans;
    const text = (c: number): string => {
      const s = quoted[c] ? starts[c]! : trimStart(buf, starts[c]!, ends[c]!);
      const e = quoted[c] ? ends[c]! : trimEnd(buf, s, ends[c]!);
      return fieldText(buf, s, e, quoted[c]!).trim();
    };
    if (!this.columns)
      return this.header(
        Array.from({ length: count }, (_, c) => text(c)),
        line,
      );
    const col = this.columns;
    this.summary.rows++;
    if (count < this.needed) return this.fail(line, buf, start, end, `expected at least ${this.needed} fields, found ${count}`);
    if (buf[trimStart(buf, starts[col.invoice]!, ends[col.invoice]!)] === 0x43 /* C */) {
      this.summary.cancellations++;
      return;
    }
    const quantity = parseNumber(buf, starts[col.quantity]!, ends[col.quantity]!);
    if (!Number.isFinite(quantity)) return this.fail(line, buf, start, end, 'Quantity is not a number');
    if (quantity <= 0) {
      this.summary.badQuantity++;
      return;
    }
    const customer = text(col.customer).replace(/^(\d+)\.0*$/, '$1');
    if (customer === '') {
      this.summary.noCustomer++;
      return;
    }
    const stockCode = text(col.stockCode);
    if (!isProductCode(stockCode)) {
      this.summary.nonProduct++;
      return;
    }
    const ds = trimStart(buf, starts[col.invoiceDate]!, ends[col.invoiceDate]!);
    const time = parseDate(buf, ds, trimEnd(buf, ds, ends[col.invoiceDate]!));
    if (!Number.isFinite(time)) return this.fail(line, buf, start, end, 'InvoiceDate is not a date');
    this.summary.kept++;
    this.onPurchase({
      line,
      invoice: text(col.invoice),
      stockCode,
      description: col.description >= 0 && col.description < count ? text(col.description) : '',
      quantity,
      invoiceDate: text(col.invoiceDate),
      time,
      customer,
    });
  }

  private header(names: string[], line: number): void {
    const lower = names.map((n) => n.toLowerCase());
    const columns = {} as Record<Column, number>;
    for (const key of Object.keys(COLUMNS) as Column[]) {
      columns[key] = lower.indexOf(COLUMNS[key].toLowerCase());
      if (columns[key] < 0 && REQUIRED.includes(key)) {
        throw new MfrecError(
          ErrorCodes.PARSE,
          `${this.source}:${line}: not an Online Retail file: no '${COLUMNS[key]}' column: "${printable(names.join(',').slice(0, 200))}"`,
        );
      }
    }
    this.columns = columns;
    this.needed = Math.max(...REQUIRED.map((k) => columns[k])) + 1;
  }

  bad(line: number, text: string, reason: string): void {
    throw new MfrecError(ErrorCodes.PARSE, `${this.source}:${line}: ${printable(reason)}: "${printable(text)}"`);
  }

  private fail(line: number, buf: Buffer, start: number, end: number, reason: string): void {
    this.bad(line, preview(buf, start, end), reason);
  }
}

/**
 * Streams the file and calls `onPurchase` for every kept purchase line, in
 * file order. Resolves with how the rows were used.
 *
 * @throws MfrecError `ERR_MFREC_IO` (missing or unreadable file, bad gzip),
 *   `ERR_MFREC_PARSE` (a malformed line, or a header without the columns),
 *   `ERR_MFREC_EMPTY_DATA` (no purchase kept).
 */
export async function scanOnlineRetail(path: string, onPurchase: (row: RetailPurchase) => void): Promise<RetailSummary> {
  if (typeof path !== 'string' || path === '') throw invalid('a file path', 'path', path);
  if (typeof onPurchase !== 'function') throw invalid('a function', 'onPurchase', onPurchase);
  const sink = new RetailSink(path, onPurchase);
  const source = await openFile(path);
  try {
    for await (const chunk of source) sink.splitter.push(chunk);
    sink.splitter.end();
  } catch (e) {
    throw ioError(path, e);
  } finally {
    source.close();
  }
  if (sink.summary.kept === 0) {
    throw new MfrecError(ErrorCodes.EMPTY_DATA, `${path} has no purchase with a customer and a product (${sink.summary.rows} rows)`);
  }
  return sink.summary;
}

/**
 * Reads Online Retail as implicit feedback. Dropped: cancelled invoices
 * ("C..."), lines with a quantity <= 0, lines without a CustomerID, and
 * non-product codes ({@link isProductCode}). What is left becomes one
 * interaction per (customer, product) with the chosen confidence and the
 * time of the last purchase.
 */
export async function readOnlineRetail(path: string, options?: RetailOptions): Promise<RetailData> {
  const confidence = retailConfidence('readOnlineRetail', options);
  const purchases = new PurchaseList();
  const summary = await scanOnlineRetail(path, (row) => purchases.add(row));
  return { interactions: purchases.aggregate(confidence), itemNames: purchases.names(), summary };
}

export interface RetailTimeSplit {
  /** Purchases before `cutoff`, aggregated as in {@link readOnlineRetail}. */
  train: Interactions;
  /** Purchases from `cutoff` on, by customers and of products known in training, in train's id maps. */
  test: Interactions;
  /** Epoch seconds: the first second of the held-out period. */
  cutoff: number;
  itemNames: Map<string, string>;
  summary: RetailSummary;
}

/**
 * Reads Online Retail split by time: the last `holdoutDays` (default 30)
 * before the latest purchase are held out. The split is made on purchase
 * lines before aggregating, so a product a customer bought in both periods
 * is a training interaction (and ignored by ranking metrics, which filter
 * what the customer has already bought).
 */
export async function readOnlineRetailByTime(path: string, options?: RetailOptions & { holdoutDays?: number }): Promise<RetailTimeSplit> {
  const o = knownOptions('readOnlineRetailByTime', options, ['confidence', 'holdoutDays']);
  const confidence = retailConfidence('readOnlineRetailByTime', { ...(o.confidence !== undefined ? { confidence: o.confidence } : {}) } as RetailOptions);
  const holdoutDays = o.holdoutDays === undefined ? 30 : number('holdoutDays', o.holdoutDays, { min: 0, exclusiveMin: true });
  const rows: RetailPurchase[] = [];
  const summary = await scanOnlineRetail(path, (row) => rows.push(row));
  let latest = -Infinity;
  for (const r of rows) latest = Math.max(latest, r.time);
  const cutoff = latest - holdoutDays * 86400;
  const before = new PurchaseList();
  const after = new PurchaseList();
  for (const r of rows) (r.time < cutoff ? before : after).add(r);
  const train = before.aggregate(confidence);
  const test = after.aggregate(confidence).alignTo(train).aligned;
  const itemNames = before.names();
  for (const [code, name] of after.names()) if (!itemNames.has(code)) itemNames.set(code, name);
  return { train, test, cutoff, itemNames, summary };
}

function retailConfidence(where: string, options: RetailOptions | undefined): 'orders' | 'quantity' | 'both' {
  const o = knownOptions(where, options, ['confidence']) as RetailOptions;
  return o.confidence === undefined ? 'orders' : oneOf('confidence', o.confidence, ['orders', 'quantity', 'both'] as const);
}

/** Kept purchase lines, collected column-wise, then aggregated into (customer, product) interactions. */
class PurchaseList {
  private readonly users = new IdMap();
  private readonly items = new IdMap();
  private readonly invoices = new Map<string, number>();
  private readonly descriptions = new Map<string, Map<string, number>>();
  private readonly rowUser: number[] = [];
  private readonly rowItem: number[] = [];
  private readonly rowInvoice: number[] = [];
  private readonly rowQuantity: number[] = [];
  private readonly rowTime: number[] = [];

  add(row: RetailPurchase): void {
    this.rowUser.push(this.users.add(row.customer));
    this.rowItem.push(this.items.add(row.stockCode));
    let invoice = this.invoices.get(row.invoice);
    if (invoice === undefined) this.invoices.set(row.invoice, (invoice = this.invoices.size));
    this.rowInvoice.push(invoice);
    this.rowQuantity.push(row.quantity);
    this.rowTime.push(row.time);
    if (row.description !== '') {
      let counts = this.descriptions.get(row.stockCode);
      if (!counts) this.descriptions.set(row.stockCode, (counts = new Map()));
      counts.set(row.description, (counts.get(row.description) ?? 0) + 1);
    }
  }

  /** One interaction per (customer, product): the chosen confidence, timestamped with the last purchase. */
  aggregate(confidence: 'orders' | 'quantity' | 'both'): Interactions {
    // Lines ordered by (customer, product, invoice): each pair is then one run,
    // and its distinct invoices are the changes of invoice within the run.
    const u = Int32Array.from(this.rowUser);
    const i = Int32Array.from(this.rowItem);
    const inv = Int32Array.from(this.rowInvoice);
    const sorted = countingSort(u, this.users.size, countingSort(i, this.items.size, countingSort(inv, this.invoices.size)));
    const pairUser: number[] = [];
    const pairItem: number[] = [];
    const values: number[] = [];
    const last: number[] = [];
    for (let k = 0; k < sorted.length; ) {
      const first = sorted[k]!;
      let orders = 0;
      let quantity = 0;
      let latest = -Infinity;
      let invoice = -1;
      for (; k < sorted.length && u[sorted[k]!] === u[first] && i[sorted[k]!] === i[first]; k++) {
        const r = sorted[k]!;
        if (inv[r] !== invoice) [invoice, orders] = [inv[r]!, orders + 1];
        quantity += this.rowQuantity[r]!;
        latest = Math.max(latest, this.rowTime[r]!);
      }
      pairUser.push(u[first]!);
      pairItem.push(i[first]!);
      values.push(confidence === 'orders' ? orders : confidence === 'quantity' ? quantity : orders * Math.log1p(quantity));
      last.push(latest);
    }
    return Interactions.fromIndices(
      this.users,
      this.items,
      Int32Array.from(pairUser),
      Int32Array.from(pairItem),
      Float32Array.from(values),
      Float64Array.from(last),
    );
  }

  /** Stock code → its most frequent description (ties: first seen). */
  names(): Map<string, string> {
    const itemNames = new Map<string, string>();
    for (const [code, counts] of this.descriptions) {
      let best = '';
      let bestCount = 0;
      for (const [name, count] of counts) if (count > bestCount) [best, bestCount] = [name, count];
      itemNames.set(code, best);
    }
    return itemNames;
  }
}
