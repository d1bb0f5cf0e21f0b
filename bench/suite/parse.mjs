#!/usr/bin/env node
/**
 * Parsing throughput of readInteractions on a MovieLens-20M-shaped CSV
 * (bench/generators/generate-ratings.mjs; generated once, cached in bench/.data/).
 *
 * Each measurement runs in a fresh Node process, as a batch job would, and
 * reports wall time and the process's peak RSS; the table shows the median of
 * --runs runs. Stages, to see where the time goes:
 *   baseline  start Node and import the library, nothing else (RSS floor)
 *   read      stream the file's bytes, no parsing (I/O and stream floor)
 *   split     cut records and fields (RecordSplitter, no-op sink)
 *   parse     readInteractions(): split, parse numbers, intern ids, build CSR
 *   csr       Interactions.fromIndices alone on the same entries (the CSR part of parse)
 *
 * Usage: npm run build:ts && node bench/suite/parse.mjs [--quick] [--ratings N] [--runs 3] [--threads 0]
 *   [--parsers native,js] [--stages parse] [--json]
 *   (default: the full S1 file, 20,000,000 lines; --quick: 2,000,000; --threads: reader threads
 *   for the parse stage, a comma-separated list such as 1,2; 0 = all cores; --parsers: the chunk
 *   parsers of the parse stage, native (default) and/or js (MFREC_CHUNK_PARSER=js), whose runs
 *   alternate; --stages: a subset of baseline,read,split,parse,csr)
 *
 * CPU time is the process's user + system time, all threads: on a shared machine it is the
 * figure to compare, as wall time depends on the cores the other jobs leave free.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain, log, median, parseFlags, runScript } from '../lib/common.mjs';
import { s1File, sizesFor } from '../lib/datasets.mjs';
import { ratingsFilePath } from '../generators/generate-ratings.mjs';

const self = fileURLToPath(import.meta.url);

async function child(stage, file, threads) {
  const lib = await import('../../dist/index.js');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let lines = 0;
  if (stage === 'read') {
    let bytes = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) bytes += chunk.length;
    lines = bytes;
  } else if (stage === 'split') {
    const { RecordSplitter } = await import('../../dist/data/line-source.js');
    const sink = { record: () => lines++, bad: () => undefined };
    const splitter = new RecordSplitter(',', 4, sink);
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) splitter.push(chunk);
    splitter.end();
  } else if (stage === 'parse') {
    const r = await lib.readInteractions(file, { threads });
    lines = r.lines;
  } else if (stage === 'csr') {
    const r = await lib.readInteractions(file);
    const m = r.interactions.byUser;
    const u = r.interactions.userOfEntry;
    const start = performance.now();
    const cpu1 = process.cpuUsage();
    lib.Interactions.fromIndices(r.interactions.users, r.interactions.items, u, m.indices, m.values, m.timestamps, 'sum');
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpu1);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, lines: m.indices.length, rssMB: process.resourceUsage().maxRSS / 1024 };
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, lines, rssMB: process.resourceUsage().maxRSS / 1024 };
}

export async function measure(flags) {
  const ratings = Number(flags.ratings ?? sizesFor(Boolean(flags.quick)).s1.ratings);
  const runs = Number(flags.runs ?? 3);
  const size = { ...sizesFor(false).s1, ratings };
  if (!existsSync(ratingsFilePath(size))) log('generating the ratings file...');
  const file = await s1File(size);
  const megabytes = statSync(file).size / 1e6;
  log(`${path.relative(process.cwd(), file)}: ${megabytes.toFixed(1)} MB, ${ratings} ratings`);
  const threadCounts = String(flags.threads ?? '0')
    .split(',')
    .map(Number);
  const parsers = String(flags.parsers ?? 'native').split(',');
  const stages = String(flags.stages ?? 'baseline,read,split,parse,csr').split(',');
  const jobs = [];
  for (const stage of stages) {
    if (stage !== 'parse') jobs.push({ stage, threads: 0, parser: 'native' });
    else for (const threads of threadCounts) for (const parser of parsers) jobs.push({ stage, threads, parser });
  }
  // Runs of the parse jobs alternate (parser against parser under the same load); the others run in turn.
  const results = new Map(jobs.map((job) => [job, []]));
  const runJob = (job) => {
    const argv = [self, '--child', job.stage, '--file', file, '--threads', String(job.threads)];
    const env = { ...process.env, MFREC_CHUNK_PARSER: job.parser };
    results.get(job).push(JSON.parse(execFileSync(process.execPath, argv, { encoding: 'utf8', env })));
  };
  for (const job of jobs.filter((j) => j.stage !== 'parse')) for (let r = 0; r < runs; r++) runJob(job);
  for (let r = 0; r < runs; r++) for (const job of jobs.filter((j) => j.stage === 'parse')) runJob(job);
  const rows = [];
  let parsePeak = 0;
  for (const job of jobs) {
    const { stage, threads, parser } = job;
    const done = results.get(job);
    const ms = median(done.map((x) => x.ms));
    const cpuMs = median(done.map((x) => x.cpuMs));
    const rss = Math.max(...done.map((x) => x.rssMB));
    log(
      `${stage}${stage === 'parse' ? ` (${parser}, threads ${threads})` : ''}: ${done.map((x) => x.ms.toFixed(0)).join(', ')} ms, ` +
        `CPU ${done.map((x) => x.cpuMs.toFixed(0)).join(', ')} ms, peak RSS ${rss.toFixed(0)} MB`,
    );
    const id = `parse.${stage}${stage === 'parse' && threadCounts.length > 1 ? `.t${threads}` : ''}${stage === 'parse' && parser !== 'native' ? `.${parser}` : ''}`;
    if (stage === 'baseline') {
      rows.push({ id: `${id}.rss`, what: 'baseline: start Node, import the library', value: rss, unit: 'MB peak RSS' });
      continue;
    }
    const label =
      stage === 'parse'
        ? `readInteractions, ${threads === 0 ? 'all cores' : `${threads} thread${threads === 1 ? '' : 's'}`}, ${parser} chunk parser (split + numbers + ids + CSR)`
        : stage === 'csr'
          ? 'CSR build alone (part of parse)'
          : stage === 'read'
            ? 'read the bytes only'
            : 'cut records and fields only';
    const note = `${ms.toFixed(0)} ms, ${(cpuMs / 1000).toFixed(2)} CPU-s, median of ${runs} fresh processes; peak RSS ${rss.toFixed(0)} MB`;
    rows.push({ id: `${id}.mbps`, what: `${stage}: ${label}`, value: megabytes / (ms / 1000), unit: 'MB/s', note });
    rows.push({ id: `${id}.lps`, what: `${stage}: lines per second`, value: (ratings / ms) * 1000, unit: 'lines/s' });
    if (stage === 'parse') {
      rows.push({ id: `${id}.cpu`, what: 'parse: CPU seconds, all threads', value: cpuMs / 1000, unit: 'CPU-s' });
      rows.push({ id: `${id}.rss`, what: 'parse: peak RSS', value: rss, unit: 'MB' });
      parsePeak = rss;
    }
  }
  return {
    name: 'parsing',
    data: `S1 CSV ${megabytes.toFixed(1)} MB, ${ratings.toLocaleString('en-US')} lines, page-cached`,
    rows,
    peakRssMB: parsePeak,
  };
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const { child: stage, file, threads } = parseFlags(argv, ['child', 'file', 'threads']);
    process.stdout.write(JSON.stringify(await child(stage, file, Number(threads))));
  } else {
    await runScript(import.meta.url, ['ratings', 'runs', 'threads', 'parsers', 'stages'], measure);
  }
}
