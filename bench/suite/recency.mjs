#!/usr/bin/env node
// Recency weighting of shop events (lib/events/to-interactions.ts) on
// Online Retail, the last 30 days held out (readOnlineRetailByTime): every
// purchase before the cut (one event per invoice line of a customer and a
// product) becomes interactions through eventsToInteractions, without decay
// (the same values as the 'orders' confidence: invoices per pair) and with
// half-lives of 7, 30, 90, 180 and 365 days measured from the cut. ALS
// (defaults, mean of 3 seeds) and EASE (defaults) are trained on each and
// scored on the held-out purchases with evaluateTopK: precision@10,
// recall@10, NDCG@10.
//
//   npm run build && node bench/suite/recency.mjs [--half-lives 7,30,90,180,365] [--seeds 3]
//
// Online Retail is read from ../shared/data/online-retail (or MFREC_RETAIL),
// else from the compact copy in data/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EASE, ImplicitALS, evaluateTopK, eventsToInteractions, readOnlineRetailByTime, scanOnlineRetail } from '../../dist/index.js';
import { log, numberList, repoRoot, runScript } from '../lib/common.mjs';

function retailFile() {
  const shared = path.join(process.env.MFREC_RETAIL ?? path.join(repoRoot, '..', 'shared', 'data', 'online-retail'), 'online-retail.csv.gz');
  return existsSync(shared) ? shared : path.join(repoRoot, 'data', 'online-retail-purchases.csv.gz');
}

/** One purchase event per (invoice, product) line before the cut, time in ms. */
async function purchasesBefore(file, cutoff) {
  const events = [];
  const lines = new Set();
  await scanOnlineRetail(file, (r) => {
    if (r.time >= cutoff) return;
    const key = `${r.invoice}\t${r.stockCode}`;
    if (lines.has(key)) return;
    lines.add(key);
    events.push({ user: r.customer, item: r.stockCode, type: 'purchase', time: r.time * 1000 });
  });
  return events;
}

async function scores(train, test, seeds) {
  const als = [];
  for (let s = 1; s <= seeds; s++) als.push(await evaluateTopK(await new ImplicitALS({ seed: s }).fit(train), train, test, { k: 10 }));
  const mean = (key) => als.reduce((sum, m) => sum + m[key], 0) / als.length;
  const ease = await evaluateTopK(await new EASE().fit(train), train, test, { k: 10 });
  return { als: { precision: mean('precision'), recall: mean('recall'), ndcg: mean('ndcg') }, ease };
}

export async function measure(flags = {}) {
  const halfLives = numberList(flags['half-lives'], [7, 30, 90, 180, 365]);
  const seeds = Number(flags.seeds ?? 3);
  const file = retailFile();
  const split = await readOnlineRetailByTime(file, { holdoutDays: 30 });
  const events = await purchasesBefore(file, split.cutoff);
  const maps = { users: split.train.users, items: split.train.items };
  const weights = { purchase: 1 };
  const now = split.cutoff * 1000;
  const plain = eventsToInteractions(events, { weights, now, ...maps });
  if (plain.nnz !== split.train.nnz || plain.users.size !== split.train.users.size) throw new Error('the events do not rebuild the training set');
  const rows = [];
  const add = (label, s) => {
    for (const [model, m] of Object.entries(s)) {
      rows.push({ what: `${model} ${label} precision@10`, value: m.precision, unit: '' });
      rows.push({ what: `${model} ${label} recall@10`, value: m.recall, unit: '' });
      rows.push({ what: `${model} ${label} NDCG@10`, value: m.ndcg, unit: '' });
    }
  };
  log('no decay');
  add('no decay', await scores(plain, split.test, seeds));
  for (const h of halfLives) {
    log(`half-life ${h} days`);
    add(`half-life ${h} d`, await scores(eventsToInteractions(events, { weights, now, halfLifeDays: h, ...maps }), split.test, seeds));
  }
  return { name: 'recency', data: `Online Retail, ${events.length} purchase events before the last 30 days, ${split.test.nnz} held-out pairs`, rows };
}

await runScript(import.meta.url, ['half-lives', 'seeds'], measure);
