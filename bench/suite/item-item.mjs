#!/usr/bin/env node
// The item-to-item models side by side with their outside references.
//
// Accuracy (bench/lib/item-item-accuracy.mjs): MovieLens 100K (every rating a
// positive, per-user 75/25 split, seed 42, as bench/standalone/ml100k-ranking.mjs)
// and Online Retail (the last 30 days held out, readOnlineRetailByTime):
// P@10, recall@10 and NDCG@10 of every ranking family of the registry with
// its defaults and tuned (tune() on the training part only, validated on a
// random 10% of each user's training interactions, or with --validation time
// on the latest 10% of them: ML-100K is read without timestamps; another share
// with --validation-share), popularity, and
// the references of bench/suite/reference/ (numpy EASE, scipy RP3beta,
// implicit's BM25/cosine/TF-IDF item-KNN), all lists scored by evaluateLists.
//
// Speed (bench/lib/item-item-speed.mjs): EASE fit seconds and peak RSS, mfrec
// against numpy EASE, and BM25 item-KNN fit seconds, mfrec against implicit's
// BM25Recommender, on synthetic data of 1.7k, 3.7k and 10k items (30k with
// --large), users = 4 × items, ~50 interactions per user, alternating.
//
//   node bench/suite/item-item.mjs [--implicit DIR] [--python /usr/bin/python3]
//     [--parts accuracy,speed] [--sets ml100k,retail] [--budget 20] [--no-tune] [--validation holdout|time] [--validation-share 0.1]
//     [--sizes 1700,3700,10000] [--large] [--runs 3] [--ease '{json}'] [--knn '{json}']
//     [--neighbours 100] [--numpy-dtype float32] [--families ease,knn] [--mfrec-only] [--quick] [--json]
//
// implicit is not part of this project: build it outside the repository
// (bench/investigations/NOTES-reference-tools.md) and point --implicit (or
// MFREC_IMPLICIT) at the folder holding the `implicit` package; without it
// the implicit rows are left out. MovieLens is read from ../shared/data/ml-100k
// (or MFREC_ML100K) and Online Retail from ../shared/data/online-retail (or
// MFREC_RETAIL), never copied into the project; the hand-off files go to
// bench/.data/ and are removed after use.
import path from 'node:path';
import { perUserSplit, readInteractions, readOnlineRetailByTime } from '../../dist/index.js';
import { log, numberList, repoRoot, runScript } from '../lib/common.mjs';
import { accuracyRows } from '../lib/item-item-accuracy.mjs';
import { speedRows } from '../lib/item-item-speed.mjs';
import { defaultPython } from '../lib/reference-driver.mjs';
import { accuracyTable, speedTables } from '../lib/item-item-tables.mjs';

const shared = path.join(repoRoot, '..', 'shared', 'data');

async function loadSplit(name) {
  if (name === 'ml100k') {
    const dir = process.env.MFREC_ML100K ?? path.join(shared, 'ml-100k');
    const { interactions } = await readInteractions(path.join(dir, 'u.data'), { valueCol: null });
    return { name, label: 'ML-100K (per-user 75/25, seed 42)', ...perUserSplit(interactions, { testFraction: 0.25, seed: 42 }) };
  }
  if (name === 'retail') {
    const dir = process.env.MFREC_RETAIL ?? path.join(shared, 'online-retail');
    const { train, test } = await readOnlineRetailByTime(path.join(dir, 'online-retail.csv.gz'), { holdoutDays: 30 });
    return { name, label: 'Online Retail (last 30 days held out)', train, test };
  }
  throw new Error(`unknown set ${name} (known: ml100k, retail)`);
}

/** 'implicit BM25 (K = 100, as mfrec)' → 'implicit-bm25-k-100-as-mfrec': a name for figure ids. */
const slug = (text) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The best mfrec row (defaults or tuned, popularity aside) and the best reference row of a set, per metric. */
function bestRows(name, results) {
  const best = (rows, metric) => rows.reduce((a, r) => (a === undefined || r[metric] > a[metric] ? r : a), undefined);
  const ours = results.filter((r) => r.type !== 'reference' && r.type !== 'popularity');
  const theirs = results.filter((r) => r.type === 'reference');
  return ['precision', 'ndcg'].flatMap((metric) =>
    [
      ['mfrec', best(ours, metric)],
      ['reference', best(theirs, metric)],
    ]
      .filter(([, r]) => r)
      .map(([side, r]) => ({
        id: `itemitem.${name}.best-${side}.${metric}`,
        what: `${name}: best ${side} ${metric}@10`,
        value: r[metric],
        unit: '',
        note: `${r.model} ${r.setting}`,
      })),
  );
}

const json = (text, flag) => {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`--${flag}: not JSON: ${text}`);
  }
};

export async function measure(flags) {
  const quick = Boolean(flags.quick);
  const python = flags.python ?? process.env.MFREC_PYTHON ?? defaultPython();
  const implicitDir = typeof flags.implicit === 'string' ? flags.implicit : process.env.MFREC_IMPLICIT;
  const parts = String(flags.parts ?? 'accuracy,speed').split(',');
  const rows = [];
  const described = [];
  const tables = [];

  if (parts.includes('accuracy')) {
    const budget = Number(flags.budget ?? (quick ? 6 : 20));
    const validation = String(flags.validation ?? 'holdout');
    if (!['holdout', 'time'].includes(validation)) throw new Error(`--validation: holdout or time, not ${validation}`);
    const validationShare = Number(flags['validation-share'] ?? 0.1);
    for (const name of String(flags.sets ?? 'ml100k,retail').split(',')) {
      const split = await loadSplit(name);
      log(`${split.label}: ${split.train.nUsers} users × ${split.train.nItems} items, ${split.train.nnz} train, ${split.test.nnz} test`);
      described.push(`${split.label}: ${split.train.nnz} train / ${split.test.nnz} test`);
      const results = await accuracyRows(split, { budget, python, implicitDir, tuneFamilies: !flags['no-tune'], validation, validationShare });
      tables.push(accuracyTable(split.label, results));
      rows.push(...bestRows(name, results));
      for (const r of results) {
        for (const metric of ['precision', 'recall', 'ndcg']) {
          rows.push({
            id: `itemitem.${name}.${slug(r.model)}.${slug(r.setting.split(' ')[0]) || 'baseline'}.${metric}`,
            what: `${name} ${r.model} ${r.setting} ${metric}@10`,
            value: r[metric],
            unit: '',
            note: r.params ? JSON.stringify(r.params) : '',
          });
        }
      }
    }
  }

  if (parts.includes('speed')) {
    const sizes = numberList(flags.sizes, quick ? [1700, 3700] : [1700, 3700, 10000]);
    if (flags.large) sizes.push(30000);
    const results = await speedRows({
      sizes,
      runs: Number(flags.runs ?? (quick ? 1 : 3)),
      python,
      implicitDir,
      easeOptions: json(flags.ease, 'ease'),
      knnOptions: { weighting: 'bm25', neighbours: Number(flags.neighbours ?? 100), ...json(flags.knn, 'knn') },
      knnNeighbours: Number(flags.neighbours ?? 100),
      numpyDtype: String(flags['numpy-dtype'] ?? 'float32'),
      families: String(flags.families ?? 'ease,knn').split(','),
      references: !flags['mfrec-only'],
    });
    tables.push(...speedTables(results));
    described.push(`speed: synthetic ${sizes.join(', ')} items`);
    for (const r of results) {
      for (const [family, sides] of Object.entries({ ease: r.ease, knn: r.knn })) {
        for (const [side, s] of Object.entries(sides)) {
          if (!s || typeof s !== 'object') continue;
          rows.push({
            id: `itemitem.speed.${family}.${side}.${r.items}`,
            what: `${family} fit, ${side}, ${r.items} items`,
            value: s.fitSeconds,
            unit: 's',
            note: `peak RSS ${s.peakRssMB.toFixed(0)} MB; rounds ${s.rounds.join(', ')}`,
          });
        }
      }
    }
  }
  for (const table of tables) log(`\n${table}`);
  return { name: 'item-to-item models and references', data: described.join('; '), rows, tables };
}

await runScript(
  import.meta.url,
  [
    'implicit',
    'python',
    'parts',
    'sets',
    'budget',
    'no-tune',
    'validation',
    'validation-share',
    'sizes',
    'large',
    'runs',
    'ease',
    'knn',
    'neighbours',
    'numpy-dtype',
    'families',
    'mfrec-only',
  ],
  measure,
);
