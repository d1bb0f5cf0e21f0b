/**
 * Train/test splits of an {@link Interactions} set. Every split is seeded
 * (lib/random.ts), so the same seed gives the same split on every platform,
 * and both sides share the source's id maps: indices line up, and a model
 * trained on `train` can be evaluated on `test` by raw id.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { Rng } from '../random.js';
import { integer, invalid, knownOptions, number, seed as checkSeed } from '../validate.js';
import { Interactions } from './interactions.js';

export interface Split {
  train: Interactions;
  test: Interactions;
}

function checkData(where: string, data: unknown): Interactions {
  if (!(data instanceof Interactions)) throw invalid('an Interactions instance', `${where} data`, data);
  if (data.nnz === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, `Cannot split an empty set of interactions (${where})`);
  return data;
}

function fraction(name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : number(name, value, { min: 0, max: 1, exclusiveMin: true });
}

function seedOf(value: unknown): number {
  return value === undefined ? 42 : checkSeed('seed', value);
}

/** All entry positions 0..n-1 in a seeded random order. */
function shuffledEntries(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  return new Rng(seed).shuffle(order);
}

/** Splits by entry positions: `isTest[e]` marks the test side. */
function byMask(data: Interactions, isTest: Uint8Array): Split {
  let nTest = 0;
  for (let e = 0; e < isTest.length; e++) nTest += isTest[e]!;
  const train = new Int32Array(isTest.length - nTest);
  const test = new Int32Array(nTest);
  let a = 0;
  let b = 0;
  for (let e = 0; e < isTest.length; e++) {
    if (isTest[e]) test[b++] = e;
    else train[a++] = e;
  }
  return { train: data.select(train), test: data.select(test) };
}

/**
 * A uniformly random split: round(nnz × testFraction) interactions go to test.
 * Defaults: testFraction 0.2 (in (0, 1]), seed 42.
 */
export function randomSplit(data: Interactions, options?: { testFraction?: number; seed?: number }): Split {
  const o = knownOptions('randomSplit', options, ['testFraction', 'seed']);
  const d = checkData('randomSplit', data);
  const f = fraction('testFraction', o.testFraction, 0.2);
  const order = shuffledEntries(d.nnz, seedOf(o.seed));
  const nTest = Math.round(d.nnz * f);
  const isTest = new Uint8Array(d.nnz);
  for (let k = 0; k < nTest; k++) isTest[order[k]!] = 1;
  return byMask(d, isTest);
}

/**
 * K-fold cross-validation splits: the interactions are shuffled once and cut
 * into `folds` nearly equal parts; split f tests on part f and trains on the
 * rest, so the test sets are disjoint and together cover every interaction.
 * Defaults: folds 5 (integer in [2, min(nnz, 100)]: every split holds a copy
 * of the data, so folds are bounded), seed 42.
 */
/** Most folds kFold makes: each split is a full copy of the data. */
export const MAX_FOLDS = 100;

export function kFold(data: Interactions, options?: { folds?: number; seed?: number }): Split[] {
  const o = knownOptions('kFold', options, ['folds', 'seed']);
  const d = checkData('kFold', data);
  const folds = o.folds === undefined ? 5 : integer('folds', o.folds, 2, MAX_FOLDS);
  if (folds > d.nnz) throw invalid(`integer in [2, ${d.nnz}] (at most one fold per interaction)`, 'folds', folds);
  const order = shuffledEntries(d.nnz, seedOf(o.seed));
  const foldOf = new Uint32Array(d.nnz);
  // Part f is positions [floor(f n / folds), floor((f + 1) n / folds)) of the shuffled order.
  for (let f = 0; f < folds; f++) {
    const end = Math.floor(((f + 1) * d.nnz) / folds);
    for (let k = Math.floor((f * d.nnz) / folds); k < end; k++) foldOf[order[k]!] = f;
  }
  const splits: Split[] = [];
  for (let f = 0; f < folds; f++) {
    const isTest = new Uint8Array(d.nnz);
    for (let e = 0; e < d.nnz; e++) isTest[e] = foldOf[e] === f ? 1 : 0;
    splits.push(byMask(d, isTest));
  }
  return splits;
}

/**
 * A split stratified by user: every user with at least minTrain + 1
 * interactions sends max(1, round(n × testFraction)) of their n interactions
 * (chosen at random, capped so that minTrain stay) to test; users with fewer
 * keep everything in train. Defaults: testFraction 0.25, seed 42, minTrain 1.
 */
export function perUserSplit(data: Interactions, options?: { testFraction?: number; seed?: number; minTrain?: number }): Split {
  const o = knownOptions('perUserSplit', options, ['testFraction', 'seed', 'minTrain']);
  const d = checkData('perUserSplit', data);
  const f = fraction('testFraction', o.testFraction, 0.25);
  const minTrain = o.minTrain === undefined ? 1 : integer('minTrain', o.minTrain, 0);
  const rng = new Rng(seedOf(o.seed));
  const { indptr } = d.byUser;
  const isTest = new Uint8Array(d.nnz);
  for (let u = 0; u < d.nUsers; u++) {
    const start = indptr[u]!;
    const n = indptr[u + 1]! - start;
    if (n < minTrain + 1) continue;
    const nTest = Math.min(Math.max(1, Math.round(n * f)), n - minTrain);
    const picks = new Int32Array(n);
    for (let k = 0; k < n; k++) picks[k] = start + k;
    rng.shuffle(picks);
    for (let k = 0; k < nTest; k++) isTest[picks[k]!] = 1;
  }
  return byMask(d, isTest);
}

/**
 * A split in time: interactions before `at` train, those at or after `at`
 * test; or, with `testFraction`, the latest round(nnz × testFraction)
 * interactions test (ties in time keep storage order). Give exactly one of
 * the two. Needs timestamps (ERR_MFREC_INVALID_ARGUMENT otherwise).
 */
export function timeSplit(data: Interactions, options: { at?: number; testFraction?: number }): Split {
  const o = knownOptions('timeSplit', options, ['at', 'testFraction']);
  const d = checkData('timeSplit', data);
  const times = d.byUser.timestamps;
  if (times === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'timeSplit needs interactions with timestamps, and these have none');
  }
  if ((o.at === undefined) === (o.testFraction === undefined)) {
    throw invalid('exactly one of at and testFraction', 'timeSplit options', o);
  }
  const isTest = new Uint8Array(d.nnz);
  if (o.at !== undefined) {
    const at = number('at', o.at);
    for (let e = 0; e < d.nnz; e++) isTest[e] = times[e]! >= at ? 1 : 0;
  } else {
    const f = fraction('testFraction', o.testFraction, 0.2);
    markLatest(times, Math.round(d.nnz * f), isTest);
  }
  return byMask(d, isTest);
}

/**
 * Marks the `count` latest entries in `isTest`, ties in time broken by
 * storage order (the later position is the later entry): the last `count` of
 * a stable sort by time, found without sorting the entries. The time at the
 * cut comes from a plain numeric sort of the times (native, no comparator
 * call per pair: on 20M entries a comparator sort took tens of seconds);
 * entries after it are test, and of the entries at it, the last ones by
 * position fill up the count.
 */
function markLatest(times: Float64Array, count: number, isTest: Uint8Array): void {
  const n = times.length;
  if (count <= 0) return;
  const sorted = Float64Array.from(times).sort();
  const cut = sorted[n - count]!;
  let after = 0;
  for (let e = 0; e < n; e++) {
    // NaN has no place in time: refused rather than put anywhere.
    if (Number.isNaN(times[e])) throw invalid('a timestamp that is a number', `timestamps[${e}]`, times[e]);
    if (times[e]! > cut) {
      isTest[e] = 1;
      after++;
    }
  }
  let atCut = count - after;
  for (let e = n - 1; e >= 0 && atCut > 0; e--) {
    if (times[e] === cut) {
      isTest[e] = 1;
      atCut--;
    }
  }
}
