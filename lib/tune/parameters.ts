/**
 * Which hyperparameters of each model a search may vary, their types, and
 * the model's own check of a value (so a range is refused with the same
 * message the model would give). Everything is read from a family's traits,
 * so a search works the same for any family: those of the registry, or one
 * handed to tune() directly.
 */
import { MODEL_TYPES, MODELS, type ModelTraits, type ModelType, type ParamType } from '../models/registry.js';
import { invalid } from '../validate.js';

/** Every factor model can be tuned: the registry's traits say what a search may vary. */
export type TunableModel = ModelType;
export const TUNABLE_MODELS: readonly TunableModel[] = MODEL_TYPES;

export type ParamValue = number | string;
export type { ParamType } from '../models/registry.js';

/** A model family a search can work on: its name (for messages and results) and its traits. */
export interface TuneFamily {
  type: string;
  traits: ModelTraits;
}

/** A registry type, or a family given with its traits. */
export type FamilyRef = TunableModel | TuneFamily;

function isTraits(t: unknown): t is ModelTraits {
  if (t === null || typeof t !== 'object') return false;
  const o = t as Record<string, unknown>;
  return typeof o.create === 'function' && typeof o.checkOptions === 'function' && typeof o.parameters === 'object' && typeof o.ranges === 'object';
}

/** The family a registry type names, or the given family once its traits are checked. */
export function familyOf(model: FamilyRef): TuneFamily {
  if (typeof model === 'string') {
    if (!(MODEL_TYPES as string[]).includes(model)) throw invalid(`one of ${MODEL_TYPES.map((t) => `'${t}'`).join(', ')}`, 'model', model);
    return { type: model, traits: MODELS[model] };
  }
  if (model === null || typeof model !== 'object' || typeof model.type !== 'string' || !isTraits(model.traits)) {
    throw invalid('a model type or { type, traits }', 'model', model);
  }
  return model;
}

/** The searchable hyperparameters of each model and their types (see ModelTraits.parameters). */
export const PARAMETER_TYPES: Readonly<Record<TunableModel, Readonly<Record<string, ParamType>>>> = Object.fromEntries(
  MODEL_TYPES.map((t) => [t, MODELS[t].parameters]),
) as Record<TunableModel, Readonly<Record<string, ParamType>>>;

/** The family's default value of a searchable hyperparameter. */
export function modelDefault(model: FamilyRef, name: string): ParamValue {
  return familyOf(model).traits.defaults[name] as ParamValue;
}

/**
 * Checks one value with the model's own validation: throws the model's
 * ERR_MFREC_INVALID_ARGUMENT (naming the parameter) when out of range.
 */
export function checkParamValue(model: FamilyRef, name: string, value: unknown): void {
  familyOf(model).traits.checkOptions({ [name]: value });
}

/** Whether the family predicts ratings (scored by rating error) rather than ranking items. */
export function isRatingFamily(model: FamilyRef): boolean {
  return familyOf(model).traits.kind === 'rating';
}
