#!/usr/bin/env node
// RP3beta over a grid of (alpha, beta, neighbours, normalize): NDCG@10 on the
// validation slice the 'auto' choice uses (10% of each user's training
// interactions, seed 42; lib/models/item-item/validated-choice.ts) next to
// P@10 / NDCG@10 on the test part. Choices are made on the validation column
// only; the test columns say how a choice carries over. See NOTES-item-item.md.
//
//   npm run build:ts && node bench/investigations/rp3beta-grid.mjs [--sets ml100k,retail,mllatest]
//     [--alphas 0.5,0.75,0.85,1] [--betas 0.3,0.4,0.5,0.6,0.7] [--neighbours 100,300,1000] [--threads 2] [--json FILE]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RP3beta, evaluateTopK, perUserSplit, readInteractions, readOnlineRetailByTime } from '../../dist/index.js';

const { values: args } = parseArgs({
  options: {
    sets: { type: 'string', default: 'ml100k,retail,mllatest' },
    alphas: { type: 'string', default: '0.5,0.75,0.85,1' },
    betas: { type: 'string', default: '0.3,0.4,0.5,0.6,0.7' },
    neighbours: { type: 'string', default: '100,300,1000' },
    threads: { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.join(root, '..', 'shared', 'data');
const threads = Number(args.threads);
const list = (s) => s.split(',').map(Number);

const split = (interactions) => perUserSplit(interactions, { testFraction: 0.25, seed: 42 });
const SETS = {
  ml100k: async () => split((await readInteractions(path.join(shared, 'ml-100k', 'u.data'), { valueCol: null })).interactions),
  mllatest: async () => split((await readInteractions(path.join(shared, 'ml-latest-small', 'ratings.csv'), { valueCol: null })).interactions),
  retail: async () => readOnlineRetailByTime(path.join(shared, 'online-retail', 'online-retail.csv.gz'), { holdoutDays: 30 }),
};

const rows = [];
for (const name of args.sets.split(',')) {
  const { train, test } = await SETS[name]();
  const slice = perUserSplit(train, { testFraction: 0.1, seed: 42 });
  for (const alpha of list(args.alphas))
    for (const beta of list(args.betas))
      for (const neighbours of list(args.neighbours))
        for (const normalize of [false, true]) {
          const options = { alpha, beta, neighbours, normalize, threads };
          const v = await evaluateTopK(await new RP3beta(options).fit(slice.train), slice.train, slice.test, { k: 10, threads });
          const t = await evaluateTopK(await new RP3beta(options).fit(train), train, test, { k: 10, threads });
          const row = { set: name, alpha, beta, neighbours, normalize, valNdcg: v.ndcg, p10: t.precision, ndcg10: t.ndcg };
          rows.push(row);
          console.log([name, alpha, beta, neighbours, normalize, v.ndcg.toFixed(4), t.precision.toFixed(4), t.ndcg.toFixed(4)].join('\t'));
        }
}
if (args.json) writeFileSync(args.json, JSON.stringify(rows, null, 1));
