#!/usr/bin/env node
// ImplicitALS over a grid of (factors, regularization, alpha, iterations) on
// presence data: NDCG@10 and P@10 averaged over validation slices of the
// training part (10% of each user's interactions, seeds 1..--slices) next to
// P@10 / NDCG@10 on the test part. Choices are made on the validation columns
// only; the test columns say how a choice carries over. See NOTES-defaults.md.
//
//   npm run build:ts && node bench/investigations/als-grid.mjs [--sets ml100k,mllatest,retail]
//     [--factors 32,64,128] [--regs 0.1,0.25,0.5] [--alphas 1,2,4] [--iterations 15] [--slices 3] [--threads 2]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ImplicitALS, evaluateTopK, perUserSplit, readInteractions, readOnlineRetailByTime } from '../../dist/index.js';

const { values: args } = parseArgs({
  options: {
    sets: { type: 'string', default: 'ml100k' },
    factors: { type: 'string', default: '32,64,128' },
    regs: { type: 'string', default: '0.1,0.25,0.5' },
    alphas: { type: 'string', default: '1,2,4' },
    iterations: { type: 'string', default: '15' },
    slices: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    extra: { type: 'string', default: '{}' },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.join(root, '..', 'shared', 'data');
const threads = Number(args.threads);
const list = (s) => s.split(',').map(Number);
const extra = JSON.parse(args.extra);

const split = (interactions) => perUserSplit(interactions, { testFraction: 0.25, seed: 42 });
const SETS = {
  ml100k: async () => split((await readInteractions(path.join(shared, 'ml-100k', 'u.data'), { valueCol: null })).interactions),
  mllatest: async () => split((await readInteractions(path.join(shared, 'ml-latest-small', 'ratings.csv'), { valueCol: null })).interactions),
  retail: async () => readOnlineRetailByTime(path.join(shared, 'online-retail', 'online-retail.csv.gz'), { holdoutDays: 30 }),
};

for (const name of args.sets.split(',')) {
  const { train, test } = await SETS[name]();
  const slices = Array.from({ length: Number(args.slices) }, (_, s) => perUserSplit(train, { testFraction: 0.1, seed: s + 1 }));
  for (const factors of list(args.factors))
    for (const regularization of list(args.regs))
      for (const alpha of list(args.alphas))
        for (const iterations of list(args.iterations)) {
          const options = { factors, regularization, alpha, iterations, threads, ...extra };
          let vNdcg = 0;
          let vP = 0;
          for (const s of slices) {
            const v = await evaluateTopK(await new ImplicitALS(options).fit(s.train), s.train, s.test, { k: 10, threads });
            vNdcg += v.ndcg / slices.length;
            vP += v.precision / slices.length;
          }
          const t = await evaluateTopK(await new ImplicitALS(options).fit(train), train, test, { k: 10, threads });
          console.log(
            [name, factors, regularization, alpha, iterations, vNdcg.toFixed(4), vP.toFixed(4), t.precision.toFixed(4), t.ndcg.toFixed(4)].join('\t'),
          );
        }
}
