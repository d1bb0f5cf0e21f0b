/**
 * Which hyperparameters of each model a search may vary, their types, and
 * the model's own check of a value (so a range is refused with the same
 * message the model would give).
 */
import { MODEL_TYPES, MODELS, type ModelType, type ParamType } from '../models/registry.js';

/** Every factor model can be tuned: the registry's traits say what a search may vary. */
export type TunableModel = ModelType;
export const TUNABLE_MODELS: readonly TunableModel[] = MODEL_TYPES;

export type ParamValue = number | string;
export type { ParamType } from '../models/registry.js';

/** The searchable hyperparameters of each model and their types (see ModelTraits.parameters). */
export const PARAMETER_TYPES: Readonly<Record<TunableModel, Readonly<Record<string, ParamType>>>> = Object.fromEntries(
  MODEL_TYPES.map((t) => [t, MODELS[t].parameters]),
) as Record<TunableModel, Readonly<Record<string, ParamType>>>;

/** The model's default value of a searchable hyperparameter. */
export function modelDefault(model: TunableModel, name: string): ParamValue {
  return MODELS[model].defaults[name] as ParamValue;
}

/**
 * Checks one value with the model's own validation: throws the model's
 * ERR_MFREC_INVALID_ARGUMENT (naming the parameter) when out of range.
 */
export function checkParamValue(model: TunableModel, name: string, value: unknown): void {
  MODELS[model].checkOptions({ [name]: value });
}
