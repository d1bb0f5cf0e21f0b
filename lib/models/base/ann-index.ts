/**
 * The approximate top-K index of a factor model (docs/approximate.md): HNSW
 * graphs over the item vectors, one for recommend() (inner product plus item
 * bias) and optionally one for similarItems() (cosine). An index belongs to
 * the exact item arrays it was built over: once a partial fit or a forget
 * replaces them, it no longer describes the model and is rebuilt.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import { hnswBinding, type HnswGraphArrays } from '../../addon/hnsw.js';
import { boolean, integer, knownOptions, seed } from '../../validate.js';
import type { FactorState } from './factor-state.js';
import { inverseNorms } from './similar.js';

export interface BuildIndexOptions {
  /** Links per node on the upper levels (2M on the bottom one), 2..256. Default 16. */
  M?: number;
  /** Candidates kept while inserting, >= 1. Default 200. */
  efConstruction?: number;
  /** Default `ef` of approximate queries, >= 1. Default 100. */
  ef?: number;
  /** Also index the cosine neighbours for `similarItems(..., { approximate: true })`. Default false. */
  similar?: boolean;
  /** Seed of the level draws. Default 42. */
  seed?: number;
  /** Build threads, 0 = all hardware threads. Default 0; 1 builds a reproducible graph. */
  threads?: number;
}

export interface AnnIndexParams {
  M: number;
  efConstruction: number;
  ef: number;
  seed: number;
}

export interface AnnIndex {
  kind: 'hnsw';
  params: AnnIndexParams;
  /** Over item factors (and item biases): what recommend() searches. */
  recommend: HnswGraphArrays;
  /** Over item factors scaled to unit length: what similarItems() searches. */
  similar?: HnswGraphArrays;
  /** The arrays the graphs were built over (the index is stale for any other). */
  itemFactors: Float32Array;
  itemBias: Float32Array | undefined;
}

export const INDEX_DEFAULTS: AnnIndexParams = { M: 16, efConstruction: 200, ef: 100, seed: 42 };
const MAX_EF = 1 << 20;

export function resolveBuildIndexOptions(options: unknown): { params: AnnIndexParams; similar: boolean; threads: number } {
  const o = knownOptions('buildIndex', options, ['M', 'efConstruction', 'ef', 'similar', 'seed', 'threads']);
  return {
    params: {
      M: o.M === undefined ? INDEX_DEFAULTS.M : integer('M', o.M, 2, 256),
      efConstruction: o.efConstruction === undefined ? INDEX_DEFAULTS.efConstruction : integer('efConstruction', o.efConstruction, 1, MAX_EF),
      ef: o.ef === undefined ? INDEX_DEFAULTS.ef : integer('ef', o.ef, 1, MAX_EF),
      seed: o.seed === undefined ? INDEX_DEFAULTS.seed : seed('seed', o.seed),
    },
    similar: o.similar === undefined ? false : boolean('similar', o.similar),
    threads: o.threads === undefined ? 0 : integer('threads', o.threads, 0, 256),
  };
}

/** The `ef` option of a query: 1 .. 2^20. */
export function checkEf(value: unknown): number {
  return integer('ef', value, 1, MAX_EF);
}

/** An empty graph in the kernel's layout: levels drawn and laid out, links zeroed. */
export function layoutGraph(n: number, m: number, seedValue: number): HnswGraphArrays {
  const levels = new Int32Array(n);
  hnswBinding().hnswLevelsSync({ m, seed: seedValue, levels });
  const upper = new Int32Array(n);
  const length = hnswBinding().hnswLayoutSync({ m, levels, upper });
  return { m, levels, upper, links: new Int32Array(length), entry: -1 };
}

async function buildGraph(
  s: FactorState,
  params: AnnIndexParams,
  threads: number,
  columns: { colBias?: Float32Array | undefined; colScale?: Float32Array | undefined },
): Promise<HnswGraphArrays> {
  const graph = layoutGraph(s.items.size, params.M, params.seed);
  graph.entry = await hnswBinding().hnswBuild({
    ...graph,
    target: s.itemFactors,
    factors: s.factors,
    ...columns,
    efConstruction: params.efConstruction,
    threads,
  });
  return graph;
}

/** Builds the index of a factor state (off the event loop). */
export async function buildIndex(s: FactorState, params: AnnIndexParams, similar: boolean, threads: number): Promise<AnnIndex> {
  if (s.weights !== undefined || s.factors === 0) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      'buildIndex: item-to-item models need no index (a ranking reads only the neighbours of the history, not the whole catalogue)',
    );
  }
  const recommend = await buildGraph(s, params, threads, { colBias: s.itemBias });
  const index: AnnIndex = { kind: 'hnsw', params, recommend, itemFactors: s.itemFactors, itemBias: s.itemBias };
  if (similar) index.similar = await buildGraph(s, params, threads, { colScale: inverseNorms(s.itemFactors, s.factors) });
  return index;
}

/** The index of `s` when it still describes s's item arrays. */
export function currentIndex(s: FactorState): AnnIndex | undefined {
  const index = s.index;
  return index !== undefined && index.itemFactors === s.itemFactors && index.itemBias === s.itemBias ? index : undefined;
}

/**
 * The index a new state gets after a live update of `previous`: the same one
 * when the item arrays did not change (user updates), a rebuilt one with the
 * same parameters when they did (item updates, forgetting an item), none
 * when `previous` had none.
 */
export async function carriedIndex(previous: FactorState, next: FactorState): Promise<AnnIndex | undefined> {
  const old = previous.index;
  if (old === undefined) return undefined;
  if (old.itemFactors === next.itemFactors && old.itemBias === next.itemBias) return old;
  return buildIndex(next, old.params, old.similar !== undefined, 0);
}

/** `next` with the index carriedIndex gives it. */
export async function withCarriedIndex(previous: FactorState, next: FactorState): Promise<FactorState> {
  const index = await carriedIndex(previous, next);
  if (index === undefined) delete next.index;
  else next.index = index;
  return next;
}

/** `s` with a new index built under resolved options. */
export async function withIndex(s: FactorState, o: ReturnType<typeof resolveBuildIndexOptions>): Promise<FactorState> {
  return { ...s, index: await buildIndex(s, o.params, o.similar, o.threads) };
}

export type IndexInfo = AnnIndexParams & { kind: 'hnsw'; similar: boolean };

/** What Recommender.indexInfo reports: the current index's options, or undefined. */
export function indexInfoOf(s: FactorState | undefined): IndexInfo | undefined {
  const index = s === undefined ? undefined : currentIndex(s);
  return index === undefined ? undefined : { kind: index.kind, ...index.params, similar: index.similar !== undefined };
}

/** The graph an approximate query searches, or a clear error when the model has none. */
export function indexFor(s: FactorState, use: 'recommend' | 'similar', where: string): { graph: HnswGraphArrays; ef: number } {
  const index = currentIndex(s);
  if (index === undefined) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `${where}: approximate: true needs an index: call buildIndex() after fit (or load a model saved with one)`,
    );
  }
  const graph = use === 'recommend' ? index.recommend : index.similar;
  if (graph === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${where}: approximate: true needs an index built with { similar: true }`);
  }
  return { graph, ef: index.params.ef };
}
