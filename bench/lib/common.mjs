// Shared plumbing of the benchmark scripts: argument parsing, timing, peak
// RSS, and the JSON hand-off to bench/run.mjs.
//
// Every measurement script exports `measure(options)` returning
// `{ name, data, rows }` (rows: `{ what, value, unit, note? }`) and, when run
// directly, prints a table (or, with --json, one JSON line that run.mjs reads).
// run.mjs starts each script in its own process, so the peak RSS a script
// reports is that measurement's alone.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/: the root of the generated data (.data/), results (.results/) and builds (.build/). */
export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(benchDir, '..');

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl) {
  return Boolean(process.argv[1]) && fileURLToPath(moduleUrl) === path.resolve(process.argv[1]);
}

/**
 * `--name value` pairs and bare `--flag`s into an object; numbers stay
 * strings (scripts convert what they use). Throws on a name not in `known`.
 */
export function parseFlags(argv, known) {
  const out = {};
  for (let k = 0; k < argv.length; k++) {
    const name = argv[k].replace(/^--/, '');
    if (!known.includes(name)) throw new Error(`unknown argument ${argv[k]} (known: --${known.join(', --')})`);
    const next = argv[k + 1];
    if (next === undefined || next.startsWith('--')) out[name] = true;
    else out[name] = (k++, next);
  }
  return out;
}

/** Comma-separated numbers ("64,128") into an array of numbers. */
export function numberList(value, fallback) {
  if (value === undefined || value === true) return fallback;
  return String(value).split(',').map(Number);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Seconds `fn` takes (awaited). */
export async function seconds(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** This process's peak resident set so far, in MB. */
export function peakRssMB() {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Median seconds per iteration of a fit: fit() is run with `onIteration`
 * collecting each iteration's wall time. The first iteration is dropped when
 * there are three or more (it also pays for one-time setup), so the figure is
 * the steady-state cost.
 */
export async function perIteration(model, data, control = {}) {
  const times = [];
  await model.fit(data, { ...control, onIteration: (r) => times.push(r.seconds) });
  const steady = times.length >= 3 ? times.slice(1) : times;
  return { median: median(steady), all: times };
}

/** Formats a number for a table: 3 significant digits, thousands grouped. */
export function fmt(x) {
  if (typeof x !== 'number') return String(x);
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** Prints a measurement's rows as a table on stdout. */
export function printRows(result) {
  console.log(`\n${result.name}${result.data ? ` (${result.data})` : ''}; peak RSS ${fmt(result.peakRssMB)} MB`);
  console.table(result.rows.map((r) => ({ what: r.what, value: fmt(r.value), unit: r.unit, note: r.note ?? '' })));
}

/**
 * The standard `main` of a measurement script: parse flags, run `measure`,
 * attach the peak RSS, and print a table or (with --json) one JSON line.
 */
export async function runScript(moduleUrl, known, measure) {
  if (!isMain(moduleUrl)) return;
  const flags = parseFlags(process.argv.slice(2), [...known, 'json', 'quick']);
  const result = await measure(flags);
  // A script that measures in child processes reports their peak itself.
  result.peakRssMB = Math.max(result.peakRssMB ?? 0, peakRssMB());
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else printRows(result);
}

/** Writes a progress line to stderr (stdout carries the result). */
export function log(message) {
  process.stderr.write(`${message}\n`);
}
