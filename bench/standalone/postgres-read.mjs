// Throughput of the PostgreSQL reader (readInteractionsFromPostgres: COPY …
// TO STDOUT streamed into the file parser) against readInteractions on the
// same rows in a CSV file, in the same run, on a server this script starts
// (Debian's `postgresql` package; test/helpers/postgres-server.ts).
//
//   npm run build:ts && node bench/standalone/postgres-read.mjs [--rows 3000000] [--runs 3] [--threads 0]
//
// Each read runs in its own process, so its peak RSS is its own: the database
// read must stay near the file read's (the result is streamed, never held).
// Rows are synthetic shop order lines `customer_id,sku,qty,ordered_at`
// (200k customers, 20k SKUs, timestamptz in the database).
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { median, parseFlags } from '../lib/common.mjs';

const here = fileURLToPath(import.meta.url);
const flags = parseFlags(process.argv.slice(2), ['rows', 'runs', 'threads', 'child', 'url', 'file']);
const threads = Number(flags.threads ?? 0);

if (flags.child) {
  // One read, reported as a JSON line.
  const lib = await import('../../dist/index.js');
  const started = process.hrtime.bigint();
  const read =
    flags.child === 'file'
      ? await lib.readInteractions(flags.file, { threads })
      : await lib.readInteractionsFromPostgres(
          flags.url,
          flags.child === 'query' ? { query: 'select customer_id, sku, qty, ordered_at from order_lines' } : { table: 'order_lines' },
          { threads },
        );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, lines: read.lines, nnz: read.interactions.nnz, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  process.exit(0);
}

const rows = Number(flags.rows ?? 3_000_000);
const runs = Number(flags.runs ?? 3);

/** Seeded integers in [0, n) (mulberry32). */
function randomInts(seed) {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

async function writeOrders(file, n) {
  const out = createWriteStream(file);
  const rand = randomInts(17);
  const start = Date.UTC(2010, 11, 1) / 1000;
  out.write('customer_id,sku,qty,ordered_at\n');
  let chunk = [];
  for (let r = 0; r < n; r++) {
    const at = new Date((start + rand(365 * 86400)) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    chunk.push(`${10000 + rand(200_000)},SKU-${rand(20_000)},${1 + rand(12)},${at}+00\n`);
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join(''))) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end(chunk.join(''));
  await once(out, 'close');
}

function child(mode, extra) {
  const r = spawnSync(process.execPath, [here, '--child', mode, '--threads', String(threads), ...extra], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${mode} read failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

register('../../test/helpers/ts-hooks.mjs', import.meta.url);
const { startPostgres, postgresBin } = await import('../../test/helpers/postgres-server.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-pg-bench-'));
const server = await startPostgres();
try {
  const file = path.join(dir, 'orders.csv');
  let t = Date.now();
  await writeOrders(file, rows);
  const bytes = statSync(file).size;
  console.error(`wrote ${rows} rows (${(bytes / 1e6).toFixed(0)} MB) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const psql = path.join(postgresBin(), 'psql');
  t = Date.now();
  execFileSync(psql, [
    server.url,
    '-q',
    '-c',
    'CREATE TABLE order_lines (customer_id bigint, sku text, qty integer, ordered_at timestamptz)',
    '-c',
    `\\copy order_lines FROM '${file}' WITH (FORMAT csv, HEADER true)`,
  ]);
  console.error(`loaded into PostgreSQL in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const results = { file: [], query: [], table: [] };
  for (let run = 0; run < runs; run++) {
    // Interleaved, so that a change in the machine's load touches every reader alike.
    results.file.push(child('file', ['--file', file]));
    results.query.push(child('query', ['--url', server.url]));
    results.table.push(child('table', ['--url', server.url]));
  }
  const nnz = new Set(
    Object.values(results)
      .flat()
      .map((r) => r.nnz),
  );
  if (nnz.size !== 1) throw new Error(`the readers disagree: ${[...nnz].join(', ')} interactions`);
  console.log(
    `PostgreSQL reader vs CSV file: ${rows.toLocaleString('en')} rows, ${[...nnz][0].toLocaleString('en')} interactions, threads ${threads || 'all'}, median of ${runs}, load ${loadavg()[0].toFixed(1)}`,
  );
  console.log('| reader | seconds | rows/s | peak RSS |');
  console.log('|---|---|---|---|');
  const label = { file: 'readInteractions (CSV file)', query: 'readInteractionsFromPostgres { query }', table: 'readInteractionsFromPostgres { table }' };
  for (const [mode, list] of Object.entries(results)) {
    const s = median(list.map((r) => r.seconds));
    const rss = median(list.map((r) => r.maxRssMB));
    console.log(`| ${label[mode]} | ${s.toFixed(2)} | ${Math.round(rows / s).toLocaleString('en')} | ${rss.toFixed(0)} MB |`);
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
