/** Reads any model file written by `save()` back into the right model class. */
import { ErrorCodes, MfrecError } from '../errors.js';
import { Recommender } from '../models/base/recommender.js';
import { ItemItemModel } from '../models/item-item/item-item-model.js';
import { MODEL_TYPES, MODELS, modelType, type AnyModel } from '../models/registry.js';
import { decodeFactorModel } from './factor-state.js';
import { decodeItemMetadata } from './item-metadata.js';
import { readModelFile } from './model-file.js';

export type LoadedModel = AnyModel;

/**
 * Loads a model file. A file that is not a model, truncated, corrupted or
 * from a newer format fails with a typed error (BAD_MAGIC, CORRUPT_FILE,
 * UNSUPPORTED_VERSION); nothing is trusted before it has been checked.
 */
export async function loadModel(file: string): Promise<LoadedModel> {
  const saved = decodeFactorModel(await readModelFile(file), file);
  const type = modelType(saved.type);
  if (type === undefined) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: unknown model type ${JSON.stringify(saved.type.slice(0, 40))} (known: ${MODEL_TYPES.join(', ')})`);
  }
  let model: Recommender;
  try {
    model = MODELS[type].create(saved.params);
  } catch (e) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: invalid hyperparameters: ${(e as Error).message}`, { cause: e });
  }
  // A family's file holds what the family reads: weights for item-to-item models, factors for the others.
  if (model instanceof ItemItemModel !== (saved.state.weights !== undefined)) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: a ${type} model ${saved.state.weights === undefined ? 'needs' : 'has no'} item-to-item weights`);
  }
  return Recommender.restore(model, saved.state, decodeItemMetadata(saved.extra.itemMetadata, file)) as LoadedModel;
}
