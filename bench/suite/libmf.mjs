#!/usr/bin/env node
// Side-by-side reference: LIBMF's mf-train on the same S1 train / held-out
// split as bench/suite/sgd.mjs (written out in LIBMF's text format, "user item
// rating" with dense indices, to bench/.data/), alternating with mfrec's
// ExplicitMF fit of the same epochs and threads: one mfrec fit, then LIBMF's
// two runs, --runs times, so a change in the machine's load hits both. LIBMF
// is not part of this project and is never vendored: build it yourself
// somewhere outside the repository and point --libmf (or MFREC_LIBMF) at the
// folder holding mf-train and mf-predict. Without either, this script
// reports nothing.
//
// LIBMF seconds per epoch = (median wall time of E-epoch runs − median wall
// time of 1-epoch runs) / (E − 1), so reading the file and setting up are
// not counted; its held-out RMSE is mf-predict's on the E-epoch model.
// LIBMF's own defaults (learning rate 0.1 with AdaGrad, L2 0.1) except -k,
// -t and -s. mfrec: the median per-epoch time of its fits, library defaults.
//
//   node bench/suite/libmf.mjs --libmf /path/to/libmf [--quick] [--factors 64,128] [--epochs 20] [--threads 2] [--runs 3] [--json]
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { benchDir, log, median, numberList, runScript, seconds } from '../lib/common.mjs';
import { shape, sizesFor } from '../lib/datasets.mjs';
import { s1Split, timeFit } from './sgd.mjs';

export async function writeLibmf(data, file) {
  if (existsSync(file)) return;
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  const m = data.byUser;
  let text = '';
  for (let u = 0; u < m.rows; u++) {
    for (let e = m.indptr[u]; e < m.indptr[u + 1]; e++) {
      text += `${u} ${m.indices[e]} ${m.values[e]}\n`;
      if (text.length > 1 << 20) {
        if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
        text = '';
      }
    }
  }
  out.write(text);
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  renameSync(partial, file);
}

export async function measure(flags) {
  const dir = flags.libmf ?? process.env.MFREC_LIBMF;
  if (!dir || dir === true) return { name: 'LIBMF reference', data: 'not run (no --libmf / MFREC_LIBMF)', rows: [] };
  const quick = Boolean(flags.quick);
  const factorList = numberList(flags.factors, [64, 128]);
  const epochs = Number(flags.epochs ?? (quick ? 5 : 20));
  const threads = Number(flags.threads ?? 2);
  const runs = Number(flags.runs ?? 3);
  const { data, train, test } = await s1Split(quick);
  const tag = `n${sizesFor(quick).s1.ratings}`;
  const trainFile = path.join(benchDir, '.data', `libmf-train-${tag}.txt`);
  const testFile = path.join(benchDir, '.data', `libmf-test-${tag}.txt`);
  await writeLibmf(train, trainFile);
  await writeLibmf(test, testFile);
  const modelFile = path.join(benchDir, '.data', `libmf-model-${process.pid}.txt`);
  const outFile = path.join(benchDir, '.data', `libmf-out-${process.pid}.txt`);
  const rows = [];
  const version = flags['libmf-version'] ?? process.env.MFREC_LIBMF_VERSION ?? path.basename(dir);
  try {
    for (const k of factorList) {
      const train1 = (t) =>
        seconds(() => execFileSync(path.join(dir, 'mf-train'), ['-k', k, '-t', t, '-s', threads, '--quiet', trainFile, modelFile].map(String)));
      // mfrec and LIBMF alternate, so a change in the machine's load hits both.
      const ones = [];
      const fulls = [];
      const ours = [];
      let ourRmse = NaN;
      for (let r = 0; r < runs; r++) {
        const fit = await timeFit(train, test, { factors: k, iterations: epochs, threads });
        ours.push(fit.secondsPerEpoch);
        ourRmse = fit.rmse;
        ones.push(await train1(1));
        fulls.push(await train1(epochs));
      }
      const perEpoch = (median(fulls) - median(ones)) / (epochs - 1);
      log(`mfrec k=${k}: ${ours.map((x) => x.toFixed(3)).join(', ')} s/epoch, held-out RMSE ${ourRmse}`);
      rows.push({
        id: `libmf.mfrec.k${k}.t${threads}`,
        what: `mfrec epoch alternating with LIBMF, k=${k}, ${threads} threads`,
        value: median(ours),
        unit: 's/epoch',
        note: `median of ${runs}: ${ours.map((x) => x.toFixed(3)).join(', ')}`,
      });
      rows.push({
        id: `libmf.mfrec.k${k}.t${threads}.rmse`,
        what: `mfrec held-out RMSE after ${epochs} epochs, k=${k}`,
        value: ourRmse,
        unit: 'RMSE',
        note: 'library defaults (lr 0.01 ×0.98 per epoch, frequency-scaled L2, biases)',
      });
      const out = execFileSync(path.join(dir, 'mf-predict'), ['-e', '0', testFile, modelFile, outFile], { encoding: 'utf8' });
      const rmse = Number(/RMSE\s*=\s*([\d.]+)/.exec(out)?.[1]);
      log(`LIBMF k=${k}: ${perEpoch.toFixed(3)} s/epoch, held-out RMSE ${rmse}`);
      const note = `LIBMF ${version}, defaults (lr 0.1 AdaGrad, L2 0.1), no biases`;
      rows.push({ id: `libmf.k${k}.t${threads}`, what: `LIBMF epoch, S1, k=${k}, ${threads} threads`, value: perEpoch, unit: 's/epoch', note });
      rows.push({ id: `libmf.k${k}.t${threads}.rmse`, what: `LIBMF held-out RMSE after ${epochs} epochs, k=${k}`, value: rmse, unit: 'RMSE', note });
    }
  } finally {
    rmSync(modelFile, { force: true });
    rmSync(outFile, { force: true });
  }
  return { name: 'LIBMF reference', data: `S1 ${shape(data)}, the split of bench/suite/sgd.mjs`, rows };
}

await runScript(import.meta.url, ['libmf', 'libmf-version', 'factors', 'epochs', 'threads', 'runs'], measure);
