#!/usr/bin/env node
// Renders results files of bench/run.mjs (bench/.results/*.json) as Markdown
// tables for bench/README.md. Given several files of the same suite, every
// figure is the median over the files, with the range next to it.
//
//   node bench/lib/markdown.mjs bench/.results/<run>.json [more runs of the same suite...]
import { readFileSync } from 'node:fs';
import { fmt, median } from './common.mjs';
import { evaluateTargets } from './targets.mjs';

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: node bench/lib/markdown.mjs RESULTS.json [RESULTS.json...]');
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
const first = runs[0];

const valuesOf = (id) => runs.flatMap((r) => r.results.flatMap((m) => m.rows.filter((row) => row.id === id).map((row) => row.value)));
const cell = (id) => {
  const xs = valuesOf(id);
  if (xs.length <= 1) return fmt(xs[0]);
  return `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
};

const m = first.machine;
console.log(
  `Runs: ${runs.map((r) => r.machine.date).join(', ')}; load average at start ${runs.map((r) => r.machine.loadAverage[0]).join(', ')}; ${first.quick ? 'quick' : 'full'} sizes.`,
);
console.log(`Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB, ${m.os}, Node ${m.node}.\n`);
// A measurement's rows: the union over the runs (a later run may have more), by id, first seen first.
const rowsOf = (name) => {
  const seen = new Map();
  for (const r of runs) for (const x of r.results) if (x.name === name) for (const row of x.rows) if (!seen.has(row.id)) seen.set(row.id, row);
  return [...seen.values()];
};
const figures = {};
for (const result of first.results) {
  const rss = median(runs.flatMap((r) => r.results.filter((x) => x.name === result.name).map((x) => x.peakRssMB)));
  console.log(`**${result.name}** — ${result.data}; peak RSS ${fmt(rss)} MB (\`${result.script}\`)\n`);
  const rows = rowsOf(result.name);
  if (rows.length === 0) continue;
  console.log('| figure | value | unit | note |\n|---|---:|---|---|');
  for (const row of rows) {
    figures[row.id] = median(valuesOf(row.id));
    console.log(`| ${row.what.trim()} | ${cell(row.id)} | ${row.unit} | ${row.note ?? ''} |`);
  }
  console.log('');
}
// Verdicts on the medians, and run by run (pairs such as mfrec vs LIBMF are best compared within a run).
const perRun = runs.map((r) => evaluateTargets(Object.fromEntries(r.results.flatMap((x) => x.rows.map((row) => [row.id, row.value])))));
console.log(`| target | measured (median of the runs) | verdict on the medians |${runs.length > 1 ? ' verdict in each run |' : ''}`);
console.log(`|---|---|---|${runs.length > 1 ? '---|' : ''}`);
evaluateTargets(figures).forEach((v, t) => {
  const each = runs.length > 1 ? ` ${perRun.map((vs) => vs[t].verdict).join('; ')} |` : '';
  console.log(`| ${v.target} | ${v.measured} | ${v.verdict} |${each}`);
});
