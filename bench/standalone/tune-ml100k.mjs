#!/usr/bin/env node
// Hyperparameter search on MovieLens 100K as implicit feedback (every rating a
// positive): a 75/25 split stratified by user; tune() sees only the 75% part
// and scores configurations on its own inner validation split of it; the
// final model (best configuration retrained on all of the 75%) is then
// measured once on the 25% part, next to the model's defaults and popularity.
//
//   npm run build:ts && node bench/standalone/tune-ml100k.mjs [--model als] [--budget 20] [--strategy halving|random]
//       [--metric precision@10] [--validation-fraction 0.1 | --folds K] [--split-seed 42] [--seed 42]
//
// Reads ../shared/data/ml-100k/u.data (or MFREC_ML100K); never copied into the project.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BPR, ImplicitALS, compareRanking, perUserSplit, readInteractions, tune } from '../../dist/index.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'als' },
    budget: { type: 'string', default: '20' },
    strategy: { type: 'string', default: 'halving' },
    metric: { type: 'string', default: 'precision@10' },
    'validation-fraction': { type: 'string', default: '0.1' },
    folds: { type: 'string' },
    'split-seed': { type: 'string', default: '42' },
    seed: { type: 'string', default: '42' },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = process.env.MFREC_ML100K ?? path.join(root, '..', 'shared', 'data', 'ml-100k');

const { interactions } = await readInteractions(path.join(dir, 'u.data'), { valueCol: null });
const { train, test } = perUserSplit(interactions, { testFraction: 0.25, seed: Number(args['split-seed']) });
const validation = args.folds ? { kind: 'kfold', folds: Number(args.folds) } : { kind: 'holdout', testFraction: Number(args['validation-fraction']) };

const result = await tune(train, {
  model: args.model,
  budget: Number(args.budget),
  strategy: args.strategy,
  metric: args.metric,
  validation,
  seed: Number(args.seed),
});
const defaults = args.model === 'bpr' ? new BPR() : new ImplicitALS();
await defaults.fit(train);
const report = compareRanking({ tuned: result.model, defaults }, train, test, { k: 10 });

const v = validation.kind === 'holdout' ? `holdout ${validation.testFraction} per user` : `${validation.folds}-fold per user`;
console.log(`ML-100K implicit, per-user 75/25 (split seed ${args['split-seed']}): ${train.nnz} train, ${test.nnz} test`);
console.log(`tune ${args.model}: ${result.strategy}, budget ${args.budget}, metric ${result.metric}, validation ${v} of train, seed ${args.seed}`);
console.log(
  `  plan ${result.plan.rungs.map((r) => `${r.configurations}×${r.iterations}`).join(' → ')} iterations: ${result.trials.length} trials in ${result.seconds.toFixed(1)} s`,
);
console.log(`  best: configuration ${result.best.config}${result.best.config === 0 ? ' (the defaults)' : ''}, ${JSON.stringify(result.best.params)}`);
console.log(`  validation ${result.metric}: ${result.best.score.toFixed(4)}`);
const defaultsTrial = result.trials.filter((t) => t.config === 0).at(-1);
if (defaultsTrial) console.log(`  defaults on the same validation (rung ${defaultsTrial.rung ?? '-'}): ${defaultsTrial.score.toFixed(4)}`);
console.log('test @10       precision  recall   ndcg     map      auc');
for (const [name, m] of Object.entries(report.models)) {
  console.log(`${name.padEnd(15)}${[m.precision, m.recall, m.ndcg, m.map, m.auc].map((x) => x.toFixed(4).padEnd(9)).join('')}`);
}
