/**
 * The ranking engine of every factor model: which rows can be scored, the
 * top-K kernel request that ranks them (warm rows) and the popularity
 * fallback (cold rows), assembled into one BatchRecommendations. The same
 * request runs on the calling thread (one user) or off it (batches).
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { RawId } from '../../data/id-map.js';
import { itemItemTopKBinding } from '../../addon/item-item-topk.js';
import { hnswBinding } from '../../addon/hnsw.js';
import { topkBinding } from '../../addon/topk.js';
import { indexFor } from './ann-index.js';
import { BatchRecommendations } from './batch-recommendations.js';
import { canScoreUser, type FactorState } from './factor-state.js';
import { binaryValues, weightArgs } from './item-weights.js';
import type { FoldedUser } from './live-history.js';
import { checkMemory } from './memory-limit.js';
import { countsToShares, rankByPopularity } from './popular-ranking.js';
import { rankedCount, type Recommendation, type ResolvedRecommendOptions } from './recommend-options.js';
import { rulesArgs } from './ranking-rules.js';
import { rankPopularUnderRules } from './ruled-popularity.js';

/**
 * The user's row index when the model can score them; −1 for a cold user
 * (unknown, or no training interactions), or an error under 'error'.
 */
export function warmIndex(s: FactorState, id: RawId, o: ResolvedRecommendOptions): number {
  const u = s.users.index(id);
  if (canScoreUser(s, u)) return u;
  if (o.coldStart === 'error') {
    const why = u === undefined ? 'is unknown to the model' : 'has no training interactions';
    throw new MfrecError(ErrorCodes.UNKNOWN_ID, `User ${JSON.stringify(id)} ${why} (coldStart: 'error')`);
  }
  return -1;
}

/** Ranks items for rows (−1 = cold start) on the calling thread. */
export function rankRowsSync(s: FactorState, ids: RawId[], rows: Int32Array, o: ResolvedRecommendOptions, threads: number): BatchRecommendations {
  const request = rankingRequest(s, ids, rows, o, threads, undefined);
  request.kernel?.sync();
  return request.finish();
}

/** Ranks items for rows (−1 = cold start) off the event loop; `cancel` is the kernel's cancellation flag. */
export async function rankRows(
  s: FactorState,
  ids: RawId[],
  rows: Int32Array,
  o: ResolvedRecommendOptions,
  threads: number,
  cancel: Int32Array,
): Promise<BatchRecommendations> {
  const request = rankingRequest(s, ids, rows, o, threads, cancel);
  await request.kernel?.async();
  return request.finish();
}

/**
 * Ranks items for a folded user exactly as for a trained one (the same
 * kernel and score), leaving out `seen` (sorted item indices) when given.
 */
export function rankFolded(s: FactorState, id: RawId, folded: FoldedUser, seen: Int32Array | undefined, o: ResolvedRecommendOptions): Recommendation[] {
  const filter = seen ?? new Int32Array(0);
  const { userBias: _trained, ...shared } = s;
  if (folded.history !== undefined) {
    // Item-to-item: the history itself is the query, and also what filterSeen leaves out.
    return rankRowsSync({ ...shared, seen: folded.history }, [id], Int32Array.of(0), { ...o, filterSeen: seen !== undefined }, o.threads ?? 1).row(0);
  }
  const view: FactorState = {
    ...shared,
    userFactors: folded.factors,
    seen: { rows: 1, cols: s.items.size, indptr: Int32Array.of(0, filter.length), indices: filter, values: new Float32Array(filter.length) },
  };
  if (folded.bias !== undefined) view.userBias = Float32Array.of(folded.bias);
  return rankRowsSync(view, [id], Int32Array.of(0), { ...o, filterSeen: seen !== undefined }, o.threads ?? 1).row(0);
}

/** A ranking kernel call, run on the calling thread or off it. */
interface KernelCall {
  sync(): void;
  async(): Promise<void>;
}

/** The kernel request for the warm rows (none when nothing is to be ranked), and how to assemble the result after it ran. */
function rankingRequest(
  s: FactorState,
  ids: RawId[],
  rows: Int32Array,
  o: ResolvedRecommendOptions,
  threads: number,
  cancel: Int32Array | undefined,
): { kernel: KernelCall | undefined; finish: () => BatchRecommendations } {
  const n = rows.length;
  const width = Math.min(o.k, rankedCount(o, s.items.size));
  checkResultMemory('recommendations', n, width);
  const items = new Int32Array(n * width);
  const scores = new Float32Array(n * width);
  const cold = Uint8Array.from(rows, (u) => (u < 0 ? 1 : 0));
  const warm = rows.filter((u) => u >= 0);
  const finish = (): BatchRecommendations => {
    if (warm.length < n) fillCold(s, o, rows, width, items, scores);
    return new BatchRecommendations(ids, width, items, scores, cold, s.items);
  };
  if (width === 0 || warm.length === 0) return { kernel: undefined, finish };
  // With cold rows present the kernel writes the warm rows compactly first.
  const direct = warm.length === n;
  const out = {
    items: direct ? items : new Int32Array(warm.length * width),
    scores: direct ? scores : new Float32Array(warm.length * width),
  };
  const job: RankingJob = { s, warm, o, width, threads, out, cancel };
  const kernel = s.weights === undefined ? factorKernel(job) : itemItemKernel(job);
  const scatter = (): BatchRecommendations => {
    if (!direct) {
      let w = 0;
      for (let r = 0; r < n; r++) {
        if (rows[r]! < 0) continue;
        items.set(out.items.subarray(w * width, (w + 1) * width), r * width);
        scores.set(out.scores.subarray(w * width, (w + 1) * width), r * width);
        w++;
      }
    }
    return finish();
  };
  return { kernel, finish: scatter };
}

/** What a ranking kernel is asked: the warm rows of `s` to rank under `o`, `width` results each into `out`. */
interface RankingJob {
  s: FactorState;
  warm: Int32Array;
  o: ResolvedRecommendOptions;
  width: number;
  threads: number;
  out: { items: Int32Array; scores: Float32Array };
  cancel: Int32Array | undefined;
}

/** Factor models: dot products of user and item vectors (plus biases), through the factor top-K kernel or, asked to, the index. */
function factorKernel({ s, warm, o, width, threads, out, cancel }: RankingJob): KernelCall {
  const args = {
    query: s.userFactors,
    rows: warm,
    rowOffset: s.userBias,
    offset: s.globalBias ?? 0,
    target: s.itemFactors,
    factors: s.factors,
    colBias: s.itemBias,
    filterIndptr: o.filterSeen ? s.seen.indptr : undefined,
    filterIndices: o.filterSeen ? s.seen.indices : undefined,
    excludeSelf: false,
    exclude: o.exclude,
    candidates: o.candidates,
    rules: rulesArgs(o.rules, width),
    k: width,
    threads,
    items: out.items,
    scores: out.scores,
    cancel,
  };
  // Rules (caps, diversity, allowed sets) run in the exact kernel only: with rules the ranking is exact.
  if (o.approximate && o.rules === undefined) {
    const { graph, ef } = indexFor(s, 'recommend', 'recommend');
    const search = { ...args, ...graph, ef: o.ef ?? ef };
    return { sync: () => hnswBinding().hnswSearchSync(search), async: () => hnswBinding().hnswSearch(search) };
  }
  return { sync: () => topkBinding().topkSync(args), async: () => topkBinding().topk(args) };
}

/** Item-to-item models: each row's (binary) history times the model's weights, through the item-to-item top-K kernel. */
function itemItemKernel({ s, warm, o, width, threads, out, cancel }: RankingJob): KernelCall {
  const args = {
    historyIndptr: s.seen.indptr,
    historyIndices: s.seen.indices,
    historyValues: binaryValues(s.seen.values),
    rows: warm,
    items: s.items.size,
    ...weightArgs(s.weights!),
    filterIndptr: o.filterSeen ? s.seen.indptr : undefined,
    filterIndices: o.filterSeen ? s.seen.indices : undefined,
    exclude: o.exclude,
    candidates: o.candidates,
    rules: rulesArgs(o.rules, width),
    k: width,
    threads,
    outItems: out.items,
    outScores: out.scores,
    cancel,
  };
  return { sync: () => itemItemTopKBinding().itemItemTopKSync(args), async: () => itemItemTopKBinding().itemItemTopK(args) };
}

/** Cold rows get the popular items under the same exclusions, candidates and rules (nothing seen to filter), scored by their share of training users. */
function fillCold(s: FactorState, o: ResolvedRecommendOptions, rows: Int32Array, width: number, items: Int32Array, scores: Float32Array): void {
  let first = -1;
  for (let r = 0; r < rows.length; r++) {
    if (rows[r]! >= 0) continue;
    if (first < 0) {
      if (o.rules === undefined) rankByPopularity(s.itemPopularity, o, undefined, items, scores, r * width, width);
      else rankPopularUnderRules(s, o, items, scores, r * width, width);
      countsToShares(s.seen, scores, r * width, width);
      first = r;
    } else {
      items.copyWithin(r * width, first * width, (first + 1) * width);
      scores.copyWithin(r * width, first * width, (first + 1) * width);
    }
  }
}

/** Refuses a result of `rows` × `width` (item, score) pairs that cannot be allocated (memory-limit.ts). */
export function checkResultMemory(where: string, rows: number, width: number): void {
  checkMemory({
    where,
    what: `${rows} rows of ${width} items`,
    bytes: rows * width * 8,
    largestArray: rows * width,
    remedy: 'ask for fewer users per call (blockSize) or a smaller k',
  });
}
