#!/usr/bin/env node
// Side-by-side reference: Python's `implicit` AlternatingLeastSquares on the
// same data as bench/suite/als.mjs (the ML-1M-sized set and S2 of
// bench/lib/datasets.mjs), alternating with mfrec's ImplicitALS of the same
// factors, solver and threads: one mfrec fit, then one implicit fit, --runs
// times, so a change in the machine's load hits both. implicit is not part of
// this project and is never vendored: build it yourself somewhere outside the
// repository (bench/README.md says how) and point --implicit (or
// MFREC_IMPLICIT) at the folder to put on PYTHONPATH, the one holding the
// `implicit` package. Without either, this script reports nothing.
//
// The by-user CSR arrays are written raw (int32 indptr and indices, float32
// values) to bench/.data/; bench/suite/reference/implicit_als.py reads them with numpy,
// fits with OPENBLAS_NUM_THREADS=1 (what implicit asks for) and num_threads =
// --threads, and prints each iteration's wall time from implicit's fit
// callback. Both sides: the median per-iteration time of a fit of
// --iterations iterations, the first dropped (bench/lib/common.mjs
// perIteration); the figure is the median over the runs. Each library's
// defaults otherwise: implicit regularization 0.01, alpha 1 (confidence =
// value); mfrec regularization 0.25 frequency-scaled, alpha 2 (confidence =
// 1 + 2·value); both 3 CG steps. The cost of an iteration does not depend on
// these values.
//
//   node bench/suite/implicit.mjs --implicit DIR [--python /usr/bin/python3] [--quick]
//     [--sets ml1m,s2] [--models als,bpr] [--factors 64,128] [--solvers cg,cholesky]
//     [--s2 cg.k64|all] [--bpr-factors 64,128] [--iterations 4] [--threads 2] [--runs 3] [--json]
//
// On S2 only the configurations of --s2 run (default cg.k64, the target's;
// `all` for every solver × factors): implicit's Cholesky on S2 takes minutes.
//
// BPR (--models bpr, --bpr-factors) alternates the same way: one mfrec BPR fit
// of --iterations epochs, then one fit of implicit's BayesianPersonalizedRanking
// (bench/suite/reference/implicit_bpr.py), median seconds per epoch, the first
// dropped. Both epochs make nnz samples, but implicit skips (no update) a draw
// whose negative the user has, where mfrec redraws: the rows also give the
// time per update (implicit's driver reports its updates per epoch). Each
// library's defaults otherwise: implicit learning rate 0.01, regularization
// 0.01, negatives drawn as the item of a random stored pair (by popularity);
// mfrec 0.03, 0.02, negatives uniform over the items.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { alsSecondsPerIteration } from './als.mjs';
import { bprSecondsPerEpoch } from './bpr.mjs';
import { benchDir, log, median, numberList, runScript } from '../lib/common.mjs';
import { ml1mInteractions, s2Source, shape, sizesFor } from '../lib/datasets.mjs';

/** Writes the by-user CSR arrays raw, once per data set and size. */
/** Runs a reference driver and returns the JSON of its last output line. */
function runReference(python, driver, args, env) {
  const out = execFileSync(python, [driver, ...args].map(String), { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop());
}

/** The median per-iteration figure, the first (warm-up) iteration dropped when there are three or more. */
function steadyMedian(xs) {
  return median(xs.length >= 3 ? xs.slice(1) : xs);
}

function writeCsr(data, prefix) {
  const m = data.byUser;
  for (const [ext, array] of [
    ['indptr', m.indptr],
    ['indices', m.indices],
    ['values', m.values],
  ]) {
    const file = `${prefix}.${ext}`;
    if (existsSync(file)) continue;
    writeFileSync(`${file}.partial`, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    renameSync(`${file}.partial`, file);
  }
}

/**
 * mfrec's BPR epoch against implicit's, alternating fits (see the header):
 * per epoch and per update, the ratio on both.
 */
async function bprAgainstImplicit(c) {
  const { data, name, label, prefix, iterations, threads, runs } = c;
  const driver = path.join(benchDir, 'suite', 'reference', 'implicit_bpr.py');
  const rows = [];
  let version;
  for (const k of c.bprFactors) {
    const ours = [];
    const theirs = [];
    const oursCpu = [];
    const theirsCpu = [];
    const theirUpdates = [];
    for (let r = 0; r < runs; r++) {
      const mine = await bprSecondsPerEpoch(data, { factors: k, iterations, threads });
      ours.push(mine.seconds);
      oursCpu.push(mine.cpuSeconds);
      const result = runReference(c.python, driver, [prefix, data.nUsers, data.nItems, k, iterations, threads], c.env);
      version = result.version;
      theirs.push(steadyMedian(result.seconds));
      theirsCpu.push(steadyMedian(result.cpu_seconds));
      theirUpdates.push(median(result.samples));
      log(
        `  bpr k=${k} run ${r + 1}: mfrec ${ours[r].toFixed(4)} (CPU ${oursCpu[r].toFixed(4)}), ` +
          `implicit ${theirs[r].toFixed(4)} (CPU ${theirsCpu[r].toFixed(4)}) s/epoch (${theirUpdates[r]} updates)`,
      );
    }
    const list = (xs) => xs.map((x) => x.toFixed(4)).join(', ');
    const mine = median(ours);
    const ref = median(theirs);
    const updates = median(theirUpdates);
    const what = `BPR epoch, ${label}, k=${k}, ${threads} threads`;
    rows.push({
      id: `implicit.mfrec.${name}.bpr.k${k}`,
      what: `mfrec ${what}, alternating with implicit`,
      value: mine,
      unit: 's/epoch',
      note: `median of ${runs}: ${list(ours)}; ${data.nnz} samples, defaults (lr 0.03, λ 0.02, uniform negatives redrawn)`,
    });
    rows.push({
      id: `implicit.${name}.bpr.k${k}`,
      what: `implicit ${what}`,
      value: ref,
      unit: 's/epoch',
      note: `median of ${runs}: ${list(theirs)}; ${data.nnz} draws, ${updates} updates (negatives the user has skipped); defaults (lr 0.01, λ 0.01, negatives by popularity)`,
    });
    rows.push({ id: `implicit.ratio.${name}.bpr.k${k}`, what: `mfrec / implicit, ${what}`, value: mine / ref, unit: "× implicit's time" });
    rows.push({
      id: `implicit.ratio-cpu.${name}.bpr.k${k}`,
      what: `mfrec / implicit, CPU seconds (all threads), ${what}`,
      value: median(oursCpu) / median(theirsCpu),
      unit: "× implicit's CPU time",
      note: `mfrec ${list(oursCpu)}; implicit ${list(theirsCpu)}`,
    });
    rows.push({
      id: `implicit.ratio-per-update.${name}.bpr.k${k}`,
      what: `mfrec / implicit per update, ${what}`,
      value: mine / data.nnz / (ref / updates),
      unit: "× implicit's time",
    });
  }
  return { rows, version };
}

function defaultPython() {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export async function measure(flags) {
  const dir = flags.implicit ?? flags['implicit-python'] ?? process.env.MFREC_IMPLICIT;
  if (!dir || dir === true) return { name: 'implicit reference', data: 'not run (no --implicit / MFREC_IMPLICIT)', rows: [] };
  const python = flags.python ?? process.env.MFREC_PYTHON ?? defaultPython();
  const quick = Boolean(flags.quick);
  const sets = flags.sets ? String(flags.sets).split(',') : ['ml1m', 's2'];
  const factorList = numberList(flags.factors, [64, 128]);
  const solvers = flags.solvers ? String(flags.solvers).split(',') : ['cg', 'cholesky'];
  const s2Configs = String(flags.s2 ?? 'cg.k64');
  const iterations = Number(flags.iterations ?? 4);
  const threads = Number(flags.threads ?? 2);
  const runs = Number(flags.runs ?? 3);
  const models = String(flags.models ?? 'als,bpr').split(',');
  const bprFactors = numberList(flags['bpr-factors'], [64, 128]);
  const sizes = sizesFor(quick);
  const driver = path.join(benchDir, 'suite', 'reference', 'implicit_als.py');
  mkdirSync(path.join(benchDir, '.data'), { recursive: true });
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', PYTHONPATH: [dir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) };
  const rows = [];
  const described = [];
  let version = '?';
  for (const name of sets) {
    let data;
    let label;
    if (name === 'ml1m') {
      data = await ml1mInteractions(sizes.ml1m);
      label = 'ML-1M-sized';
      described.push(`${label} ${shape(data)} (bench/generators/synthetic.mjs power law)`);
    } else if (name === 's2') {
      const s2 = await s2Source(sizes.s2);
      data = s2.interactions;
      label = 'S2';
      described.push(`${label} ${shape(data)} (${s2.source})`);
    } else throw new Error(`unknown set ${name} (known: ml1m, s2)`);
    const prefix = path.join(benchDir, '.data', `implicit-${name}-${data.nUsers}x${data.nItems}x${data.nnz}`);
    writeCsr(data, prefix);
    log(`${label}: ${shape(data)}`);
    if (models.includes('bpr')) {
      const bpr = await bprAgainstImplicit({ data, name, label, prefix, bprFactors, iterations, threads, runs, python, env });
      rows.push(...bpr.rows);
      version = bpr.version ?? version;
    }
    if (!models.includes('als')) continue;
    for (const solver of solvers) {
      for (const k of factorList) {
        if (name === 's2' && s2Configs !== 'all' && !s2Configs.split(',').includes(`${solver}.k${k}`)) continue;
        const ours = [];
        const theirs = [];
        for (let r = 0; r < runs; r++) {
          ours.push((await alsSecondsPerIteration(data, { factors: k, iterations, threads, solver })).seconds);
          const result = runReference(python, driver, [prefix, data.nUsers, data.nItems, k, solver, iterations, threads], env);
          version = result.version;
          theirs.push(steadyMedian(result.seconds));
          log(`  ${solver} k=${k} run ${r + 1}: mfrec ${ours[r].toFixed(4)}, implicit ${theirs[r].toFixed(4)} s/iteration`);
        }
        const list = (xs) => xs.map((x) => x.toFixed(4)).join(', ');
        const mine = median(ours);
        const ref = median(theirs);
        const what = `${solver} iteration, ${label}, k=${k}, ${threads} threads`;
        rows.push({
          id: `implicit.mfrec.${name}.${solver}.k${k}`,
          what: `mfrec ALS ${what}, alternating with implicit`,
          value: mine,
          unit: 's/iteration',
          note: `median of ${runs}: ${list(ours)}; defaults (λ 0.25 frequency-scaled, alpha 2)`,
        });
        rows.push({
          id: `implicit.${name}.${solver}.k${k}`,
          what: `implicit ALS ${what}`,
          value: ref,
          unit: 's/iteration',
          note: `implicit ${version}, median of ${runs}: ${list(theirs)}; defaults (λ 0.01, alpha 1), OPENBLAS_NUM_THREADS=1`,
        });
        rows.push({ id: `implicit.ratio.${name}.${solver}.k${k}`, what: `mfrec / implicit, ${what}`, value: mine / ref, unit: "× implicit's time" });
      }
    }
  }
  return { name: 'implicit reference', data: described.join('; '), rows };
}

await runScript(
  import.meta.url,
  ['implicit', 'implicit-python', 'python', 'sets', 'models', 'factors', 'solvers', 's2', 'bpr-factors', 'iterations', 'threads', 'runs'],
  measure,
);
