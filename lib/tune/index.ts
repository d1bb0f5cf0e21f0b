/** Hyperparameter search: the public surface of lib/tune. */
export { tune } from './tune.js';
export { tuneAll, type TuneAllOptions, type TuneAllResult } from './tune-all.js';
export type { TuneOptions } from './options.js';
export type { TrialResult } from './trial.js';
export { tuneResultToJson, trialToJson, type TuneResult, type TuneResultJson, type TrialJson } from './results.js';
export { planSearch, ETA, type SearchPlan, type Rung, type Strategy } from './plan.js';
export { DEFAULT_RANGES, resolveSpace, type Range, type Dimension, type SearchSpace } from './space.js';
export { parseMetric, defaultMetric, type TuneMetric } from './metric.js';
export type { ValidationOptions, ResolvedValidation } from './validation-split.js';
export type { TunableModel, ParamValue, TuneFamily, FamilyRef } from './parameters.js';
export type { TunedModel } from './trial-model.js';
