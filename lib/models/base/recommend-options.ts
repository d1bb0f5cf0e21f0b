/**
 * The options every recommender's recommend() takes, validated in one place
 * (factor models and the popularity baseline share them), and the result
 * shapes they return.
 */
import type { IdMap, RawId } from '../../data/id-map.js';
import { boolean, DEFAULT_K, integer, invalid, knownOptions, MAX_K, oneOf } from '../../validate.js';
import { checkRules, type RankingRules } from './ranking-rules.js';

export interface RecommendOptions {
  /** Number of items per user, integer in [1, 2^31 - 1]. Default 10. Larger than the catalogue: every item that qualifies. */
  k?: number;
  /** Leave out the items the user interacted with in training. Default true. */
  filterSeen?: boolean;
  /** Items never recommended. Ids the model does not know are ignored. */
  exclude?: RawId[];
  /**
   * Rank exactly this subset (for instance to re-rank search results).
   * Ids the model does not know are skipped; duplicates count once.
   */
  candidates?: RawId[];
  /**
   * A user the model does not know, or one with no training interactions:
   * 'popular' (default) recommends the most popular items, marked
   * `source: 'cold-start'`, with the share of training users who interacted
   * with each item as score (in [0, 1], not a model score); 'error' throws
   * ERR_MFREC_UNKNOWN_ID.
   */
  coldStart?: 'popular' | 'error';
  /** Threads for batch calls, 0 = all hardware threads. Default 0 (batch), 1 (single user). */
  threads?: number;
  /**
   * Search the model's approximate index (buildIndex) instead of scoring
   * every item: far faster on large catalogues, at a recall below 1 that
   * `ef` trades against speed (docs/approximate.md). Default false.
   */
  approximate?: boolean;
  /** With `approximate`: results kept while searching, integer >= 1. Default: the index's `ef`. */
  ef?: number;
  /** Business rules compiled once with `model.compileRules()` (allowed items, exclusions, category caps, diversity); they add to `exclude` and `candidates`. */
  rules?: RankingRules;
}

/** The options of the asynchronous batch calls: the recommend options plus cancellation. */
export interface BatchRecommendOptions extends RecommendOptions {
  /** Cancels the call: its Promise then rejects with ERR_MFREC_ABORTED (checked inside the native kernel too). */
  signal?: AbortSignal;
}

/**
 * Where a recommendation comes from: 'model' (ranked by the model's scores) or
 * 'cold-start' (the popularity fallback for a user the model cannot score;
 * the score is then the share of training users who interacted with the item).
 */
export type RecommendationSource = 'model' | 'cold-start';

export interface Recommendation {
  item: RawId;
  score: number;
  source: RecommendationSource;
}

export const COLD_START_POLICIES = ['popular', 'error'] as const;
export const RECOMMEND_OPTION_NAMES = ['k', 'filterSeen', 'exclude', 'candidates', 'coldStart', 'threads', 'rules', 'approximate', 'ef'] as const;

/** Options resolved to dense indices with defaults applied. */
export interface ResolvedRecommendOptions {
  k: number;
  filterSeen: boolean;
  /** Dense item indices, strictly increasing (known ids only). */
  exclude: Int32Array | undefined;
  candidates: Int32Array | undefined;
  coldStart: 'popular' | 'error';
  threads: number | undefined;
  approximate: boolean;
  ef: number | undefined;
  rules: RankingRules | undefined;
}

/**
 * Validates `options` for `where` (a method name used in messages) against
 * the `known` option names, mapping item ids through `items`.
 */
export function resolveRecommendOptions(
  where: string,
  options: unknown,
  items: IdMap,
  known: readonly string[] = RECOMMEND_OPTION_NAMES,
): ResolvedRecommendOptions {
  const o = knownOptions(where, options, known);
  return {
    k: o.k === undefined ? DEFAULT_K : integer('k', o.k, 1, MAX_K),
    filterSeen: o.filterSeen === undefined ? true : boolean('filterSeen', o.filterSeen),
    exclude: o.exclude === undefined ? undefined : itemIndices('exclude', o.exclude, items),
    candidates: o.candidates === undefined ? undefined : itemIndices('candidates', o.candidates, items),
    coldStart: o.coldStart === undefined ? 'popular' : oneOf('coldStart', o.coldStart, COLD_START_POLICIES),
    threads: o.threads === undefined ? undefined : integer('threads', o.threads, 0, 256),
    approximate: o.approximate === undefined ? false : boolean('approximate', o.approximate),
    ef: o.ef === undefined ? undefined : integer('ef', o.ef, 1, 1 << 20),
    rules: o.rules === undefined ? undefined : checkRules('rules', o.rules, items),
  };
}

/**
 * Splits the `signal` option of an asynchronous call from the others after
 * checking every option name against `known` (which must include 'signal').
 */
export function takeSignal(where: string, options: unknown, known: readonly string[]): { signal: AbortSignal | undefined; rest: Record<string, unknown> } {
  const raw = knownOptions(where, options, known);
  const { signal, ...rest } = raw;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalid('an AbortSignal', 'signal', signal);
  return { signal, rest };
}

/** Checks one raw id argument (a string or a finite number). */
export function rawId(name: string, id: unknown): RawId {
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return id;
  throw invalid('a string or finite number id', name, id);
}

/** Checks an array of raw ids (an Array or any array-like of ids). */
export function rawIds(name: string, ids: unknown): ArrayLike<RawId> {
  if (ids === null || typeof ids !== 'object' || typeof (ids as ArrayLike<unknown>).length !== 'number') {
    throw invalid('an array of ids', name, ids);
  }
  const list = ids as ArrayLike<unknown>;
  for (let i = 0; i < list.length; i++) rawId(`${name}[${i}]`, list[i]);
  return list as ArrayLike<RawId>;
}

/** Known ids as sorted, duplicate-free dense indices; unknown ids are skipped. */
function itemIndices(name: string, ids: unknown, items: IdMap): Int32Array {
  const list = rawIds(name, ids);
  const out: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const index = items.index(list[i]!);
    if (index !== undefined) out.push(index);
  }
  const sorted = Int32Array.from(out).sort();
  let m = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[m++] = sorted[i]!;
  return sorted.slice(0, m);
}

/** Number of items a ranking can return: the candidates, or the whole catalogue, minus exclusions (and at most what the rules permit). */
export function rankedCount(o: ResolvedRecommendOptions, nItems: number): number {
  return Math.min(listedCount(o, nItems), o.rules?.permitted ?? nItems);
}

function listedCount(o: ResolvedRecommendOptions, nItems: number): number {
  const pool = o.candidates;
  if (o.exclude === undefined || o.exclude.length === 0) return pool ? pool.length : nItems;
  if (!pool) return nItems - o.exclude.length;
  let n = 0;
  let e = 0;
  for (const c of pool) {
    while (e < o.exclude.length && o.exclude[e]! < c) e++;
    if (e >= o.exclude.length || o.exclude[e] !== c) n++;
  }
  return n;
}
