/**
 * Every model family trained with its defaults on one split and measured
 * side by side with the popularity baseline: what `mfrec evaluate --model
 * all` prints. Families are read from the registry, never listed here.
 */
import { Interactions } from '../data/interactions.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { Recommender } from '../models/base/recommender.js';
import type { IterationReport } from '../models/base/training.js';
import { adaptedDefaults, MODEL_TYPES, MODELS, type ModelType, type RatingModel } from '../models/registry.js';
import { integer, invalid, knownOptions, seed as checkSeed } from '../validate.js';
import { compareRanking } from './compare-ranking.js';
import type { RankingMetrics } from './ranking.js';

export interface CompareModelsOptions {
  /** Ranking cut-off. Default 10. */
  k?: number;
  /** The families to train, in table order. Default: every family of the registry. */
  models?: readonly ModelType[];
  /**
   * Whether the values are ratings. Rating families (explicit) learn from
   * ratings only: with `false` they are left out. Default true.
   */
  ratings?: boolean;
  /** Threads of each fit; 0 (default) means all hardware threads. */
  threads?: number;
  /** Seed of every model that has one (uint32); default: each family's own default seed. */
  seed?: number;
  /** Whether each family takes the defaults it adapts to `train` (ModelTraits.adaptDefaults). Default true; false: the fixed defaults. */
  adaptDefaults?: boolean;
  /** Called after every iteration of every family's fit. */
  onIteration?: (model: ModelType, report: IterationReport) => void;
  /** Called before each family's fit. */
  onFit?: (model: ModelType) => void;
  /** Aborts the fit in progress: compareModels rejects with ERR_MFREC_ABORTED. */
  signal?: AbortSignal;
}

/** One row of the comparison: a family or the popularity baseline. */
export interface ComparedModel {
  /** The family's type ('als', ...) or 'popularity'. */
  model: string;
  /** Its name in reports ('ALS', ...). */
  label: string;
  /** Ranking metrics at k on the held-out users. */
  ranking: RankingMetrics;
  /** Seconds the fit took (null for popularity, which only counts). */
  fitSeconds: number | null;
  /** Rating error on the held-out ratings: rating families only, else null. */
  rmse: number | null;
  mae: number | null;
}

export interface ModelComparison {
  k: number;
  /** Users evaluated (with at least one held-out item). */
  users: number;
  /** Held-out interactions whose user or item training never saw (dropped from the ranking metrics). */
  droppedTestInteractions: number;
  /** The families in table order, then popularity. */
  rows: ComparedModel[];
  /** The trained models by type. */
  models: Partial<Record<ModelType, Recommender>>;
  /** Each family's fit, iteration by iteration. */
  iterations: Partial<Record<ModelType, IterationReport[]>>;
}

const OPTION_NAMES = ['k', 'models', 'ratings', 'threads', 'seed', 'adaptDefaults', 'onIteration', 'onFit', 'signal'];

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function resolveModels(value: unknown): ModelType[] {
  if (value === undefined) return [...MODEL_TYPES];
  if (!Array.isArray(value) || value.length === 0) throw invalid('a non-empty array of model types', 'models', value);
  for (const m of value) if (!(MODEL_TYPES as unknown[]).includes(m)) throw invalid(`one of ${MODEL_TYPES.map((t) => `'${t}'`).join(', ')}`, 'models', m);
  return value as ModelType[];
}

/**
 * Trains each family on `train` with its defaults (plus `threads` and
 * `seed`) and measures it on `test` (read on its own or sharing train's id
 * maps: it is aligned to train's ids first). Rejects with
 * ERR_MFREC_INVALID_ARGUMENT for bad options, ERR_MFREC_EMPTY_DATA when no
 * held-out interaction is left to measure on.
 */
export async function compareModels(train: Interactions, test: Interactions, options: CompareModelsOptions = {}): Promise<ModelComparison> {
  const o = knownOptions('compareModels', options, OPTION_NAMES) as CompareModelsOptions;
  if (!(train instanceof Interactions)) throw invalid('an Interactions object', 'train', train);
  if (!(test instanceof Interactions)) throw invalid('an Interactions object', 'test', test);
  const k = o.k === undefined ? 10 : integer('k', o.k, 1);
  if (o.ratings !== undefined && typeof o.ratings !== 'boolean') throw invalid('boolean', 'ratings', o.ratings);
  if (o.adaptDefaults !== undefined && typeof o.adaptDefaults !== 'boolean') throw invalid('boolean', 'adaptDefaults', o.adaptDefaults);
  const run: Record<string, unknown> = {};
  if (o.threads !== undefined) run.threads = integer('threads', o.threads, 0, 256);
  if (o.seed !== undefined) run.seed = checkSeed('seed', o.seed);
  const types = resolveModels(o.models).filter((t) => o.ratings !== false || MODELS[t].kind !== 'rating');
  const { aligned, droppedEntries } = test.alignTo(train);
  if (aligned.nnz === 0)
    throw new MfrecError(ErrorCodes.EMPTY_DATA, 'No held-out interaction has a user and an item the training data knows: nothing to measure');

  const models: Partial<Record<ModelType, Recommender>> = {};
  const iterations: Partial<Record<ModelType, IterationReport[]>> = {};
  const fitSeconds: Partial<Record<ModelType, number>> = {};
  for (const type of types) {
    if (o.signal?.aborted) throw new MfrecError(ErrorCodes.ABORTED, 'The comparison was aborted');
    o.onFit?.(type);
    const adapted = o.adaptDefaults === false ? {} : adaptedDefaults(MODELS[type], train);
    // A family without a seed (deterministic ones: EASE, item-kNN, RP3beta) or threads option is not given one.
    const own = Object.fromEntries(Object.entries(run).filter(([name]) => Object.hasOwn(MODELS[type].defaults, name)));
    const model = MODELS[type].create({ ...adapted, ...own }) as Recommender;
    const reports: IterationReport[] = [];
    const started = process.hrtime.bigint();
    await model.fit(train, {
      onIteration: (r) => {
        reports.push(r);
        o.onIteration?.(type, r);
      },
      ...(o.signal ? { signal: o.signal } : {}),
    });
    fitSeconds[type] = seconds(started);
    models[type] = model;
    iterations[type] = reports;
  }

  const ranking = compareRanking(models as Record<string, Recommender>, train, aligned, { k });
  const rows: ComparedModel[] = [];
  for (const type of types) {
    // Rating error on the test file as read: the model's own policy decides about users and items it does not know.
    const errors = MODELS[type].kind === 'rating' ? await (models[type] as unknown as RatingModel).evaluate(test) : undefined;
    rows.push({
      model: type,
      label: MODELS[type].label,
      ranking: ranking.models[type]!,
      fitSeconds: fitSeconds[type]!,
      rmse: errors?.rmse ?? null,
      mae: errors?.mae ?? null,
    });
  }
  rows.push({ model: 'popularity', label: 'Popularity', ranking: ranking.models.popularity!, fitSeconds: null, rmse: null, mae: null });
  return { k: ranking.k, users: ranking.users, droppedTestInteractions: droppedEntries, rows, models, iterations };
}
