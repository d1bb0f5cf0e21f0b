#!/usr/bin/env node
// ImplicitALS training speed: seconds per iteration (users + items
// half-sweeps) for the CG and Cholesky solvers at each factor count, on S2
// and on MovieLens-1M-sized data (bench/lib/datasets.mjs); then native versus the
// pure-TypeScript twin (`backend: 'js'`) on a user sample of the ML-1M-sized
// set, all three on that same sample.
//
//   npm run build && node bench/suite/als.mjs [--quick] [--sets s2,ml1m] [--factors 64,128]
//     [--solvers cg,cholesky] [--threads 2] [--iterations 4] [--js-fraction 0.3] [--no-js] [--json]
//
// Defaults otherwise (CG with 3 steps, regularization 0.25, alpha 2).
import { ImplicitALS } from '../../dist/index.js';
import { log, numberList, perIteration, runScript } from '../lib/common.mjs';
import { ml1mInteractions, s2Source, sampleUsers, shape, sizesFor } from '../lib/datasets.mjs';

/** Median seconds per ALS iteration of a short fit. */
export async function alsSecondsPerIteration(data, options) {
  const model = new ImplicitALS(options);
  const t = await perIteration(model, data);
  return { model, seconds: t.median };
}

async function loadSet(name, quick) {
  const sizes = sizesFor(quick);
  if (name === 'ml1m') return { data: await ml1mInteractions(sizes.ml1m), label: 'ML-1M-sized', source: 'bench/generators/synthetic.mjs power law' };
  const { interactions, source } = await s2Source(sizes.s2);
  return { data: interactions, label: 'S2', source };
}

export async function measure(flags) {
  const quick = Boolean(flags.quick);
  const sets = flags.sets ? String(flags.sets).split(',') : ['s2', 'ml1m'];
  const factorList = numberList(flags.factors, [64, 128]);
  const solvers = flags.solvers ? String(flags.solvers).split(',') : ['cg', 'cholesky'];
  const threads = Number(flags.threads ?? 2);
  const iterations = Number(flags.iterations ?? 4);
  const rows = [];
  const described = [];
  for (const name of sets) {
    const { data, label, source } = await loadSet(name, quick);
    described.push(`${label} ${shape(data)} (${source})`);
    log(`${label}: ${shape(data)}`);
    for (const solver of solvers) {
      for (const factors of factorList) {
        const r = await alsSecondsPerIteration(data, { factors, iterations, threads, solver });
        log(`  ${solver} k=${factors}: ${r.seconds.toFixed(3)} s/iteration`);
        rows.push({
          id: `als.${name}.${solver}.k${factors}`,
          what: `ALS ${solver} iteration, ${label}, k=${factors}, ${threads} threads`,
          value: r.seconds,
          unit: 's/iteration',
        });
      }
    }
    if (name === 'ml1m' && !flags['no-js']) rows.push(...(await versusJs(data, factorList, solvers, flags)));
  }
  return { name: 'implicit ALS', data: described.join('; '), rows };
}

/** Native (1 and 2 threads) and the TypeScript twin on the same user sample. */
async function versusJs(data, factorList, solvers, flags) {
  // A 10% sample takes native iterations of 10-20 ms, where thread start-up
  // and the machine's noise decide the two-thread figure; the full run uses
  // 30% (the twin then takes about 75 s in all).
  const fraction = Number(flags['js-fraction'] ?? (flags.quick ? 0.1 : 0.3));
  const sample = sampleUsers(data, fraction);
  const note = `${sample.nnz.toLocaleString('en-US')}-interaction user sample of ML-1M-sized (${fraction * 100}% of users), same data for all three`;
  const rows = [];
  for (const solver of solvers) {
    for (const factors of factorList) {
      const options = { factors, solver, iterations: 3 };
      const js = await alsSecondsPerIteration(sample, { ...options, backend: 'js' });
      // Native iterations on the sample take milliseconds: more of them steady the median.
      const one = await alsSecondsPerIteration(sample, { ...options, iterations: 10, threads: 1 });
      const two = await alsSecondsPerIteration(sample, { ...options, iterations: 10, threads: 2 });
      log(`  twin ${solver} k=${factors}: js ${js.seconds.toFixed(3)}, native 1t ${one.seconds.toFixed(4)}, 2t ${two.seconds.toFixed(4)}`);
      rows.push({
        id: `als.js.${solver}.k${factors}`,
        what: `ALS ${solver} iteration, TypeScript twin, k=${factors}, 1 thread`,
        value: js.seconds,
        unit: 's/iteration',
        note,
      });
      rows.push({
        id: `als.js-ratio.${solver}.k${factors}.t1`,
        what: `ALS ${solver} native 1 thread vs twin, k=${factors}`,
        value: js.seconds / one.seconds,
        unit: '× faster',
        note,
      });
      rows.push({
        id: `als.js-ratio.${solver}.k${factors}.t2`,
        what: `ALS ${solver} native 2 threads vs twin, k=${factors}`,
        value: js.seconds / two.seconds,
        unit: '× faster',
        note,
      });
    }
  }
  return rows;
}

await runScript(import.meta.url, ['sets', 'factors', 'solvers', 'threads', 'iterations', 'js-fraction', 'no-js'], measure);
