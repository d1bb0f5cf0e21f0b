/**
 * importFactorModel(): a factor model trained elsewhere, as an mfrec model
 * that serves, evaluates, saves and folds in like one trained here
 * (docs/import.md). Python implicit's saved ALS / BPR (.npz) and Spark
 * MLlib's ALSModel directory are read; the hyperparameters fold-in and
 * partial fits need come from the file where it states them, from mfrec's
 * mapping of them, or from `params`.
 */
import { stat } from 'node:fs/promises';
import { ErrorCodes, MfrecError } from '../errors.js';
import { IdMap, type RawId } from '../data/id-map.js';
import { Interactions } from '../data/interactions.js';
import { ImplicitALS, type ImplicitALSOptions } from '../models/als/implicit-als.js';
import { BPR, type BPROptions } from '../models/bpr/bpr.js';
import { Recommender } from '../models/base/recommender.js';
import type { FactorState } from '../models/base/factor-state.js';
import { usersPerItem } from '../models/base/item-popularity.js';
import { invalid, knownOptions, oneOf } from '../validate.js';
import { readIdFile } from './id-file.js';
import { readImplicitNpz } from './implicit-npz.js';
import type { ImportedFactors } from './imported-factors.js';
import { seenRecord } from './seen-record.js';
import { readSparkAls } from './spark-als.js';

export interface ImportFactorModelOptions {
  /** 'npz' (Python implicit's save()) or 'spark' (an ALSModel directory). Default: 'spark' for a directory, 'npz' for a file. */
  format?: 'npz' | 'spark';
  /** 'als' or 'bpr'. Default: what the file says (an .npz's scalars; Spark is always ALS). */
  model?: 'als' | 'bpr';
  /** .npz only: the user ids of the rows, as a file (one id per line) or a list. Default: the row numbers 0, 1, … */
  userIds?: string | readonly RawId[];
  /** .npz only: the item ids of the rows, as userIds. */
  itemIds?: string | readonly RawId[];
  /** Hyperparameters for fold-in and partial fits, over those taken from the file (`factors` is the file's). */
  params?: ImplicitALSOptions | BPROptions;
  /**
   * The interactions the model was trained on: what `filterSeen` leaves out
   * and what cold-start popularity counts. Without them no item counts as
   * seen and cold-start users get the items in catalogue order (score 0).
   * Pairs with ids the model does not know are left out.
   */
  interactions?: Interactions;
}

const OPTION_NAMES = ['format', 'model', 'userIds', 'itemIds', 'params', 'interactions'] as const;

/** Defaults for a Spark model, whose metadata does not keep the estimator's settings: Spark's own defaults (regParam 0.1, alpha 1). */
const SPARK_ALS_DEFAULTS: ImplicitALSOptions = { regularization: 0.1, alpha: 1, scaleRegularization: true, confidence: 'linear', iterations: 10 };

export async function importFactorModel(file: string, options?: ImportFactorModelOptions): Promise<ImplicitALS | BPR> {
  if (typeof file !== 'string' || file === '') throw invalid('a file or directory path', 'file', file);
  const o = knownOptions('importFactorModel options', options, OPTION_NAMES) as ImportFactorModelOptions;
  const model = o.model === undefined ? undefined : oneOf('model', o.model, ['als', 'bpr'] as const);
  if (o.interactions !== undefined && !(o.interactions instanceof Interactions)) throw invalid('an Interactions object', 'interactions', o.interactions);
  if (o.params !== undefined && (o.params === null || typeof o.params !== 'object')) throw invalid('an options object', 'params', o.params);
  const format = o.format === undefined ? await formatOf(file) : oneOf('format', o.format, ['npz', 'spark'] as const);
  let imported: ImportedFactors;
  if (format === 'spark') {
    if (model === 'bpr') throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${file}: a Spark ALSModel holds ALS factors, not BPR`);
    if (o.userIds !== undefined || o.itemIds !== undefined) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${file}: a Spark model carries its own ids (the id columns); userIds / itemIds are for .npz files`);
    }
    imported = await readSparkAls(file);
  } else {
    imported = await readImplicitNpz(file, model);
    imported.userIds = await idsOf(o.userIds, imported.users, 'user');
    imported.itemIds = await idsOf(o.itemIds, imported.items, 'item');
  }
  return buildModel(imported, format, file, o);
}

async function formatOf(file: string): Promise<'npz' | 'spark'> {
  try {
    return (await stat(file)).isDirectory() ? 'spark' : 'npz';
  } catch (e) {
    throw new MfrecError(
      ErrorCodes.IO,
      `Cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`,
      { cause: e },
    );
  }
}

async function idsOf(given: string | readonly RawId[] | undefined, rows: number, what: 'user' | 'item'): Promise<RawId[] | undefined> {
  if (given === undefined) return undefined;
  if (typeof given === 'string') return readIdFile(given, rows, what);
  if (!Array.isArray(given)) throw invalid('an ids file path or an array of ids', `${what}Ids`, given);
  if (given.length !== rows) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${what}Ids has ${given.length} ids, the model has ${rows} ${what} rows`);
  return [...given];
}

function idMap(ids: RawId[] | undefined, rows: number, what: string, file: string): IdMap {
  const map = new IdMap(ids ?? Array.from({ length: rows }, (_, r) => r));
  if (map.size !== rows) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${file}: the ${what} ids name some id twice (42 and "42" are one id)`);
  return map;
}

function buildModel(f: ImportedFactors, format: 'npz' | 'spark', file: string, o: ImportFactorModelOptions): ImplicitALS | BPR {
  const given = (o.params ?? {}) as Record<string, unknown>;
  if (given.factors !== undefined && given.factors !== f.factors) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `params.factors is ${String(given.factors)}, the file's factors are ${f.factors}`);
  }
  const fromFile = format === 'spark' ? { ...SPARK_ALS_DEFAULTS, ...f.params } : f.params;
  const params: Record<string, unknown> = { ...fromFile, ...given, factors: f.factors };
  if (f.model === 'als' && given.alpha === undefined && typeof params.alpha === 'number' && params.alpha < 0) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `${file}: alpha ${params.alpha + 1} < 1 has no match in mfrec's confidence 1 + alpha·value (docs/import.md): choose the fold-in's alpha (--alpha, params.alpha)`,
    );
  }
  let model: ImplicitALS | BPR;
  try {
    model = f.model === 'als' ? new ImplicitALS(params as ImplicitALSOptions) : new BPR(params as BPROptions);
  } catch (e) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${file}: hyperparameters ${JSON.stringify(params)}: ${(e as Error).message}`, { cause: e });
  }
  const users = idMap(f.userIds, f.users, 'user', file);
  const items = idMap(f.itemIds, f.items, 'item', file);
  const { seen } = seenRecord(o.interactions, users, items);
  const state: FactorState = {
    factors: f.factors,
    users,
    items,
    userFactors: f.userFactors,
    itemFactors: f.itemFactors,
    seen,
    itemPopularity: usersPerItem(seen),
    everyUserTrained: true,
  };
  if (f.model === 'bpr') state.itemBias = f.itemBias ?? new Float32Array(f.items);
  return Recommender.restore(model, state);
}
