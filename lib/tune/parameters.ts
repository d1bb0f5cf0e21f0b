/**
 * Which hyperparameters of each model a search may vary, their types, and
 * the model's own check of a value (so a range is refused with the same
 * message the model would give).
 */
import { BPR_DEFAULTS, resolveBPROptions } from '../models/bpr/bpr.js';
import { EXPLICIT_MF_DEFAULTS, ExplicitMF } from '../models/explicit/explicit-mf.js';
import { IMPLICIT_ALS_DEFAULTS, resolveImplicitALSOptions } from '../models/als/implicit-als.js';

export type TunableModel = 'als' | 'bpr' | 'explicit';
export const TUNABLE_MODELS: readonly TunableModel[] = ['als', 'bpr', 'explicit'];

export type ParamValue = number | string;
export type ParamType = 'int' | 'float' | 'enum';

/**
 * The searchable hyperparameters of each model. Left out on purpose:
 * threads, seed and backend (how to run, not what to learn: tune()'s own
 * options), booleans, and the explicit model's early stopping and
 * unknown-id policy (the search sets those itself).
 */
export const PARAMETER_TYPES: Readonly<Record<TunableModel, Readonly<Record<string, ParamType>>>> = {
  als: {
    factors: 'int',
    iterations: 'int',
    regularization: 'float',
    alpha: 'float',
    confidence: 'enum',
    epsilon: 'float',
    solver: 'enum',
    cgSteps: 'int',
  },
  bpr: {
    factors: 'int',
    iterations: 'int',
    learningRate: 'float',
    regularization: 'float',
  },
  explicit: {
    factors: 'int',
    iterations: 'int',
    learningRate: 'float',
    regularization: 'float',
    biasRegularization: 'float',
    learningRateDecay: 'float',
    initStd: 'float',
  },
};

/** The model's default value of a searchable hyperparameter. */
export function modelDefault(model: TunableModel, name: string): ParamValue {
  const defaults: Record<string, unknown> =
    model === 'als' ? IMPLICIT_ALS_DEFAULTS : model === 'bpr' ? BPR_DEFAULTS : EXPLICIT_MF_DEFAULTS;
  return defaults[name] as ParamValue;
}

/**
 * Checks one value with the model's own validation: throws the model's
 * ERR_MFREC_INVALID_ARGUMENT (naming the parameter) when out of range.
 */
export function checkParamValue(model: TunableModel, name: string, value: unknown): void {
  const options = { [name]: value };
  if (model === 'als') resolveImplicitALSOptions(options);
  else if (model === 'bpr') resolveBPROptions(options);
  else new ExplicitMF(options);
}
