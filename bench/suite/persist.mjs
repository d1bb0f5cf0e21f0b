#!/usr/bin/env node
// Model save and load time: an ExplicitMF model of S1 and an ImplicitALS
// model of S2 (bench/lib/datasets.mjs), 64 factors, trained for one epoch /
// iteration (the file's size does not depend on training). Times
// `model.save(file)` and `loadModel(file)` (median of --runs), file size in MB.
// Files go to bench/.data/ and are removed afterwards.
//
//   npm run build && node bench/suite/persist.mjs [--quick] [--factors 64] [--runs 3] [--json]
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ExplicitMF, ImplicitALS, loadModel } from '../../dist/index.js';
import { benchDir, log, median, runScript, seconds } from '../lib/common.mjs';
import { s1Interactions, s2Source, shape, sizesFor } from '../lib/datasets.mjs';

async function saveLoad(label, id, model, runs) {
  const file = path.join(benchDir, '.data', `persist-${id}-${process.pid}.mfrec`);
  try {
    const save = [];
    const load = [];
    for (let r = 0; r < runs; r++) {
      save.push(await seconds(() => model.save(file)));
      load.push(await seconds(() => loadModel(file)));
    }
    const mb = statSync(file).size / 1e6;
    log(`${label}: save ${median(save).toFixed(3)} s, load ${median(load).toFixed(3)} s, ${mb.toFixed(0)} MB`);
    const note = `${mb.toFixed(0)} MB file`;
    return [
      { id: `save.${id}`, what: `save, ${label}`, value: median(save), unit: 's', note },
      { id: `load.${id}`, what: `load, ${label}`, value: median(load), unit: 's', note },
    ];
  } finally {
    rmSync(file, { force: true });
  }
}

export async function measure(flags) {
  const quick = Boolean(flags.quick);
  const factors = Number(flags.factors ?? 64);
  const runs = Number(flags.runs ?? 3);
  const sizes = sizesFor(quick);
  const s1 = await s1Interactions(sizes.s1);
  const explicit = await new ExplicitMF({ factors, iterations: 1 }).fit(s1);
  const rows = await saveLoad(`ExplicitMF k=${factors}, S1 ${shape(s1)}`, 's1', explicit, runs);
  const { interactions: s2, source } = await s2Source(sizes.s2);
  const als = await new ImplicitALS({ factors, iterations: 1 }).fit(s2);
  rows.push(...(await saveLoad(`ImplicitALS k=${factors}, S2 ${shape(s2)}`, 's2', als, runs)));
  return { name: 'model save / load', data: `S1; S2 (${source})`, rows };
}

await runScript(import.meta.url, ['factors', 'runs'], measure);
