#!/usr/bin/env node
// BPR training speed on S2 (bench/lib/datasets.mjs): seconds per epoch (one epoch
// draws as many (user, positive, negative) triples as there are interactions)
// at each factor count; then native versus the pure-TypeScript twin
// (`backend: 'js'`) on a user sample of S2, all three on that same sample, in
// wall seconds and (one thread) in CPU seconds with the two alternating.
//
//   npm run build && node bench/suite/bpr.mjs [--quick] [--factors 64,128] [--threads 2]
//     [--epochs 4] [--js-fraction 0.2] [--twin-runs 2] [--no-js] [--json]
import { BPR } from '../../dist/index.js';
import { log, median, numberList, runScript } from '../lib/common.mjs';
import { s2Source, sampleUsers, shape, sizesFor } from '../lib/datasets.mjs';

/**
 * Median wall and process CPU seconds (all threads) per epoch of a fit, the
 * first epoch, which also pays for the set-up, dropped.
 */
export async function bprSecondsPerEpoch(data, options) {
  const model = new BPR(options);
  const wall = [];
  const cpu = [];
  let last = process.cpuUsage();
  await model.fit(data, {
    onIteration: (r) => {
      const now = process.cpuUsage();
      wall.push(r.seconds);
      cpu.push((now.user - last.user + now.system - last.system) / 1e6);
      last = now;
    },
  });
  const steady = (xs) => median(xs.length >= 3 ? xs.slice(1) : xs);
  return { model, seconds: steady(wall), cpuSeconds: steady(cpu) };
}

export async function measure(flags) {
  const quick = Boolean(flags.quick);
  const factorList = numberList(flags.factors, [64, 128]);
  const threads = Number(flags.threads ?? 2);
  const epochs = Number(flags.epochs ?? 4);
  const { interactions: data, source } = await s2Source(sizesFor(quick).s2);
  log(`S2: ${shape(data)}`);
  const rows = [];
  for (const factors of factorList) {
    const r = await bprSecondsPerEpoch(data, { factors, iterations: epochs, threads });
    log(`  k=${factors}: ${r.seconds.toFixed(3)} s/epoch`);
    rows.push({ id: `bpr.s2.k${factors}`, what: `BPR epoch, S2 (all interactions), k=${factors}, ${threads} threads`, value: r.seconds, unit: 's/epoch' });
  }
  if (!flags['no-js']) {
    // 20% of the users at either size: with 5% of S2's users the native epoch
    // took 50-70 ms, too short for a steady two-thread figure.
    const fraction = Number(flags['js-fraction'] ?? 0.2);
    const twinRuns = Number(flags['twin-runs'] ?? 2);
    const sample = sampleUsers(data, fraction);
    const note = `${sample.nnz.toLocaleString('en-US')}-interaction user sample of S2 (${fraction * 100}% of users), same data for all three`;
    for (const factors of factorList) {
      const options = { factors, iterations: 3 };
      const js = await bprSecondsPerEpoch(sample, { ...options, backend: 'js' });
      // Native epochs on the sample are short: more of them steady the median.
      const one = await bprSecondsPerEpoch(sample, { ...options, iterations: 8, threads: 1 });
      const two = await bprSecondsPerEpoch(sample, { ...options, iterations: 8, threads: 2 });
      log(`  twin k=${factors}: js ${js.seconds.toFixed(3)}, native 1t ${one.seconds.toFixed(4)}, 2t ${two.seconds.toFixed(4)}`);
      rows.push({ id: `bpr.js.k${factors}`, what: `BPR epoch, TypeScript twin, k=${factors}, 1 thread`, value: js.seconds, unit: 's/epoch', note });
      rows.push({
        id: `bpr.js-ratio.k${factors}.t1`,
        what: `BPR native 1 thread vs twin, k=${factors}`,
        value: js.seconds / one.seconds,
        unit: '× faster',
        note,
      });
      rows.push({
        id: `bpr.js-ratio.k${factors}.t2`,
        what: `BPR native 2 threads vs twin, k=${factors}`,
        value: js.seconds / two.seconds,
        unit: '× faster',
        note,
      });
      // The one-thread ratio again in CPU seconds, the twin and the kernel
      // alternating --twin-runs times (the median of the paired ratios).
      const paired = [];
      for (let r = 0; r < twinRuns; r++) {
        const jsCpu = (await bprSecondsPerEpoch(sample, { ...options, backend: 'js' })).cpuSeconds;
        const oneCpu = (await bprSecondsPerEpoch(sample, { ...options, iterations: 8, threads: 1 })).cpuSeconds;
        paired.push(jsCpu / oneCpu);
        log(`  twin k=${factors} CPU s/epoch, run ${r + 1}: js ${jsCpu.toFixed(3)}, native 1t ${oneCpu.toFixed(4)} (${(jsCpu / oneCpu).toFixed(2)}×)`);
      }
      rows.push({
        id: `bpr.js-ratio-cpu.k${factors}.t1`,
        what: `BPR native 1 thread vs twin, k=${factors}, CPU seconds, alternating`,
        value: median(paired),
        unit: '× faster',
        note: `${note}; median of ${twinRuns} paired ratios: ${paired.map((x) => x.toFixed(2)).join(', ')}`,
      });
    }
  }
  return { name: 'BPR', data: `S2 ${shape(data)} (${source})`, rows };
}

await runScript(import.meta.url, ['factors', 'threads', 'epochs', 'js-fraction', 'twin-runs', 'no-js'], measure);
