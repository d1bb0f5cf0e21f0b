/**
 * Everything the HTML report shows, computed from a trained model and its
 * data: plain JSON, so it can be saved, compared in tests, and embedded in
 * the page for the charts. No file or network access happens here.
 */
import { Interactions } from '../data/interactions.js';
import type { RawId } from '../data/id-map.js';
import { modelScorer, popularityScorer } from '../eval/compare-ranking.js';
import type { ComparedModel } from '../eval/compare-models.js';
import type { UserScorer } from '../eval/ranking.js';
import { FactorModel } from '../models/base/factor-model.js';
import { Recommender, type ModelType } from '../models/base/recommender.js';
import type { IterationReport } from '../models/base/training.js';
import { integer, invalid, knownOptions } from '../validate.js';
import { packageVersion } from '../version.js';
import { checkModelData } from './data-check.js';
import { histogram, type Histogram } from './histogram.js';
import { metricCurves, topItems, type MetricCurves } from './metric-curves.js';
import { trialsSection, type Trial, type TrialsInput, type TrialsSection } from './trials.js';
import { isRatingModel } from '../models/registry.js';

export interface ReportInput {
  /** A trained model. Users and items are matched to the data by raw id. */
  model: Recommender;
  train: Interactions;
  /** Held-out interactions sharing train's id maps (`test.alignTo(train).aligned`, or a split). */
  test: Interactions;
  /** The fit's iteration reports, for the training curves. */
  iterations?: readonly IterationReport[];
  /** Hyperparameter-search trials, for the metric-against-parameter charts. */
  trials?: TrialsInput | readonly Trial[];
  /** Item names by raw id (its string form), for the example table. */
  itemNames?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Heading of the page. Default "mfrec report". */
  title?: string;
  /** Cut-off for the summary, the distributions and the examples. Default 10; integer in [1, 100]. */
  k?: number;
  /** Largest k of the metric@k curves. Default 20 (at least k); integer in [1, 100]. */
  maxK?: number;
  /** Customers in the example table. Default 5; integer in [0, 50]. */
  examples?: number;
  /** When the report is made (default now); fixed in tests. */
  generatedAt?: Date;
  /** Every family measured on the same split (compareModels' rows), for the table of models compared. */
  comparison?: readonly ComparedModel[];
}

/** One row of the table of models compared: a family or popularity, at the report's k. */
export interface ComparisonRow {
  model: string;
  label: string;
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  hitRate: number;
  coverage: number;
  fitSeconds: number | null;
  rmse: number | null;
}

export interface NamedItem {
  item: string;
  name: string;
}

export interface CurvePair {
  model: Omit<MetricCurves, 'users'>;
  popularity: Omit<MetricCurves, 'users'>;
}

export interface RankingSection {
  /** Users evaluated (with a held-out item outside their training items). */
  users: number;
  /** Metric@k for k = 1..maxK, the model against the popularity baseline. */
  curves: CurvePair;
  /** Distinct items in anyone's top k, over the catalogue size. */
  coverage: { model: number; popularity: number };
  /** The model's scores: of its top-k recommendations, and of the held-out items. */
  scores: Histogram & { series: ['recommended', 'heldOut'] };
  /**
   * Items in deciles of training popularity (decile 1: the most popular 10%
   * of the catalogue). Per decile, its share of the training interactions
   * and of the top-k recommendations of the model and of popularity.
   */
  popularityDeciles: { training: number[]; model: number[]; popularity: number[] };
}

export interface RatingErrorSection {
  rmse: number;
  mae: number;
  count: number;
  /** Predicted minus actual rating. */
  residuals: Histogram;
}

export interface ExampleRow {
  user: string;
  /** Up to 5 training items, largest value first. */
  bought: NamedItem[];
  /** The model's top k, training items left out; `heldOut`: bought in the test period. */
  recommended: Array<NamedItem & { score: number | null; heldOut: boolean }>;
  /** Test-period items of this user. */
  heldOutCount: number;
}

export interface ReportData {
  title: string;
  generatedAt: string;
  mfrecVersion: string;
  k: number;
  /** The model and the training record it keeps: its own counts, whatever data the report was given. */
  model: { type: ModelType; params: Record<string, unknown>; factors: number; users: number; items: number; interactions: number };
  data: { users: number; items: number; trainInteractions: number; testInteractions: number };
  /**
   * Problems with the data given (see data-check.ts): training data that is
   * not the model's, held-out pairs the model was trained on. Shown as a
   * banner at the top of the page. Empty when the data belong to the model.
   */
  warnings: string[];
  /** One entry per iteration; fields a model does not report are null. */
  training: Array<{ iteration: number; seconds: number; trainLoss: number | null; trainRmse: number | null; validationRmse: number | null }> | null;
  /** Implicit models (als, bpr). */
  ranking: RankingSection | null;
  /** Explicit models. */
  ratingErrors: RatingErrorSection | null;
  trials: TrialsSection | null;
  /** The families measured side by side on the same split (evaluate --model all); null for a single model. */
  comparison: ComparisonRow[] | null;
  examples: ExampleRow[];
}

const INPUT_KEYS = ['model', 'train', 'test', 'iterations', 'trials', 'itemNames', 'title', 'k', 'maxK', 'examples', 'generatedAt', 'comparison'] as const;
const SCORE_BINS = 30;
const DECILES = 10;
const BOUGHT_SHOWN = 5;

/** Collects the report's data. Costs one scoring pass over the evaluated users for each of model and popularity. */
export function buildReportData(input: ReportInput): ReportData {
  const o = knownOptions('buildReportData', input, INPUT_KEYS) as unknown as ReportInput;
  if (!(o.model instanceof Recommender)) throw invalid('a trained model', 'model', o.model);
  if (!(o.train instanceof Interactions)) throw invalid('an Interactions object', 'train', o.train);
  if (!(o.test instanceof Interactions)) throw invalid('an Interactions object', 'test', o.test);
  if (o.train.users !== o.test.users || o.train.items !== o.test.items) {
    throw invalid("test data sharing train's id maps (test.alignTo(train).aligned)", 'test', o.test);
  }
  const k = o.k === undefined ? 10 : integer('k', o.k, 1, 100);
  const maxK = Math.max(k, o.maxK === undefined ? 20 : integer('maxK', o.maxK, 1, 100));
  const nExamples = o.examples === undefined ? 5 : integer('examples', o.examples, 0, 50);
  const title = o.title ?? 'mfrec report';
  if (typeof title !== 'string') throw invalid('a string', 'title', title);
  if (o.iterations !== undefined && !Array.isArray(o.iterations)) throw invalid('an array of iteration reports', 'iterations', o.iterations);
  if (o.comparison !== undefined && !Array.isArray(o.comparison))
    throw invalid('an array of compared models (compareModels().rows)', 'comparison', o.comparison);
  const generatedAt = o.generatedAt ?? new Date();
  if (!(generatedAt instanceof Date) || Number.isNaN(generatedAt.getTime())) throw invalid('a valid Date', 'generatedAt', generatedAt);

  const { model, train, test } = o;
  const names = nameLookup(o.itemNames);
  const popular = popularityScorer(train);
  const scorer = modelScorer(model, train, popular);
  const check = checkModelData(model, train, test);
  return {
    title,
    generatedAt: generatedAt.toISOString(),
    mfrecVersion: packageVersion(),
    k,
    model: { type: model.type, params: { ...model.params }, factors: model instanceof FactorModel ? model.factors : 0, ...check.model },
    data: { users: train.nUsers, items: train.nItems, trainInteractions: train.nnz, testInteractions: test.nnz },
    warnings: check.warnings,
    training: o.iterations?.length ? o.iterations.map(trainingPoint) : null,
    ranking: isRatingModel(model.type) ? null : rankingSection(scorer, popular, train, test, k, maxK),
    ratingErrors: isRatingModel(model.type) ? ratingErrors(model, test) : null,
    trials: o.trials === undefined ? null : trialsSection(o.trials),
    comparison: o.comparison === undefined ? null : o.comparison.map(comparisonRow),
    examples: exampleRows(scorer, train, test, k, nExamples, names),
  };
}

function comparisonRow(r: ComparedModel): ComparisonRow {
  const m = r.ranking;
  return {
    model: r.model,
    label: r.label,
    precision: m.precision,
    recall: m.recall,
    ndcg: m.ndcg,
    map: m.map,
    hitRate: m.hitRate,
    coverage: m.coverage,
    fitSeconds: r.fitSeconds,
    rmse: r.rmse,
  };
}

function trainingPoint(r: IterationReport): NonNullable<ReportData['training']>[number] {
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
  return {
    iteration: r.iteration,
    seconds: r.seconds,
    trainLoss: finite(r.trainLoss),
    trainRmse: finite(r.trainRmse),
    validationRmse: finite(r.validationRmse),
  };
}

function rankingSection(scorer: UserScorer, popular: UserScorer, train: Interactions, test: Interactions, k: number, maxK: number): RankingSection {
  const nItems = train.nItems;
  const recommendedBy = { model: new Float64Array(nItems), popularity: new Float64Array(nItems) };
  const recommendedScores: number[] = [];
  const heldOutScores: number[] = [];
  const { users, ...modelCurves } = metricCurves(scorer, train, test, {
    maxK,
    onRanked: (r) => {
      const n = Math.min(k, r.items.length);
      for (let j = 0; j < n; j++) {
        recommendedBy.model[r.items[j]!]!++;
        recommendedScores.push(r.scores[j]!);
      }
      for (const i of r.heldOut) heldOutScores.push(r.allScores[i]!);
    },
  });
  const { users: _same, ...popularityCurves } = metricCurves(popular, train, test, {
    maxK,
    onRanked: (r) => {
      for (let j = 0; j < Math.min(k, r.items.length); j++) recommendedBy.popularity[r.items[j]!]!++;
    },
  });
  const covered = (counts: Float64Array) => (nItems === 0 ? 0 : counts.reduce((s, c) => s + (c > 0 ? 1 : 0), 0) / nItems);
  const scoreHistogram = histogram([recommendedScores, heldOutScores], SCORE_BINS);
  return {
    users,
    curves: { model: modelCurves, popularity: popularityCurves },
    coverage: { model: covered(recommendedBy.model), popularity: covered(recommendedBy.popularity) },
    scores: { ...scoreHistogram, series: ['recommended', 'heldOut'] },
    popularityDeciles: popularityDeciles(train, recommendedBy.model, recommendedBy.popularity),
  };
}

/** Shares per popularity decile of the catalogue (by training users per item, most popular first, ties to the lower index). */
function popularityDeciles(train: Interactions, model: Float64Array, popularity: Float64Array): RankingSection['popularityDeciles'] {
  const byItem = train.byItem;
  const count = (i: number) => byItem.indptr[i + 1]! - byItem.indptr[i]!;
  const order = Array.from({ length: train.nItems }, (_, i) => i).sort((a, b) => count(b) - count(a) || a - b);
  const share = (weight: (i: number) => number) => {
    const sums = new Array<number>(DECILES).fill(0);
    let total = 0;
    order.forEach((item, position) => {
      const w = weight(item);
      sums[Math.floor((position * DECILES) / order.length)]! += w;
      total += w;
    });
    return sums.map((s) => (total > 0 ? s / total : 0));
  };
  return { training: share(count), model: share((i) => model[i]!), popularity: share((i) => popularity[i]!) };
}

function ratingErrors(model: Recommender, test: Interactions): RatingErrorSection | null {
  if (test.nnz === 0) return null;
  const users: RawId[] = [];
  const items: RawId[] = [];
  const actual: number[] = [];
  for (const e of test.entries()) {
    users.push(e.user);
    items.push(e.item);
    actual.push(e.value);
  }
  // Explicit models predict rating pairs; the type check above guarantees the method.
  const predicted = (model as unknown as { predictMany(u: RawId[], i: RawId[]): Float32Array }).predictMany(users, items);
  const residuals = actual.map((a, j) => predicted[j]! - a);
  let sse = 0;
  let sae = 0;
  for (const r of residuals) {
    sse += r * r;
    sae += Math.abs(r);
  }
  const h = histogram([residuals], SCORE_BINS);
  return { rmse: Math.sqrt(sse / residuals.length), mae: sae / residuals.length, count: residuals.length, residuals: h };
}

/**
 * A few users with a training history and held-out items, spread evenly
 * over the user index (deterministic). Users with at least three training
 * items are preferred, when there are enough of them.
 */
function exampleRows(scorer: UserScorer, train: Interactions, test: Interactions, k: number, n: number, name: (id: RawId) => string): ExampleRow[] {
  if (n === 0) return [];
  const tr = train.byUser;
  const te = test.byUser;
  const length = (m: typeof tr, u: number) => (u < m.rows ? m.indptr[u + 1]! - m.indptr[u]! : 0);
  const eligible = (minHistory: number) => {
    const out: number[] = [];
    for (let u = 0; u < te.rows; u++) if (length(te, u) > 0 && length(tr, u) >= minHistory) out.push(u);
    return out;
  };
  let pool = eligible(3);
  if (pool.length < n) pool = eligible(1);
  const chosen = pool.length <= n ? pool : Array.from({ length: n }, (_, j) => pool[Math.floor((j * pool.length) / n)]!);
  const named = (i: number): NamedItem => {
    const id = train.items.id(i);
    return { item: String(id), name: name(id) };
  };
  return chosen.map((u) => {
    const later = new Set(te.indices.subarray(te.indptr[u]!, te.indptr[u + 1]!));
    const row = Array.from({ length: length(tr, u) }, (_, j) => tr.indptr[u]! + j);
    row.sort((a, b) => tr.values[b]! - tr.values[a]! || tr.indices[a]! - tr.indices[b]!);
    return {
      user: String(train.users.id(u)),
      bought: row.slice(0, BOUGHT_SHOWN).map((e) => named(tr.indices[e]!)),
      recommended: topItems(scorer, train, u, k).map(({ item, score }) => ({
        ...named(item),
        score: Number.isFinite(score) ? score : null,
        heldOut: later.has(item),
      })),
      heldOutCount: later.size,
    };
  });
}

function nameLookup(names: ReportInput['itemNames']): (id: RawId) => string {
  if (names === undefined) return (id) => String(id);
  if (names instanceof Map) return (id) => names.get(String(id)) || String(id);
  if (names === null || typeof names !== 'object') throw invalid('a Map or object of item names', 'itemNames', names);
  const record = names as Readonly<Record<string, string>>;
  return (id) => (Object.hasOwn(record, String(id)) && typeof record[String(id)] === 'string' && record[String(id)]) || String(id);
}
