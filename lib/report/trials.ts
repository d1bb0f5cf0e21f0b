/**
 * Hyperparameter-search trials for the report: checked, and arranged as one
 * series per hyperparameter (the metric against that parameter's values).
 */
import { describeValidation, resolveValidation, type ValidationOptions } from '../tune/validation-split.js';
import { invalid } from '../validate.js';

/** One trial of a hyperparameter search, as tune() lists them. */
export interface Trial {
  id: number | string;
  params: Record<string, number | string>;
  /** The metric the search optimises; null or non-finite for a trial that failed. */
  score: number | null;
  metrics?: Record<string, number>;
  seconds?: number;
  iterations?: number;
}

/** Trials with what their score means. A bare array of trials is accepted too. */
export interface TrialsInput {
  /** Name of the metric in `score` (default 'score'). */
  metric?: string;
  /** Whether a larger score is better. Default: false for names containing rmse, mae, loss or error, else true. */
  higherIsBetter?: boolean;
  /** How the trials were validated, as tune() reports it (`{ kind: 'time', testFraction: 0.2 }`); shown when given. */
  validation?: ValidationOptions;
  trials: readonly Trial[];
}

export interface TrialParam {
  name: string;
  /** 'number' when every trial gave a number, else 'category' (values shown as text). */
  kind: 'number' | 'category';
  /** Category labels in first-seen order (empty for numbers). */
  categories: string[];
  /** True when the values are positive and span at least two orders of magnitude: shown on a log axis. */
  logScale: boolean;
}

export interface TrialsSection {
  metric: string;
  higherIsBetter: boolean;
  /** How the trials were validated ('latest 0.2 of TRAIN by time'), or null when not given. */
  validation: string | null;
  /** Hyperparameters that take more than one value across the trials, one chart each. */
  params: TrialParam[];
  /** Hyperparameters with the same value in every trial. */
  fixed: Record<string, number | string>;
  trials: Array<{ id: string; params: Record<string, number | string>; score: number | null; seconds: number | null; iterations: number | null }>;
  /** Id of the best trial with a finite score, or null when none has one. */
  best: string | null;
  /** Trials without a finite score. */
  failed: number;
}

const LOWER_IS_BETTER = /rmse|mae|loss|error/i;

/** Checks trials (from tune() or a JSON file) and arranges them for the report. */
export function trialsSection(input: TrialsInput | readonly Trial[]): TrialsSection {
  const o: TrialsInput = Array.isArray(input) ? { trials: input as readonly Trial[] } : (input as TrialsInput);
  if (o === null || typeof o !== 'object' || !Array.isArray(o.trials)) throw invalid('an array of trials or { trials: [...] }', 'trials', input);
  const metric = o.metric ?? 'score';
  if (typeof metric !== 'string') throw invalid('a string', 'trials.metric', metric);
  const higherIsBetter = o.higherIsBetter ?? !LOWER_IS_BETTER.test(metric);
  if (typeof higherIsBetter !== 'boolean') throw invalid('a boolean', 'trials.higherIsBetter', higherIsBetter);
  const validation = o.validation === undefined ? null : describeValidation(resolveValidation(o.validation));

  const trials = o.trials.map((t, n) => checkTrial(t, n));
  const names: string[] = [];
  for (const t of trials) for (const name of Object.keys(t.params)) if (!names.includes(name)) names.push(name);

  const params: TrialParam[] = [];
  const fixed: Record<string, number | string> = {};
  for (const name of names) {
    const values = trials.map((t) => t.params[name]).filter((v): v is number | string => v !== undefined);
    const distinct = new Set(values.map((v) => `${typeof v}:${v}`));
    if (distinct.size <= 1) {
      if (values.length > 0) fixed[name] = values[0]!;
      continue;
    }
    const numeric = values.every((v) => typeof v === 'number');
    const categories = numeric ? [] : [...new Set(values.map(String))];
    let logScale = false;
    if (numeric) {
      const nums = values as number[];
      const lo = Math.min(...nums);
      logScale = lo > 0 && Math.max(...nums) / lo >= 100;
    }
    params.push({ name, kind: numeric ? 'number' : 'category', categories, logScale });
  }

  let best: (typeof trials)[number] | undefined;
  let failed = 0;
  for (const t of trials) {
    if (t.score === null) {
      failed++;
      continue;
    }
    if (best === undefined || (higherIsBetter ? t.score > best.score! : t.score < best.score!)) best = t;
  }
  return { metric, higherIsBetter, validation, params, fixed, trials, best: best?.id ?? null, failed };
}

function checkTrial(t: Trial, n: number): TrialsSection['trials'][number] {
  const where = `trials[${n}]`;
  if (t === null || typeof t !== 'object') throw invalid('a trial object', where, t);
  if (typeof t.id !== 'string' && typeof t.id !== 'number') throw invalid('a string or number', `${where}.id`, t.id);
  if (t.params === null || typeof t.params !== 'object' || Array.isArray(t.params)) throw invalid('an object', `${where}.params`, t.params);
  const params: Record<string, number | string> = {};
  for (const [name, value] of Object.entries(t.params)) {
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) params[name] = value;
    else throw invalid('a finite number or a string', `${where}.params.${name}`, value);
  }
  if (t.score !== null && typeof t.score !== 'number') throw invalid('a number or null', `${where}.score`, t.score);
  const optional = (name: 'seconds' | 'iterations'): number | null => {
    const v = t[name];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number') throw invalid('a number', `${where}.${name}`, v);
    return Number.isFinite(v) ? v : null;
  };
  return {
    id: String(t.id),
    params,
    score: t.score !== null && Number.isFinite(t.score) ? t.score : null,
    seconds: optional('seconds'),
    iterations: optional('iterations'),
  };
}
