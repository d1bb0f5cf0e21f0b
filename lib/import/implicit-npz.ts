/**
 * A factor model saved by Python's implicit library (`model.save(path)`):
 * an .npz holding `user_factors` and `item_factors` (float32 or float64,
 * users × k and items × k) and scalars of the hyperparameters. ALS files
 * have `alpha`, `use_cg` and `cg_steps`; BPR files have `learning_rate` and
 * `verify_negative_samples`, and their matrices have one column more than
 * `factors`: the item bias in item_factors' last column against a constant 1
 * in user_factors'.
 */
import { ErrorCodes, isMfrecError, MfrecError } from '../errors.js';
import { finiteFloats, type ImportedFactors } from './imported-factors.js';
import { corrupt, type NpyArray } from './npy.js';
import { readNpz, type Npz } from './npz.js';

/** Reads `file`; `model` overrides what its scalars say it is (needed when they are absent). */
export async function readImplicitNpz(file: string, model: 'als' | 'bpr' | undefined): Promise<ImportedFactors> {
  const arrays = await readNpz(file);
  const scalar = (name: string): number | string | undefined => scalarOf(arrays.get(name), `${file}: ${name}`);
  const kind = model ?? guessModel(arrays, file);
  const users = matrix(arrays, 'user_factors', file);
  const items = matrix(arrays, 'item_factors', file);
  if (users.columns !== items.columns) {
    throw corrupt(file, `user_factors has ${users.columns} columns, item_factors ${items.columns}: the factor counts differ`);
  }
  const stated = scalar('factors');
  const bprColumns = kind === 'bpr' ? 1 : 0;
  const k = users.columns - bprColumns;
  if (k < 1) throw corrupt(file, `${users.columns} factor columns are too few for a ${kind} model`);
  if (stated !== undefined && stated !== k) {
    throw corrupt(
      file,
      `factors says ${stated}, the matrices have ${users.columns} columns${kind === 'bpr' ? ' (a BPR file has factors + 1: the item bias)' : ''}`,
    );
  }
  const fail = (why: string) => corrupt(file, why);
  const userAll = finiteFloats(users.values, 'user_factors', users.columns, fail);
  const itemAll = finiteFloats(items.values, 'item_factors', items.columns, fail);
  const params = kind === 'als' ? alsParams(scalar, file) : bprParams(scalar);
  if (kind === 'als') {
    return {
      model: kind,
      factors: k,
      userIds: undefined,
      itemIds: undefined,
      users: users.rows,
      items: items.rows,
      userFactors: userAll,
      itemFactors: itemAll,
      params,
    };
  }
  // BPR: the last user column is the constant 1 that multiplies the item bias.
  for (let u = 0; u < users.rows; u++) {
    const one = userAll[u * users.columns + k]!;
    if (one !== 1) throw corrupt(file, `user_factors row ${u} has ${one} in its last column, not the 1 a BPR file holds against the item bias`);
  }
  return {
    model: kind,
    factors: k,
    userIds: undefined,
    itemIds: undefined,
    users: users.rows,
    items: items.rows,
    userFactors: dropLastColumn(userAll, users.rows, users.columns),
    itemFactors: dropLastColumn(itemAll, items.rows, items.columns),
    itemBias: Float32Array.from({ length: items.rows }, (_, i) => itemAll[i * items.columns + k]!),
    params,
  };
}

function guessModel(arrays: Npz, file: string): 'als' | 'bpr' {
  if (arrays.has('learning_rate') || arrays.has('verify_negative_samples')) return 'bpr';
  if (arrays.has('alpha') || arrays.has('use_cg') || arrays.has('cg_steps')) return 'als';
  throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${file} does not say whether it holds ALS or BPR factors: give the model type (--model als|bpr)`);
}

function matrix(arrays: Npz, name: string, file: string): { rows: number; columns: number; values: Float32Array | Float64Array } {
  const a = arrays.get(name);
  if (a === undefined) throw corrupt(file, `no ${name} array (arrays: ${arrays.names.join(', ') || 'none'})`);
  if (a.shape.length !== 2) throw corrupt(`${file}: ${name}`, `shape (${a.shape.join(', ')}) is not a matrix (rows, factors)`);
  if (!(a.values instanceof Float32Array || a.values instanceof Float64Array)) {
    throw corrupt(`${file}: ${name}`, `element type ${a.descr} is not float32 or float64`);
  }
  return { rows: a.shape[0]!, columns: a.shape[1]!, values: a.values };
}

function scalarOf(a: NpyArray | undefined, where: string): number | string | undefined {
  if (a === undefined) return undefined;
  if (a.shape.length !== 0) throw corrupt(where, `shape (${a.shape.join(', ')}) where a single value belongs`);
  return typeof a.values === 'string' ? a.values : a.values[0];
}

function dropLastColumn(all: Float32Array, rows: number, columns: number): Float32Array {
  const k = columns - 1;
  const out = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) out.set(all.subarray(r * columns, r * columns + k), r * k);
  return out;
}

type Scalar = (name: string) => number | string | undefined;

/** The scalar named, when present, must be a number. */
function numeric(scalar: Scalar, name: string, file: string): number | undefined {
  const v = scalar(name);
  if (v !== undefined && typeof v !== 'number') throw corrupt(`${file}: ${name}`, `holds ${JSON.stringify(v)}, not a number`);
  return v;
}

/**
 * The library's ALS solves with confidence alpha·value for an observed pair
 * and 1 for the rest, with a fixed λ. mfrec's linear confidence is
 * 1 + alpha·value and its λ is fixed with scaleRegularization off, so for
 * 0/1 data the same fold-in is alpha − 1 (docs/import.md).
 */
function alsParams(scalar: Scalar, file: string): Record<string, unknown> {
  const params: Record<string, unknown> = { scaleRegularization: false, confidence: 'linear' };
  const regularization = numeric(scalar, 'regularization', file);
  const alpha = numeric(scalar, 'alpha', file);
  const iterations = numeric(scalar, 'iterations', file);
  const cgSteps = numeric(scalar, 'cg_steps', file);
  const useCg = scalar('use_cg');
  const seed = seedOf(scalar);
  if (regularization !== undefined) params.regularization = regularization;
  // The library's own default alpha is 1.0 (confidence = value).
  params.alpha = (alpha ?? 1) - 1;
  if (iterations !== undefined) params.iterations = iterations;
  if (cgSteps !== undefined) params.cgSteps = cgSteps;
  if (useCg !== undefined) params.solver = useCg === 1 ? 'cg' : 'cholesky';
  if (seed !== undefined) params.seed = seed;
  return params;
}

function bprParams(scalar: Scalar): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const map: Array<[string, string]> = [
    ['regularization', 'regularization'],
    ['learning_rate', 'learningRate'],
    ['iterations', 'iterations'],
  ];
  for (const [from, to] of map) {
    const v = scalar(from);
    if (typeof v === 'number') params[to] = v;
  }
  const verify = scalar('verify_negative_samples');
  if (verify !== undefined) params.verifyNegative = verify === 1;
  const seed = seedOf(scalar);
  if (seed !== undefined) params.seed = seed;
  return params;
}

/**
 * The training seed, kept for a later fit() of the imported model when it is
 * a uint32. A NumPy RandomState given as random_state is saved as a pickled
 * object, which is not read: the default seed then applies.
 */
function seedOf(scalar: Scalar): number | undefined {
  let seed: number | string | undefined;
  try {
    seed = scalar('random_state');
  } catch (e) {
    if (isMfrecError(e, ErrorCodes.CORRUPT_FILE)) return undefined;
    throw e;
  }
  return typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? seed : undefined;
}
