#!/usr/bin/env node
// What the OpenBLAS kernel choice costs (lib/addon/openblas-core.ts): EASE's fit
// (Gram matrix and inverse) and ImplicitALS recommendBatch (sgemm-shaped scoring)
// on seeded synthetic data, once with the kernels the loader picks from the CPU's
// flags and once with OPENBLAS_CORETYPE=Prescott (the SSE3 kernels OpenBLAS 0.3.21
// falls back to on a CPU model it does not know), alternating, each in a fresh process.
//
//   npm run build && node bench/standalone/openblas-kernels.mjs [--rounds 3]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, child: { type: 'boolean', default: false } } });

async function measure() {
  const { EASE, ImplicitALS, Interactions, libraryInfo } = await import('../../dist/index.js');
  const nUsers = 20000;
  const nItems = 3000;
  const users = [];
  const items = [];
  let state = 1; // a fixed linear congruential stream: the same data in every process
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let u = 0; u < nUsers; u++) for (let j = 0; j < 50; j++) users.push(u), items.push(Math.floor(nItems * next() ** 2));
  const data = Interactions.fromArrays(users, items);
  let t = performance.now();
  await new EASE({ threads: 2 }).fit(data);
  const easeFit = (performance.now() - t) / 1e3;
  const als = await new ImplicitALS({ threads: 2, factors: 64, iterations: 2 }).fit(data);
  t = performance.now();
  await als.recommendBatch(
    Array.from({ length: nUsers }, (_, u) => u),
    { k: 10, threads: 2 },
  );
  const batch = (performance.now() - t) / 1e3;
  console.log(JSON.stringify({ core: libraryInfo().blas.split(' ').at(-2), easeFit, batch }));
}

if (args.child) await measure();
else {
  const rows = { picked: [], Prescott: [] };
  for (let r = 0; r < Number(args.rounds); r++)
    for (const which of ['picked', 'Prescott']) {
      const env = { ...process.env };
      delete env.OPENBLAS_CORETYPE;
      if (which === 'Prescott') env.OPENBLAS_CORETYPE = 'Prescott';
      const out = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], { env, encoding: 'utf8' }));
      rows[which].push(out);
      console.log(which, JSON.stringify(out));
    }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const key of ['easeFit', 'batch']) {
    const a = median(rows.picked.map((o) => o[key]));
    const b = median(rows.Prescott.map((o) => o[key]));
    console.log(`${key}: ${rows.picked[0].core} ${a.toFixed(3)} s, Prescott ${b.toFixed(3)} s, ratio ${(a / b).toFixed(2)}x`);
  }
}
