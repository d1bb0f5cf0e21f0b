#!/usr/bin/env node
// The benchmark suite: runs every measurement script in its own Node process
// (so each reports its own peak RSS), prints one table with the targets and
// verdicts, and writes everything as JSON to bench/.results/.
//
//   npm run bench                                  full sizes (S1 20M, S2 17.5M; under 30 minutes)
//   npm run bench -- --quick                       a tenth of the data (under 3 minutes)
//   npm run bench -- --only sgd,als                some of the measurements
//   npm run bench -- --libmf /path/to/libmf        also LIBMF side by side (bench/suite/libmf.mjs)
//   npm run bench -- --implicit /path/to/implicit  also Python's implicit side by side (bench/suite/implicit.mjs;
//                                                  the folder holding the built `implicit` package)
//   npm run bench -- --only item-item --implicit DIR  the item-to-item models against numpy EASE, scipy RP3beta and
//                                                  implicit's item-KNN (bench/suite/item-item.mjs; --large adds 30k items)
//
// The measurements, each runnable alone (see bench/README.md), are the scripts of bench/suite/:
//   parse.mjs  quote.mjs  sgd.mjs  als.mjs  bpr.mjs  topk.mjs  item-item-topk.mjs  micro-batch.mjs  rules.mjs  persist.mjs  memory.mjs  libmf.mjs  end-to-end.mjs  implicit.mjs  item-item.mjs
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDir, fmt, log, parseFlags } from './lib/common.mjs';
import { evaluateTargets } from './lib/targets.mjs';

const SCRIPTS = [
  'parse',
  'quote',
  'sgd',
  'als',
  'bpr',
  'topk',
  'item-item-topk',
  'micro-batch',
  'rules',
  'persist',
  'memory',
  'libmf',
  'end-to-end',
  'implicit',
  'item-item',
];
/** Options passed through to the one script that takes them. */
const PASSED = { libmf: ['libmf', 'libmf-version'], 'end-to-end': ['libmf'], implicit: ['implicit', 'python'], 'item-item': ['implicit', 'python', 'large'] };

function runChild(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(benchDir, 'suite', `${script}.mjs`), ...args, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench/suite/${script}.mjs exited with ${code}`));
      const last = out.trim().split('\n').pop();
      resolve(JSON.parse(last));
    });
  });
}

/** Facts about this machine for the results file and the README. */
function machine() {
  const lscpu = (() => {
    try {
      return execFileSync('lscpu', { encoding: 'utf8' });
    } catch {
      return '';
    }
  })();
  const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(lscpu)?.[1]?.trim();
  return {
    date: new Date().toISOString(),
    cpu: field('Model name') ?? os.cpus()[0]?.model,
    cores: os.availableParallelism(),
    ramGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), ['quick', 'only', 'libmf', 'libmf-version', 'implicit', 'python', 'large']);
  const only = flags.only ? String(flags.only).split(',') : SCRIPTS;
  const common = flags.quick ? ['--quick'] : [];
  const info = machine();
  log(`mfrec benchmark suite (${flags.quick ? 'quick' : 'full'}), ${info.cpu}, ${info.cores} cores, load ${info.loadAverage.join(' ')}`);
  const results = [];
  const started = Date.now();
  for (const script of only) {
    if (!SCRIPTS.includes(script)) throw new Error(`unknown measurement ${script} (known: ${SCRIPTS.join(', ')})`);
    const extra = (PASSED[script] ?? []).flatMap((f) => (flags[f] === true ? [`--${f}`] : flags[f] ? [`--${f}`, String(flags[f])] : []));
    log(`\n== ${script}`);
    const t0 = Date.now();
    const result = await runChild(script, [...common, ...extra]);
    result.script = `bench/suite/${script}.mjs`;
    result.wallSeconds = (Date.now() - t0) / 1000;
    results.push(result);
  }
  const figures = Object.fromEntries(results.flatMap((r) => r.rows.map((row) => [row.id, row.value])));
  const verdicts = evaluateTargets(figures);
  info.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  info.wallSeconds = (Date.now() - started) / 1000;

  for (const r of results) {
    console.log(`\n${r.name} — ${r.data}; peak RSS ${fmt(r.peakRssMB)} MB; ${fmt(r.wallSeconds)} s (${r.script})`);
    if (r.rows.length) console.table(r.rows.map((row) => ({ what: row.what, value: fmt(row.value), unit: row.unit, note: row.note ?? '' })));
  }
  console.log('\nTargets');
  console.table(verdicts.map((v) => ({ target: v.target, measured: v.measured, verdict: v.verdict })));

  const dir = path.join(benchDir, '.results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${info.date.replace(/[:.]/g, '-')}${flags.quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify({ machine: info, quick: Boolean(flags.quick), results, verdicts }, null, 2)}\n`);
  console.log(
    `\n${path.relative(process.cwd(), file)}; ${fmt(info.wallSeconds)} s in all; load average ${info.loadAverage.join(' ')} → ${info.loadAverageAtEnd.join(' ')}`,
  );
}

await main();
