#!/usr/bin/env node
/**
 * A stray quote must not slow the reader down: readInteractions on a ~30 MB
 * S1-shaped CSV (bench/generators/generate-ratings.mjs), clean, against the same file
 * with one unterminated `"` on its 10th line (a dirty product name). Both are
 * read with onBadLine: 'skip'; the dirty read must report exactly one bad
 * line and every other line. Target: dirty ≤ 1.5 × clean.
 *
 * Each read runs in a fresh Node process; the table shows the median of
 * --runs runs.
 *
 * Usage: npm run build:ts && node bench/suite/quote.mjs [--quick] [--ratings N] [--runs 5] [--json]
 *   (default: 1,200,000 lines, about 30 MB; --quick: 300,000)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain, log, median, parseFlags, runScript } from '../lib/common.mjs';
import { s1File, sizesFor } from '../lib/datasets.mjs';

const self = fileURLToPath(import.meta.url);
/** The line (1-based, header included) that gets the stray quote. */
const DIRTY_LINE = 10;

async function child(file) {
  const { readInteractions } = await import('../../dist/index.js');
  const t0 = performance.now();
  const r = await readInteractions(file, { onBadLine: 'skip', threads: 1 });
  const ms = performance.now() - t0;
  return { ms, lines: r.lines, skipped: r.skipped, badLine: r.badLines[0]?.line ?? null };
}

/** The clean file with a quote opened and never closed on line DIRTY_LINE. */
function dirtyCopy(clean) {
  const out = clean.replace(/\.csv$/, '-stray-quote.csv');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(clean).mtimeMs) return out;
  const text = readFileSync(clean, 'latin1');
  let at = 0;
  for (let k = 1; k < DIRTY_LINE; k++) at = text.indexOf('\n', at) + 1;
  const comma = text.indexOf(',', at);
  writeFileSync(out, `${text.slice(0, comma + 1)}"${text.slice(comma + 1)}`, 'latin1');
  return out;
}

export async function measure(flags) {
  const ratings = Number(flags.ratings ?? (flags.quick ? 300_000 : 1_200_000));
  const runs = Number(flags.runs ?? 5);
  const clean = await s1File({ ...sizesFor(false).s1, ratings });
  const dirty = dirtyCopy(clean);
  const megabytes = statSync(clean).size / 1e6;
  log(`${path.relative(process.cwd(), clean)}: ${megabytes.toFixed(1)} MB, ${ratings} lines; stray quote on line ${DIRTY_LINE}`);
  // Clean and dirty reads alternate, so that a busy moment of the machine hits both alike.
  const results = { clean: [], dirty: [] };
  for (let r = 0; r < runs; r++) {
    for (const [name, file] of [
      ['clean', clean],
      ['dirty', dirty],
    ]) {
      results[name].push(JSON.parse(execFileSync(process.execPath, [self, '--child', '--file', file], { encoding: 'utf8' })));
    }
  }
  const last = results.dirty[runs - 1];
  if (last.skipped !== 1 || last.badLine !== DIRTY_LINE || last.lines !== ratings) {
    throw new Error(`the dirty read dropped more than its one bad line: ${JSON.stringify(last)}`);
  }
  const timings = {};
  for (const name of ['clean', 'dirty']) {
    timings[name] = median(results[name].map((x) => x.ms));
    log(`${name}: ${results[name].map((x) => x.ms.toFixed(0)).join(', ')} ms`);
  }
  const ratio = timings.dirty / timings.clean;
  return {
    name: 'stray quote',
    data: `S1 CSV ${megabytes.toFixed(1)} MB, ${ratings.toLocaleString('en-US')} lines, one unterminated quote on line ${DIRTY_LINE}`,
    rows: [
      { id: 'quote.clean.ms', what: 'readInteractions, clean file (1 thread)', value: timings.clean, unit: 'ms', note: `median of ${runs}` },
      { id: 'quote.dirty.ms', what: 'readInteractions, stray quote (1 bad line skipped)', value: timings.dirty, unit: 'ms', note: `median of ${runs}` },
      { id: 'quote.ratio', what: 'stray quote / clean (target ≤ 1.5)', value: ratio, unit: '×' },
    ],
  };
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const { file } = parseFlags(argv, ['child', 'file']);
    process.stdout.write(JSON.stringify(await child(file)));
  } else {
    await runScript(import.meta.url, ['ratings', 'runs'], measure);
  }
}
