#!/usr/bin/env node
/**
 * Parsing throughput of readInteractions on a MovieLens-20M-shaped CSV
 * (bench/generate-ratings.mjs; generated once, cached in bench/.data/).
 *
 * Each measurement runs in a fresh Node process, as a batch job would, and
 * reports wall time and the process's peak RSS; the table shows the median of
 * --runs runs. Stages, to see where the time goes:
 *   baseline  start Node and import the library, nothing else (RSS floor)
 *   read      stream the file's bytes, no parsing (I/O and stream floor)
 *   split     cut records and fields (RecordSplitter, no-op sink)
 *   parse     readInteractions(): split, parse numbers, intern ids, build CSR,
 *             once per entry of --threads (1 = single-threaded path)
 *   csr       Interactions.fromIndices alone on the same entries (the CSR part of parse)
 *
 * Usage: npm run build:ts && node bench/parse.mjs [--ratings 2000000] [--runs 3]
 *          [--threads 1,2] [--stages baseline,read,split,parse,csr]
 *        node bench/parse.mjs --dataset s2 [--scale 0.1] ...   (Last.fm-shaped counts, generate-counts.mjs)
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countsFilePath, ensureCountsFile } from './generate-counts.mjs';
import { ensureRatingsFile, ratingsFilePath } from './generate-ratings.mjs';

const self = fileURLToPath(import.meta.url);

function args(argv) {
  const out = {};
  for (let k = 0; k < argv.length; k += 2) out[argv[k].replace(/^--/, '')] = argv[k + 1];
  return out;
}

async function child(stage, file, threads) {
  const lib = await import('../dist/index.js');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let lines = 0;
  if (stage === 'read') {
    let bytes = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) bytes += chunk.length;
    lines = bytes;
  } else if (stage === 'split') {
    const { RecordSplitter } = await import('../dist/data/line-source.js');
    const sink = { record: () => lines++, bad: () => undefined };
    const splitter = new RecordSplitter(',', 4, sink);
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) splitter.push(chunk);
    splitter.end();
  } else if (stage === 'parse') {
    const r = await lib.readInteractions(file, { threads });
    lines = r.lines;
  } else if (stage === 'csr') {
    const r = await lib.readInteractions(file, { threads });
    const m = r.interactions.byUser;
    const u = r.interactions.userOfEntry;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    lib.Interactions.fromIndices(r.interactions.users, r.interactions.items, u, m.indices, m.values, m.timestamps, 'sum');
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, lines: m.indices.length, rssMB: process.resourceUsage().maxRSS / 1024 };
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, lines, rssMB: process.resourceUsage().maxRSS / 1024 };
}

function countLines(file) {
  const text = readFileSync(file);
  let n = 0;
  for (let at = text.indexOf(10); at >= 0; at = text.indexOf(10, at + 1)) n++;
  return n;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
}

async function main() {
  const a = args(process.argv.slice(2));
  if (a.child) {
    process.stdout.write(JSON.stringify(await child(a.child, a.file, Number(a.threads ?? 1))));
    return;
  }
  const ratings = Number(a.ratings ?? 2_000_000);
  const runs = Number(a.runs ?? 3);
  const threads = String(a.threads ?? '1,2').split(',').map(Number);
  const stages = String(a.stages ?? 'baseline,read,split,parse,csr').split(',');
  const jobs = [];
  for (const stage of stages) {
    if (stage === 'parse') for (const t of threads) jobs.push({ stage, threads: t, name: `parse, ${t} thread${t === 1 ? '' : 's'}` });
    else jobs.push({ stage, threads: 2, name: stage });
  }
  const s2 = a.dataset === 's2';
  const options = s2 ? { scale: Number(a.scale ?? 1) } : { ratings };
  if (!existsSync(s2 ? countsFilePath(options) : ratingsFilePath(options))) process.stderr.write('generating the data file...\n');
  const file = s2 ? await ensureCountsFile(options) : await ensureRatingsFile(options);
  const megabytes = statSync(file).size / 1e6;
  const lineCount = s2 ? countLines(file) - 1 : ratings;
  process.stderr.write(`${path.relative(process.cwd(), file)}: ${megabytes.toFixed(1)} MB, ${lineCount} data lines\n`);
  const rows = [];
  for (const { stage, threads: t, name } of jobs) {
    const results = [];
    for (let r = 0; r < runs; r++) {
      const argv = [self, '--child', stage, '--file', file, '--threads', String(t)];
      const out = execFileSync(process.execPath, argv, { encoding: 'utf8' });
      results.push(JSON.parse(out));
    }
    const ms = median(results.map((x) => x.ms));
    const rss = Math.max(...results.map((x) => x.rssMB));
    const cpuMs = median(results.map((x) => x.cpuMs ?? NaN));
    const row = { stage: name, ms: Math.round(ms), 'MB/s': '', 'lines/s': '', 'CPU ms': Math.round(cpuMs), 'peak RSS MB': Math.round(rss) };
    if (stage !== 'baseline') {
      row['MB/s'] = (megabytes / (ms / 1000)).toFixed(1);
      row['lines/s'] = `${((lineCount / ms) * 1000 / 1e6).toFixed(2)}M`;
    }
    rows.push(row);
    process.stderr.write(`${name}: ${results.map((x) => x.ms.toFixed(0)).join(', ')} ms\n`);
  }
  console.table(rows);
  for (const parse of rows.filter((r) => r.stage.startsWith('parse'))) {
    console.log(`${parse.stage}: ${(parse.ms / megabytes).toFixed(2)} ms per MB`);
  }
  console.log(`bytes per line: ${((megabytes * 1e6) / lineCount).toFixed(1)}; load average ${os.loadavg()[0].toFixed(1)}`);
}

await main();
