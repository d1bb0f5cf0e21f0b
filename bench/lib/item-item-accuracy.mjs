// The accuracy table of bench/suite/item-item.mjs: on one train/test split,
// every ranking family of the registry with its defaults and tuned (tune()
// on the training part only), popularity, and each outside reference (the
// Python drivers of bench/suite/reference/), every top-10 list scored by the
// one evaluator, evaluateLists.
import path from 'node:path';
import { Popularity, evaluateLists, tune } from '../../dist/index.js';
import { MODEL_TYPES, MODELS } from '../../dist/models/registry.js';
import { log, seconds } from './common.mjs';
import { dataDir, readLists, removeCsr, runDriver, writeCsr } from './reference-driver.mjs';

/** A recommender's top-k lists for every training user, in train's dense item indices. */
async function listsOf(model, train, k) {
  const users = Array.from({ length: train.nUsers }, (_, u) => train.users.id(u));
  const batch = await model.recommendBatch(users, { k, filterSeen: true });
  return (u) => {
    const row = new Int32Array(k).fill(-1);
    for (let j = 0; j < batch.k; j++) {
      const m = batch.items[u * batch.k + j];
      if (m < 0) break;
      row[j] = train.items.index(batch.itemId(m)) ?? -1;
    }
    return row;
  };
}

function scored(listOf, train, test, k) {
  const m = evaluateLists(listOf, train, test, { k });
  return { precision: m.precision, recall: m.recall, ndcg: m.ndcg, users: m.users };
}

/** The outside references: [label, driver script, arguments after PREFIX ROWS COLS K OUT, needs implicit]. */
const REFERENCES = [
  ['numpy EASE (λ tuned)', 'ease.py', ['lists'], []],
  ['scipy RP3beta (α, β, K tuned)', 'rp3beta.py', [], []],
  ['implicit BM25 (defaults)', 'itemknn.py', ['lists'], ['bm25']],
  ['implicit BM25 (K = 100, as mfrec)', 'itemknn.py', ['lists'], ['bm25', 100]],
  ['implicit cosine (defaults)', 'itemknn.py', ['lists'], ['cosine']],
  ['implicit TF-IDF (defaults)', 'itemknn.py', ['lists'], ['tfidf']],
];

/**
 * Rows `{ model, setting, precision, recall, ndcg, users, fitSeconds, params }`
 * for the split `{ name, train, test }`. `validation` is the kind tune()
 * validates on: 'holdout' (per user) or 'time' (needs timestamps), holding
 * out `validationShare` of the training part.
 */
export async function accuracyRows(split, { k = 10, budget = 20, python, implicitDir, tuneFamilies = true, validation = 'holdout', validationShare = 0.1 }) {
  const { name, train, test } = split;
  const rows = [];
  const add = (row) => {
    rows.push(row);
    log(`  ${name} ${row.model} ${row.setting}: P@${k} ${row.precision.toFixed(4)}, recall ${row.recall.toFixed(4)}, NDCG ${row.ndcg.toFixed(4)}`);
  };

  for (const type of MODEL_TYPES) {
    const traits = MODELS[type];
    if (traits.kind !== 'ranking') continue;
    // The defaults as `mfrec train` applies them: adapted to the data where the family adapts them.
    const model = traits.create({ ...(traits.adaptDefaults?.(train) ?? {}) });
    const fitSeconds = await seconds(() => model.fit(train));
    add({ model: traits.label, type, setting: 'defaults', ...scored(await listsOf(model, train, k), train, test, k), fitSeconds });
    if (!tuneFamilies) continue;
    let result;
    const tuneSeconds = await seconds(async () => {
      // tune() picks halving, or random search for a one-shot family (EASE, item-KNN, RP3beta).
      // 'time' validates on the latest share of the training interactions instead of that share of each user's, at random.
      result = await tune(train, { model: type, budget, validation: { kind: validation, testFraction: validationShare }, seed: 42 });
    });
    add({
      model: traits.label,
      type,
      setting: `tuned (${result.strategy}, budget ${budget}${validation === 'holdout' ? '' : `, ${validation} validation`}${validationShare === 0.1 ? '' : `, share ${validationShare}`})`,
      ...scored(await listsOf(result.model, train, k), train, test, k),
      fitSeconds: tuneSeconds,
      params: result.best.params,
    });
  }

  const popularity = new Popularity();
  const popSeconds = await seconds(() => popularity.fit(train));
  add({ model: 'popularity', type: 'popularity', setting: '', ...scored(await listsOf(popularity, train, k), train, test, k), fitSeconds: popSeconds });

  const prefix = path.join(dataDir, `item-item-${name}-${process.pid}`);
  writeCsr(train, prefix);
  try {
    for (const [label, script, mode, extra] of REFERENCES) {
      if (script === 'itemknn.py' && !implicitDir) {
        log(`  ${name} ${label}: not run (no --implicit / MFREC_IMPLICIT)`);
        continue;
      }
      const out = `${prefix}.lists`;
      const report = runDriver(python, script, [...mode, prefix, train.nUsers, train.nItems, k, out, ...extra], { implicitDir });
      add({
        model: label,
        type: 'reference',
        setting: 'reference',
        ...scored(readLists(out, train.nUsers, k), train, test, k),
        fitSeconds: report.fitSeconds,
        params: report.params,
        versions: versionsOf(report),
      });
    }
  } finally {
    removeCsr(prefix);
  }
  return rows;
}

function versionsOf(report) {
  return Object.fromEntries(['implicit', 'numpy', 'scipy'].filter((key) => report[key]).map((key) => [key, report[key]]));
}
