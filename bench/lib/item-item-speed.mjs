// The speed tables of bench/suite/item-item.mjs: EASE fit time and peak
// resident set, mfrec against the numpy EASE of bench/suite/reference/ease.py,
// and item-KNN (BM25) fit time, mfrec against implicit's BM25Recommender, on
// the same synthetic data in the same run. Each fit runs in a process of its
// own (its peak RSS is its own); within a round mfrec and the reference
// alternate, so a change in the machine's load hits both.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { MODELS } from '../../dist/models/registry.js';
import { benchDir, log, median } from './common.mjs';
import { dataDir, removeCsr, runDriver, writeCsr } from './reference-driver.mjs';

/** Users ≈ 4 × items, about 50 interactions per user, power-law popularity and activity. */
export async function speedData(items, seed = 13) {
  const { syntheticPowerLaw } = await import('../generators/synthetic.mjs');
  const users = 4 * items;
  return syntheticPowerLaw(users, items, 50 * users, seed);
}

function mfrecFit(prefix, data, type, options) {
  const child = path.join(benchDir, 'lib', 'fit-in-child.mjs');
  const out = execFileSync(process.execPath, [child, prefix, data.nUsers, data.nItems, type, JSON.stringify(options)].map(String), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop());
}

/** Median of each field over rounds, and the rounds' fit seconds for the note. */
function summary(reports) {
  return {
    fitSeconds: median(reports.map((r) => r.fitSeconds)),
    peakRssMB: median(reports.map((r) => r.peakRssMB)),
    rssBeforeFitMB: median(reports.map((r) => r.rssBeforeFitMB)),
    rounds: reports.map((r) => Number(r.fitSeconds.toFixed(3))),
  };
}

/**
 * One entry per size: `{ items, users, nnz, ease: { mfrec, numpy }, knn: { mfrec, implicit } }`,
 * each side `summary()` or undefined when it could not run (no such family, no implicit).
 */
export async function speedRows({
  sizes,
  runs,
  python,
  implicitDir,
  easeOptions,
  knnOptions,
  knnNeighbours,
  numpyDtype,
  families = ['ease', 'knn'],
  references = true,
}) {
  const hasEase = 'ease' in MODELS && families.includes('ease');
  const hasKnn = 'itemknn' in MODELS && families.includes('knn');
  const numpyEase = references && families.includes('ease');
  const implicitKnn = references && families.includes('knn') && implicitDir;
  if (!('ease' in MODELS)) log('  EASE speed: mfrec side not run (no ease family in the registry)');
  if (!('itemknn' in MODELS)) log('  item-KNN speed: mfrec side not run (no itemknn family in the registry)');
  const lambda = Number(easeOptions.lambda ?? MODELS.ease?.defaults?.lambda ?? 100);
  const results = [];
  for (const items of sizes) {
    const data = await speedData(items);
    const prefix = path.join(dataDir, `item-item-speed-${items}-${process.pid}`);
    writeCsr(data, prefix);
    log(`  ${data.nUsers} users × ${data.nItems} items × ${data.nnz} interactions`);
    const sides = { easeMfrec: [], easeNumpy: [], knnMfrec: [], knnImplicit: [] };
    try {
      for (let r = 0; r < runs; r++) {
        // Past EASE's default item bound the run raises it: the table measures the fit, not the refusal.
        if (hasEase) sides.easeMfrec.push(mfrecFit(prefix, data, 'ease', { maxItems: Math.max(items, MODELS.ease.defaults.maxItems ?? 0), ...easeOptions }));
        if (numpyEase) sides.easeNumpy.push(runDriver(python, 'ease.py', ['fit', prefix, data.nUsers, data.nItems, lambda, numpyDtype]));
        if (hasKnn) sides.knnMfrec.push(mfrecFit(prefix, data, 'itemknn', knnOptions));
        if (implicitKnn) sides.knnImplicit.push(runDriver(python, 'itemknn.py', ['fit', prefix, data.nUsers, data.nItems, knnNeighbours, 2], { implicitDir }));
        const last = (xs) => (xs.length ? `${xs.at(-1).fitSeconds.toFixed(3)} s (peak ${Math.round(xs.at(-1).peakRssMB)} MB)` : '-');
        log(
          `    round ${r + 1}: EASE mfrec ${last(sides.easeMfrec)}, numpy ${last(sides.easeNumpy)}; BM25 mfrec ${last(sides.knnMfrec)}, implicit ${last(sides.knnImplicit)}`,
        );
      }
    } finally {
      removeCsr(prefix);
    }
    const of = (xs) => (xs.length ? summary(xs) : undefined);
    results.push({
      items: data.nItems,
      users: data.nUsers,
      nnz: data.nnz,
      ease: { mfrec: of(sides.easeMfrec), numpy: of(sides.easeNumpy), lambda, numpyDtype },
      knn: { mfrec: of(sides.knnMfrec), implicit: of(sides.knnImplicit), neighbours: knnNeighbours },
    });
  }
  return results;
}
