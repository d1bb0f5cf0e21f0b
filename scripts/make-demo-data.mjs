#!/usr/bin/env node
/**
 * Derives the compact demo copy of UCI Online Retail shipped in data/:
 *   data/online-retail-purchases.csv.gz
 * from the original file (default ../shared/data/online-retail/online-retail.csv.gz).
 *
 * Kept: the purchase lines that readOnlineRetail keeps (the same filter, run
 * through the compiled library, so the copy cannot drift from the reader),
 * in file order, with the columns InvoiceNo, StockCode, Description,
 * Quantity, InvoiceDate, CustomerID. CustomerID loses its ".0", InvoiceDate
 * its ":00" seconds (every date in the dataset is on the minute), and the
 * Description is written once per product, on its first line, as the name
 * readOnlineRetail picks (the most frequent one).
 *
 * Usage: npm run build:ts && node scripts/make-demo-data.mjs [source.csv.gz]
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip, constants } from 'node:zlib';
import { readOnlineRetail, scanOnlineRetail } from '../dist/data/online-retail.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = process.argv[2] ?? path.resolve(root, '../shared/data/online-retail/online-retail.csv.gz');
const target = path.join(root, 'data', 'online-retail-purchases.csv.gz');

function csvField(text) {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const { itemNames } = await readOnlineRetail(source);
mkdirSync(path.dirname(target), { recursive: true });
const gzip = createGzip({ level: constants.Z_BEST_COMPRESSION });
const done = new Promise((resolve, reject) => {
  const file = createWriteStream(target);
  gzip.pipe(file);
  file.on('finish', resolve);
  file.on('error', reject);
  gzip.on('error', reject);
});

const named = new Set();
let text = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,CustomerID\n';
let rows = 0;
await scanOnlineRetail(source, (row) => {
  let description = '';
  if (!named.has(row.stockCode)) {
    named.add(row.stockCode);
    description = csvField(itemNames.get(row.stockCode) ?? '');
  }
  const date = row.invoiceDate.replace(/^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d):00$/, '$1');
  text += `${csvField(row.invoice)},${csvField(row.stockCode)},${description},${row.quantity},${date},${row.customer}\n`;
  rows++;
});
gzip.end(text);
await done;
process.stderr.write(`${rows} purchase lines written to ${path.relative(root, target)}\n`);
