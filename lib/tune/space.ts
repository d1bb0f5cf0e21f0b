/**
 * The search space: one range per hyperparameter, from the model's defaults
 * below and the caller's overrides. Scale parameters (sizes, penalties, step
 * sizes, confidence slopes) are searched log-uniformly: going from 0.01 to
 * 0.02 matters as much as from 1 to 2, and a linear draw would spend almost
 * every trial in the top decade of the range.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid, knownOptions, number } from '../validate.js';
import { MODEL_TYPES, MODELS } from '../models/registry.js';
import { checkParamValue, familyOf, type FamilyRef, type ParamType, type ParamValue, type TunableModel } from './parameters.js';

/**
 * What a caller may give for one hyperparameter:
 * - a value (number or string): fixed, not searched;
 * - `{ min, max, log? }`: a numeric range (integers for integer parameters);
 *   `log` defaults to the parameter's default scale (log for the ranges
 *   below, linear for parameters not searched by default);
 * - `{ values: [...] }`: a choice among listed values, drawn uniformly.
 */
export type Range = ParamValue | { min: number; max: number; log?: boolean } | { values: readonly ParamValue[] };

/** A resolved dimension of the search space. */
export type Dimension =
  | { name: string; kind: 'fixed'; value: ParamValue }
  | { name: string; kind: 'int' | 'float'; min: number; max: number; log: boolean }
  | { name: string; kind: 'choice'; values: readonly ParamValue[] };

export interface SearchSpace {
  /** The family's type. */
  model: string;
  /** Sorted by name, so draws do not depend on the order options were written in. */
  dimensions: readonly Dimension[];
}

/** Default ranges per model (see ModelTraits.ranges in lib/models/registry.ts). */
export const DEFAULT_RANGES: Readonly<Record<TunableModel, Readonly<Record<string, Range>>>> = Object.fromEntries(
  MODEL_TYPES.map((t) => [t, MODELS[t].ranges]),
) as Record<TunableModel, Readonly<Record<string, Range>>>;

function isRangeObject(r: unknown): r is Record<string, unknown> {
  return r !== null && typeof r === 'object' && !Array.isArray(r);
}

function resolveDimension(model: FamilyRef, name: string, type: ParamType, range: unknown, defaultLog: boolean): Dimension {
  const where = `space.${name}`;
  if (typeof range === 'number' || typeof range === 'string') {
    checkParamValue(model, name, range);
    return { name, kind: 'fixed', value: range };
  }
  if (!isRangeObject(range)) throw invalid('a value, { min, max, log? } or { values: [...] }', where, range);
  if ('values' in range) {
    knownOptions(where, range, ['values']);
    const values = range.values;
    if (!Array.isArray(values) || values.length === 0) throw invalid('a non-empty array of values', `${where}.values`, values);
    for (const v of values) {
      if (typeof v !== 'number' && typeof v !== 'string') throw invalid('numbers or strings', `${where}.values`, v);
      checkParamValue(model, name, v);
    }
    return { name, kind: 'choice', values: [...(values as ParamValue[])] };
  }
  knownOptions(where, range, ['min', 'max', 'log']);
  if (type === 'enum') throw invalid('a value or { values: [...] } (this parameter takes names)', where, range);
  const min = number(`${where}.min`, range.min);
  const max = number(`${where}.max`, range.max);
  if (max < min) throw invalid(`a number >= ${where}.min (${min})`, `${where}.max`, max);
  if (type === 'int' && (!Number.isInteger(min) || !Number.isInteger(max))) {
    throw invalid('integer bounds (this parameter is an integer)', where, range);
  }
  if (range.log !== undefined && typeof range.log !== 'boolean') throw invalid('boolean', `${where}.log`, range.log);
  const log = range.log ?? defaultLog;
  if (log && min <= 0) throw invalid('a number > 0 (a log-uniform range)', `${where}.min`, min);
  checkParamValue(model, name, min);
  checkParamValue(model, name, max);
  return { name, kind: type, min, max, log };
}

/**
 * The model's default ranges with `overrides` applied. An unknown name fails
 * with ERR_MFREC_UNKNOWN_OPTION (with a hint); a bad range with
 * ERR_MFREC_INVALID_ARGUMENT. A family that trains in iterations always has
 * an `iterations` dimension (fixed at its default unless overridden), since
 * every trial reports it; a one-shot family (no `iterations` parameter) has none.
 */
export function resolveSpace(model: FamilyRef, overrides?: unknown): SearchSpace {
  const family = familyOf(model);
  const types = family.traits.parameters;
  const given = knownOptions(`space of model '${family.type}'`, overrides, Object.keys(types));
  const defaults: Readonly<Record<string, Range>> = family.traits.ranges;
  const dimensions: Dimension[] = [];
  for (const name of Object.keys(types).sort()) {
    const type = types[name]!;
    const fallback = defaults[name];
    const defaultLog = fallback !== undefined && isRangeObject(fallback) && 'min' in fallback ? fallback.log === true : false;
    const range = given[name] !== undefined ? given[name] : fallback;
    if (range !== undefined) dimensions.push(resolveDimension(family, name, type, range, defaultLog));
    else if (name === 'iterations') dimensions.push({ name, kind: 'fixed', value: family.traits.defaults[name] as ParamValue });
  }
  return { model: family.type, dimensions };
}

/** The dimension of `name`, if the space has one. */
export function dimensionOf(space: SearchSpace, name: string): Dimension | undefined {
  return space.dimensions.find((d) => d.name === name);
}

/** Refuses a space that cannot serve as the iteration axis of successive halving. */
export function iterationBounds(space: SearchSpace): { min: number; max: number } | { fixed: number } {
  const d = dimensionOf(space, 'iterations');
  if (d === undefined) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'The search space has no iterations dimension');
  if (d.kind === 'fixed') return { fixed: d.value as number };
  if (d.kind === 'choice') {
    throw invalid("a fixed number or { min, max } with strategy 'halving' (iterations is its budget axis)", 'space.iterations', d.values);
  }
  return { min: d.min, max: d.max };
}
