#!/usr/bin/env node
// How the SGD grid's layout changes the cost of an epoch on S1 (an
// investigation, not part of the suite). ExplicitMF picks the grid itself
// (1 block on one thread, 2·threads + 1 per side otherwise, ratings shuffled
// inside each block); this script calls the native kernel directly with other
// choices: more blocks per side, and, as LIBMF does, the ratings of each
// block ordered by user so that a user's vector stays in cache across its
// ratings. Seconds per epoch (median of --epochs after the first) and the
// training RMSE of the last epoch. `--rows grouped` renumbers the rows so that
// each block's users and items are adjacent in memory, as ExplicitMF does
// (lib/models/explicit/sgd-rows.ts); `--rows model` keeps the model's order (step 0.01 decaying ×0.98, constant L2 0.05
// on vectors and 0.02 on biases: the timing does not depend on them).
//
//   npm run build && node bench/investigations/sgd-grid.mjs [--quick] [--factors 64] [--blocks 1,5,10,20] [--threads 1,2] [--epochs 4]
//     [--orders shuffled,by-user] [--rows model,grouped]
import { allocateGrid } from '../../dist/addon/sgd.js';
import { initFactors } from '../../dist/models/explicit/train.js';
import { sgdBinding } from '../../dist/addon/sgd.js';
import { blockRows, permuteModel, renumber } from '../../dist/models/explicit/sgd-rows.js';
import { log, median, numberList, runScript } from '../lib/common.mjs';
import { s1Split } from '../suite/sgd.mjs';

/** Reorders each block's ratings by user (stable), in place. */
function sortBlocksByUser(grid) {
  const nb = grid.blocks * grid.blocks;
  for (let b = 0; b < nb; b++) {
    const lo = grid.blockPtr[b];
    const hi = grid.blockPtr[b + 1];
    const order = Int32Array.from({ length: hi - lo }, (_, k) => lo + k).sort((x, y) => grid.users[x] - grid.users[y] || x - y);
    const u = Int32Array.from(order, (e) => grid.users[e]);
    const i = Int32Array.from(order, (e) => grid.items[e]);
    const r = Float32Array.from(order, (e) => grid.ratings[e]);
    grid.users.set(u, lo);
    grid.items.set(i, lo);
    grid.ratings.set(r, lo);
  }
}

export async function measure(flags) {
  const quick = Boolean(flags.quick);
  const factors = Number(flags.factors ?? 64);
  const blockList = numberList(flags.blocks, [1, 5, 10, 20]);
  const threadList = numberList(flags.threads, [1, 2]);
  const epochs = Number(flags.epochs ?? 4);
  const rowModes = flags.rows === undefined ? ['model'] : String(flags.rows).split(',');
  const orders = flags.orders === undefined ? ['shuffled', 'by-user'] : String(flags.orders).split(',');
  const { train } = await s1Split(quick);
  const m = train.byUser;
  const users = train.userOfEntry;
  const items = m.indices;
  const ratings = m.values;
  let sum = 0;
  for (let k = 0; k < ratings.length; k++) sum += ratings[k];
  const sgd = sgdBinding();
  const results = [];
  for (const sorted of orders.map((o) => o === 'by-user')) {
    for (const blocks of blockList) {
      for (const rowMode of rowModes) {
        const grid = allocateGrid(ratings.length, blocks);
        await sgd.sgdLayout(users, items, ratings, { nUsers: train.nUsers, nItems: train.nItems, seed: 42 }, grid);
        if (sorted) sortBlocksByUser(grid);
        const rows = rowMode === 'grouped' ? blockRows(grid, train.nUsers, train.nItems) : undefined;
        if (rows) {
          renumber(grid.users, rows.users);
          renumber(grid.items, rows.items);
        }
        for (const threads of threadList) {
          if (threads > blocks) continue;
          const initial = {
            factors,
            globalBias: Math.fround(sum / ratings.length),
            userFactors: new Float32Array(train.nUsers * factors),
            itemFactors: new Float32Array(train.nItems * factors),
            userBias: new Float32Array(train.nUsers),
            itemBias: new Float32Array(train.nItems),
          };
          initFactors(initial, 0.02, 42);
          const model = rows ? permuteModel(initial, rows, true) : initial;
          const times = [];
          let sse = 0;
          for (let epoch = 0; epoch < epochs; epoch++) {
            const step = { learningRate: 0.01 * 0.98 ** epoch, regularization: 0.05, biasRegularization: 0.02, threads, seed: 42, epoch };
            const start = process.hrtime.bigint();
            sse = await sgd.sgdEpoch(grid, model, step);
            times.push(Number(process.hrtime.bigint() - start) / 1e9);
          }
          const s = median(times.length >= 3 ? times.slice(1) : times);
          const rmse = Math.sqrt(sse / ratings.length);
          const layout = `${blocks}×${blocks} blocks${sorted ? ', by user inside blocks' : ''}${rows ? ', rows grouped' : ''}`;
          log(`${layout}, ${threads} thread(s): ${s.toFixed(3)} s/epoch, train RMSE ${rmse.toFixed(4)}`);
          results.push({
            id: `grid.b${blocks}${sorted ? '.sorted' : ''}${rows ? '.grouped' : ''}.t${threads}`,
            what: `${layout}, ${threads} thread(s)`,
            value: s,
            unit: 's/epoch',
            note: `train RMSE after ${epochs} epochs ${rmse.toFixed(4)}`,
          });
        }
      }
    }
  }
  return { name: `SGD grid layouts, k=${factors}`, data: `S1 training set, ${ratings.length.toLocaleString('en-US')} ratings`, rows: results };
}

await runScript(import.meta.url, ['factors', 'blocks', 'threads', 'epochs', 'orders', 'rows'], measure);
