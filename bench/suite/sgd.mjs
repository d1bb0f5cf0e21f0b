#!/usr/bin/env node
// ExplicitMF (biased SGD) on S1: seconds per epoch at each factor count on 1
// and 2 threads, with the RMSE on a held-out 10% after the last epoch; then
// native versus the pure-TypeScript twin (`backend: 'js'`) on a 10% user
// sample of the training set, all three on that same sample.
//
//   npm run build && node bench/suite/sgd.mjs [--quick] [--factors 64,128] [--epochs 20]
//     [--threads 1,2] [--js-fraction 0.1] [--js-epochs 3] [--no-js] [--json]
//
// Hyperparameters are the library's defaults except `factors` and
// `iterations` (learning rate 0.01 decaying ×0.98 per epoch, frequency-scaled
// L2 0.11 on vectors and 0.04 on biases); --lr overrides the learning rate.
import { ExplicitMF, randomSplit } from '../../dist/index.js';
import { log, median, numberList, runScript } from '../lib/common.mjs';
import { s1Interactions, sampleUsers, shape, sizesFor } from '../lib/datasets.mjs';

/** The S1 train / held-out split every explicit figure uses (10% held out, seed 42). */
export async function s1Split(quick) {
  const data = await s1Interactions(sizesFor(quick).s1);
  return { data, ...randomSplit(data, { testFraction: 0.1, seed: 42 }) };
}

const NATIVE_SAMPLE_EPOCHS = 12;

/**
 * One fit: median seconds per epoch, median process CPU seconds per epoch
 * (every thread's; on a busy machine steadier than wall time, which also
 * counts the time other jobs held the cores) and the held-out RMSE at the end.
 */
export async function timeFit(train, test, options) {
  const model = new ExplicitMF(options);
  const wall = [];
  const cpu = [];
  let since = process.cpuUsage();
  await model.fit(train, {
    onIteration: (r) => {
      const used = process.cpuUsage(since);
      cpu.push((used.user + used.system) / 1e6);
      since = process.cpuUsage();
      wall.push(r.seconds);
    },
  });
  // The first epoch also warms the caches and the thread team.
  const steady = (xs) => (xs.length >= 3 ? xs.slice(1) : xs);
  const { rmse } = test ? await model.evaluate(test) : { rmse: NaN };
  return { model, secondsPerEpoch: median(steady(wall)), cpuSecondsPerEpoch: median(steady(cpu)), epochs: wall, rmse };
}

export async function measure(flags) {
  const quick = Boolean(flags.quick);
  const factorList = numberList(flags.factors, [64, 128]);
  const threadList = numberList(flags.threads, [1, 2]);
  const epochs = Number(flags.epochs ?? (quick ? 5 : 20));
  const learningRate = flags.lr === undefined ? undefined : Number(flags.lr);
  const { data, train, test } = await s1Split(quick);
  log(`S1 ${shape(data)}: train ${train.nnz}, held out ${test.nnz}`);
  const rows = [];
  const base = { iterations: epochs, ...(learningRate ? { learningRate } : {}) };
  for (const factors of factorList) {
    for (const threads of threadList) {
      const r = await timeFit(train, test, { ...base, factors, threads });
      log(`k=${factors} threads=${threads}: ${r.secondsPerEpoch.toFixed(3)} s/epoch (${r.cpuSecondsPerEpoch.toFixed(3)} CPU s), RMSE ${r.rmse.toFixed(4)}`);
      rows.push({ id: `sgd.k${factors}.t${threads}`, what: `SGD epoch, S1, k=${factors}, ${threads} thread(s)`, value: r.secondsPerEpoch, unit: 's/epoch' });
      rows.push({
        id: `sgd.k${factors}.t${threads}.cpu`,
        what: `SGD epoch, S1, k=${factors}, ${threads} thread(s), process CPU`,
        value: r.cpuSecondsPerEpoch,
        unit: 'CPU s/epoch',
      });
      rows.push({
        id: `sgd.k${factors}.t${threads}.rmse`,
        what: `held-out RMSE after ${epochs} epochs, k=${factors}, ${threads} thread(s)`,
        value: r.rmse,
        unit: 'RMSE',
      });
      r.model.dispose?.();
    }
  }
  if (!flags['no-js']) rows.push(...(await versusJs(train, test, factorList, flags)));
  return { name: 'explicit SGD', data: `S1 ${shape(data)}, 90/10 split`, rows };
}

/**
 * Native (1 and 2 threads) and the TypeScript twin (1 thread) on the same
 * user sample of the training set: seconds per epoch and the ratios.
 */
async function versusJs(train, test, factorList, flags) {
  const fraction = Number(flags['js-fraction'] ?? 0.1);
  const epochs = Number(flags['js-epochs'] ?? 3);
  const sample = sampleUsers(train, fraction);
  const held = test.alignTo(sample).aligned;
  const rows = [];
  for (const factors of factorList) {
    // Native epochs on the sample take milliseconds: more of them steady the median.
    const options = { factors, iterations: epochs };
    const js = await timeFit(sample, held, { ...options, backend: 'js' });
    const one = await timeFit(sample, held, { ...options, threads: 1 });
    const two = await timeFit(sample, held, { ...options, iterations: NATIVE_SAMPLE_EPOCHS, threads: 2 });
    const oneLonger = await timeFit(sample, undefined, { ...options, iterations: NATIVE_SAMPLE_EPOCHS, threads: 1 });
    one.secondsPerEpoch = oneLonger.secondsPerEpoch;
    const note = `${sample.nnz.toLocaleString('en-US')}-rating user sample (${fraction * 100}% of users), same data for all three`;
    log(
      `twin k=${factors}: js ${js.secondsPerEpoch.toFixed(3)}, native 1t ${one.secondsPerEpoch.toFixed(4)}, 2t ${two.secondsPerEpoch.toFixed(4)} s/epoch; RMSE js ${js.rmse} native 1t ${one.rmse}`,
    );
    rows.push({ id: `sgd.js.k${factors}`, what: `SGD epoch, TypeScript twin, k=${factors}, 1 thread`, value: js.secondsPerEpoch, unit: 's/epoch', note });
    rows.push({
      id: `sgd.js.k${factors}.per-rating`,
      what: `SGD twin per rating (scales to the full set per interaction), k=${factors}`,
      value: (js.secondsPerEpoch / sample.nnz) * 1e9,
      unit: 'ns/rating',
    });
    rows.push({
      id: `sgd.js-ratio.k${factors}.t1`,
      what: `SGD native 1 thread vs twin, k=${factors}`,
      value: js.secondsPerEpoch / one.secondsPerEpoch,
      unit: '× faster',
      note,
    });
    rows.push({
      id: `sgd.js-ratio.k${factors}.t2`,
      what: `SGD native 2 threads vs twin, k=${factors}`,
      value: js.secondsPerEpoch / two.secondsPerEpoch,
      unit: '× faster',
      note,
    });
    rows.push({
      id: `sgd.js-same.k${factors}`,
      what: `twin and native 1 thread give the same model (held-out RMSE equal), k=${factors}`,
      value: js.rmse === one.rmse ? 1 : 0,
      unit: 'yes=1',
      note: `RMSE ${js.rmse.toFixed(6)} vs ${one.rmse.toFixed(6)}`,
    });
  }
  return rows;
}

await runScript(import.meta.url, ['factors', 'threads', 'epochs', 'lr', 'js-fraction', 'js-epochs', 'no-js'], measure);
