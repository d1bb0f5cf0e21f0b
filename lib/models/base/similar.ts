/**
 * Nearest neighbours by cosine similarity of factor vectors: similar items
 * (one, or a batch off the event loop) and similar users, through the same
 * top-K kernel as recommendations.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { RawId } from '../../data/id-map.js';
import { DEFAULT_K, integer, knownOptions, MAX_K } from '../../validate.js';
import { itemItemTopKBinding, type ItemItemTopKArgs } from '../../addon/item-item-topk.js';
import { hnswBinding, type HnswGraphArrays } from '../../addon/hnsw.js';
import { topkBinding, type TopKArgs } from '../../addon/topk.js';
import { indexFor } from './ann-index.js';
import { BatchRecommendations } from './batch-recommendations.js';
import { derivedFrom } from './derived-cache.js';
import type { FactorState } from './factor-state.js';
import { weightArgs, type ItemWeights } from './item-weights.js';
import { checkResultMemory } from './ranking.js';
import { rawId, rawIds, resolveRecommendOptions, takeSignal, type Recommendation } from './recommend-options.js';
import { rulesArgs, type RankingRules } from './ranking-rules.js';
import { cancellable } from './training.js';

export interface SimilarItemsOptions {
  /** Number of neighbours, integer >= 1. Default 10. */
  k?: number;
  /** Only consider these items; unknown ids are skipped. */
  candidates?: RawId[];
  /** Search the model's index (built with `buildIndex({ similar: true })`) instead of comparing with every item. Default false. */
  approximate?: boolean;
  /** With `approximate`: results kept while searching, integer >= 1. Default: the index's `ef`. */
  ef?: number;
  /** Business rules compiled once with `model.compileRules()`. */
  rules?: RankingRules;
}

export interface SimilarItemsBatchOptions extends SimilarItemsOptions {
  /** Threads, 0 = all hardware threads. Default 0. */
  threads?: number;
  /** Cancels the call: its Promise then rejects with ERR_MFREC_ABORTED. */
  signal?: AbortSignal;
}

export interface SimilarUsersOptions {
  /** Number of neighbours, integer >= 1. Default 10. */
  k?: number;
}

const SIMILAR_ITEMS_OPTION_NAMES = ['k', 'candidates', 'rules', 'approximate', 'ef'] as const;

/** See Recommender.similarItems. */
export function similarItems(s: FactorState, item: RawId, options: SimilarItemsOptions | undefined): Recommendation[] {
  const id = rawId('item', item);
  const o = resolveRecommendOptions('similarItems', options, s.items, SIMILAR_ITEMS_OPTION_NAMES);
  const i = knownItem(s, id);
  const rules = o.rules;
  if (s.weights !== undefined)
    return similarByWeights(s.weights, Int32Array.of(i), similarWidth(o.k, o.candidates, s.items.size, rules), o.candidates, s, rules);
  // Rules (caps, diversity, allowed sets) run in the exact kernel only: with rules the ranking is exact.
  const search = o.approximate && rules === undefined ? similarSearch(s, o.ef, 'similarItems') : undefined;
  return similar(s.itemFactors, s.factors, i, o.k, o.candidates, rules, search).map(([j, score]) => ({ item: s.items.id(j), score, source: 'model' as const }));
}

/** See Recommender.similarItemsBatch. */
export async function similarItemsBatch(s: FactorState, items: ArrayLike<RawId>, options: SimilarItemsBatchOptions | undefined): Promise<BatchRecommendations> {
  const list = rawIds('items', items);
  const { signal, rest } = takeSignal('similarItemsBatch', options, [...SIMILAR_ITEMS_OPTION_NAMES, 'threads', 'signal']);
  const o = resolveRecommendOptions('similarItemsBatch', rest, s.items, [...SIMILAR_ITEMS_OPTION_NAMES, 'threads']);
  const ids = Array.from(list);
  const rows = Int32Array.from(ids, (id) => knownItem(s, id));
  const width = similarWidth(o.k, o.candidates, s.items.size, o.rules);
  checkResultMemory('similarItemsBatch', rows.length, width);
  const out = { items: new Int32Array(rows.length * width), scores: new Float32Array(rows.length * width) };
  return cancellable(signal, async (cancel) => {
    if (width > 0 && rows.length > 0) {
      if (s.weights === undefined && o.approximate && o.rules === undefined)
        await hnswBinding().hnswSearch({
          ...similarArgs(s.itemFactors, s.factors, rows, width, o.candidates, o.threads ?? 0, out, cancel.array),
          ...similarSearch(s, o.ef, 'similarItemsBatch'),
        });
      else if (s.weights === undefined)
        await topkBinding().topk(similarArgs(s.itemFactors, s.factors, rows, width, o.candidates, o.threads ?? 0, out, cancel.array, o.rules));
      else
        await itemItemTopKBinding().itemItemTopK(
          weightedSimilarArgs(s.weights, rows, s.items.size, width, o.candidates, o.threads ?? 0, out, cancel.array, o.rules),
        );
    }
    return new BatchRecommendations(ids, width, out.items, out.scores, new Uint8Array(rows.length), s.items);
  });
}

/** See FactorModel.similarUsers. */
export function similarUsers(s: FactorState, user: RawId, options: SimilarUsersOptions | undefined): Array<{ user: RawId; score: number }> {
  const id = rawId('user', user);
  const raw = knownOptions('similarUsers', options, ['k']);
  const k = raw.k === undefined ? DEFAULT_K : integer('k', raw.k, 1, MAX_K);
  const u = s.users.index(id);
  if (u === undefined || u >= s.seen.rows) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown user ${JSON.stringify(id)}`);
  return similar(s.userFactors, s.factors, u, k, undefined).map(([j, score]) => ({ user: s.users.id(j), score }));
}

/** The cosine graph and ef of an approximate similar-items query (an error when the model has none). */
function similarSearch(s: FactorState, ef: number | undefined, where: string): HnswGraphArrays & { ef: number } {
  const found = indexFor(s, 'similar', where);
  return { ...found.graph, ef: ef ?? found.ef };
}

/** Cosine top-k of row `q` of `vectors` among the other rows, exactly or through `search`: [index, similarity] pairs. */
function similar(
  vectors: Float32Array,
  factors: number,
  q: number,
  k: number,
  candidates: Int32Array | undefined,
  rules?: RankingRules,
  search?: HnswGraphArrays & { ef: number },
): Array<[number, number]> {
  const width = similarWidth(k, candidates, vectors.length / factors, rules);
  if (width === 0) return [];
  const out = { items: new Int32Array(width), scores: new Float32Array(width) };
  const args = similarArgs(vectors, factors, Int32Array.of(q), width, candidates, 1, out, undefined, rules);
  if (search) hnswBinding().hnswSearchSync({ ...args, ...search });
  else topkBinding().topkSync(args);
  const pairs: Array<[number, number]> = [];
  for (let j = 0; j < width && out.items[j]! >= 0; j++) pairs.push([out.items[j]!, out.scores[j]!]);
  return pairs;
}

/**
 * Item-to-item models: an item's neighbours are the items its own weight row
 * scores highest (a one-item history), the item itself left out.
 */
function similarByWeights(
  w: ItemWeights,
  rows: Int32Array,
  width: number,
  candidates: Int32Array | undefined,
  s: FactorState,
  rules: RankingRules | undefined,
): Recommendation[] {
  if (width === 0) return [];
  const out = { items: new Int32Array(width), scores: new Float32Array(width) };
  itemItemTopKBinding().itemItemTopKSync(weightedSimilarArgs(w, rows, s.items.size, width, candidates, 1, out, undefined, rules));
  const list: Recommendation[] = [];
  for (let j = 0; j < width && out.items[j]! >= 0; j++) list.push({ item: s.items.id(out.items[j]!), score: out.scores[j]!, source: 'model' });
  return list;
}

/** The ranking request of item-to-item neighbours: row r is the one-item history `rows[r]`, which is also filtered out. */
function weightedSimilarArgs(
  w: ItemWeights,
  rows: Int32Array,
  items: number,
  width: number,
  candidates: Int32Array | undefined,
  threads: number,
  out: { items: Int32Array; scores: Float32Array },
  cancel: Int32Array | undefined,
  rules: RankingRules | undefined,
): ItemItemTopKArgs {
  const indptr = Int32Array.from({ length: rows.length + 1 }, (_, r) => r);
  return {
    historyIndptr: indptr,
    historyIndices: rows,
    historyValues: new Float32Array(rows.length).fill(1),
    rows: Int32Array.from({ length: rows.length }, (_, r) => r),
    items,
    ...weightArgs(w),
    filterIndptr: indptr,
    filterIndices: rows,
    candidates,
    rules: rulesArgs(rules, width),
    k: width,
    threads,
    outItems: out.items,
    outScores: out.scores,
    cancel,
  };
}

function knownItem(s: FactorState, id: RawId): number {
  const i = s.items.index(id);
  if (i === undefined) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown item ${JSON.stringify(id)}`);
  return i;
}

/** Slots per similarity row: k, capped by the candidates or the other rows (the query itself counts, then pads) and by what the rules permit. */
function similarWidth(k: number, candidates: Int32Array | undefined, rows: number, rules: RankingRules | undefined): number {
  return Math.min(k, candidates ? candidates.length : rows, rules?.permitted ?? rows);
}

/** A cosine top-K request: rows of `vectors` against all rows of `vectors`, the query row left out. */
function similarArgs(
  vectors: Float32Array,
  factors: number,
  rows: Int32Array,
  width: number,
  candidates: Int32Array | undefined,
  threads: number,
  out: { items: Int32Array; scores: Float32Array },
  cancel: Int32Array | undefined,
  rules?: RankingRules,
): TopKArgs {
  const inverse = inverseNorms(vectors, factors);
  return {
    query: vectors,
    rows,
    rowScale: inverse,
    offset: 0,
    target: vectors,
    factors,
    colScale: inverse,
    excludeSelf: true,
    candidates,
    rules: rulesArgs(rules, width),
    k: width,
    threads,
    items: out.items,
    scores: out.scores,
    cancel,
  };
}

/** 1/‖row‖ of each factor array, kept while the array lives: a fit replaces the arrays, never edits them. */
const inverseNormsOf = derivedFrom((vectors: Float32Array, factors: number): Float32Array => {
  const n = vectors.length / factors;
  const inv = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let p = r * factors; p < (r + 1) * factors; p++) sum += vectors[p]! * vectors[p]!;
    inv[r] = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  }
  return inv;
});

/** 1/‖row‖ for every row (0 for a zero row, whose cosine with anything is then 0). */
export function inverseNorms(vectors: Float32Array, factors: number): Float32Array {
  return inverseNormsOf(vectors, factors);
}
