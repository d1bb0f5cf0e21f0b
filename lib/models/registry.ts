/**
 * Every model mfrec offers, named once with its traits. The CLI (flags,
 * construction, evaluation), tune (what may be searched, how a trial is
 * built), the report and loadModel read this table; adding a model family
 * is its folder under lib/models/ (with a traits.ts) plus its line in
 * MODELS here (and the import of its traits).
 */
import type { Interactions } from '../data/interactions.js';
import { ALS_TRAITS } from './als/traits.js';
import type { FactorModel } from './base/factor-model.js';
import { BPR_TRAITS } from './bpr/traits.js';
import { EASE_TRAITS } from './ease/traits.js';
import { EXPLICIT_TRAITS } from './explicit/traits.js';
import { ITEMKNN_TRAITS } from './itemknn/traits.js';
import { RP3BETA_TRAITS } from './rp3beta/traits.js';
import type { ModelTraits } from './base/traits.js';
import type { RawId } from '../data/id-map.js';
import type { ValueUse } from '../data/value-checks.js';

export { FACTOR_PARAMETERS, logRange, type DefaultRange, type ModelTraits, type ParamType, type SpecificFlag } from './base/traits.js';

/** Every model, by the type its model file says and `--model` takes: the one list of the models (factor models, then item-to-item models). */
export const MODELS = {
  explicit: EXPLICIT_TRAITS,
  als: ALS_TRAITS,
  bpr: BPR_TRAITS,
  ease: EASE_TRAITS,
  itemknn: ITEMKNN_TRAITS,
  rp3beta: RP3BETA_TRAITS,
} as const;

/** A factor model's type. */
export type ModelType = keyof typeof MODELS;

/** The class of each factor model type, read from its traits. */
export type ModelClasses = { [T in ModelType]: (typeof MODELS)[T] extends ModelTraits<infer M> ? M : never };

/** Any factor model mfrec offers. */
export type AnyModel = ModelClasses[ModelType];

/** What `mfrec evaluate --model` takes: the factor models and the popularity baseline. */
export type EvaluatedType = ModelType | 'popularity';

/** The factor model types in table order. */
export const MODEL_TYPES = Object.keys(MODELS) as ModelType[];

/** What `evaluate` takes: every factor model, then the popularity baseline. */
export const EVALUATED_TYPES: readonly EvaluatedType[] = [...MODEL_TYPES, 'popularity'];

/** A type read from outside (a file, a flag): a factor model type or undefined (never an Object property like `constructor`). */
export function modelType(name: string): ModelType | undefined {
  return (MODEL_TYPES as string[]).includes(name) ? (name as ModelType) : undefined;
}

/** Whether `type` is a rating model (predicts ratings, scored by RMSE) rather than a ranking model. */
export function isRatingModel(type: ModelType): boolean {
  return MODELS[type].kind === 'rating';
}

/** What a rating model adds to a factor model: its error on held-out ratings. */
export interface RatingModel extends FactorModel {
  evaluate(test: Interactions): Promise<{ rmse: number; mae: number; count: number }>;
  /** Predicted ratings of the pairs (users[n], items[n]). */
  predictMany(users: ArrayLike<RawId>, items: ArrayLike<RawId>): Float32Array;
}

/**
 * The options a family adapts to `data` (see ModelTraits.adaptDefaults),
 * minus those `given` names: the adapted values are one choice, so setting
 * any of them yourself keeps the fixed defaults for the others.
 */
export function adaptedDefaults(traits: ModelTraits, data: Interactions, given: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const adapted = traits.adaptDefaults?.(data) ?? {};
  return Object.keys(adapted).some((name) => given[name] !== undefined) ? {} : { ...adapted };
}

/** What a family makes of the values (ModelTraits.values, defaulting by kind). */
export function valueUseOf(traits: ModelTraits): ValueUse {
  return traits.values ?? (traits.kind === 'rating' ? 'ratings' : 'presence');
}

/** "a, b or c", for messages that list the models. */
export function listOf(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
