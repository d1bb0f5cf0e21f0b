/**
 * How a search holds data out: only ever from the training data it was
 * given (a caller's test set never enters tune()). Implicit models split per
 * user, so every validated user keeps most of their history to be
 * recommended from, as perUserSplit does for a final test; a search on
 * rating error splits ratings uniformly, as that evaluation assumes. A
 * rating model searched on a ranking metric is split per user like the
 * others, so every family's scores for one metric come from the same split.
 * On timestamped data a search can validate on the latest interactions
 * instead ('time', see time-validation.ts), for every family and metric.
 */
import type { Interactions } from '../data/interactions.js';
import { kFold, perUserSplit, randomSplit, type Split } from '../data/split.js';
import { Rng } from '../random.js';
import { integer, invalid, knownOptions, number, oneOf } from '../validate.js';
import { latestPartSplit } from './time-validation.js';

export type ValidationOptions = { kind: 'holdout'; testFraction?: number } | { kind: 'kfold'; folds?: number } | { kind: 'time'; testFraction?: number };
export type ResolvedValidation = { kind: 'holdout'; testFraction: number } | { kind: 'kfold'; folds: number } | { kind: 'time'; testFraction: number };

export const DEFAULT_VALIDATION: ResolvedValidation = { kind: 'holdout', testFraction: 0.2 };

export function resolveValidation(value: unknown): ResolvedValidation {
  if (value === undefined) return DEFAULT_VALIDATION;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid("{ kind: 'holdout', testFraction? }, { kind: 'kfold', folds? } or { kind: 'time', testFraction? }", 'validation', value);
  }
  const kind = oneOf('validation.kind', (value as { kind?: unknown }).kind, ['holdout', 'kfold', 'time'] as const);
  if (kind === 'holdout' || kind === 'time') {
    const o = knownOptions('validation', value, ['kind', 'testFraction']);
    const f = o.testFraction === undefined ? 0.2 : number('validation.testFraction', o.testFraction, { min: 0, max: 0.9, exclusiveMin: true });
    return { kind, testFraction: f };
  }
  const o = knownOptions('validation', value, ['kind', 'folds']);
  return { kind, folds: o.folds === undefined ? 5 : integer('validation.folds', o.folds, 2, 20) };
}

/** One line saying how a search validated: 'holdout 0.2 of TRAIN', '5-fold cross-validation of TRAIN', 'latest 0.2 of TRAIN by time'. */
export function describeValidation(v: ResolvedValidation, data = 'TRAIN'): string {
  if (v.kind === 'holdout') return `holdout ${v.testFraction} of ${data}`;
  if (v.kind === 'time') return `latest ${v.testFraction} of ${data} by time`;
  return `${v.folds}-fold cross-validation of ${data}`;
}

/**
 * K folds stratified by user: each user's interactions are shuffled and dealt
 * round-robin into the folds from a random starting fold, so fold f holds
 * about n/K of every user's n interactions. A user with a single interaction
 * always stays in training (there would be nothing to recommend from).
 */
export function perUserKFold(data: Interactions, folds: number, seed: number): Split[] {
  const rng = new Rng(seed);
  const { indptr } = data.byUser;
  const foldOf = new Int8Array(data.nnz).fill(-1);
  for (let u = 0; u < data.nUsers; u++) {
    const start = indptr[u]!;
    const n = indptr[u + 1]! - start;
    if (n < 2) continue;
    const picks = new Int32Array(n);
    for (let k = 0; k < n; k++) picks[k] = start + k;
    rng.shuffle(picks);
    const first = rng.below(folds);
    for (let k = 0; k < n; k++) foldOf[picks[k]!] = (first + k) % folds;
  }
  const splits: Split[] = [];
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let e = 0; e < data.nnz; e++) (foldOf[e] === f ? test : train).push(e);
    splits.push({ train: data.select(train), test: data.select(test) });
  }
  return splits;
}

/** The (train, validation) pairs every configuration is scored on, sharing `data`'s id maps. */
export function validationSplits(data: Interactions, byRatings: boolean, validation: ResolvedValidation, seed: number): Split[] {
  const implicit = !byRatings;
  if (validation.kind === 'time') return [latestPartSplit(data, validation.testFraction)];
  if (validation.kind === 'holdout') {
    const options = { testFraction: validation.testFraction, seed };
    return [implicit ? perUserSplit(data, options) : randomSplit(data, options)];
  }
  return implicit ? perUserKFold(data, validation.folds, seed) : kFold(data, { folds: validation.folds, seed });
}
