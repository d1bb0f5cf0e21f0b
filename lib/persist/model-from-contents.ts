/**
 * The model held by model-file contents already read and checksummed: the
 * second half of loadModel, apart so that contents read elsewhere (on a
 * worker thread, lib/serve/read-off-thread.ts) become a model the same way.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { Recommender } from '../models/base/recommender.js';
import { ItemItemModel } from '../models/item-item/item-item-model.js';
import { MODEL_TYPES, MODELS, modelType, type AnyModel } from '../models/registry.js';
import { decodeFactorModel } from './factor-state.js';
import { decodeItemMetadata } from './item-metadata.js';
import type { ModelFileContents } from './model-file.js';

/**
 * Every check of the state and the type is made here; `file` names the
 * contents in errors. `valuesChecked`: see decodeFactorModel.
 */
export function modelFromContents(contents: ModelFileContents, file: string, valuesChecked = false): AnyModel {
  const saved = decodeFactorModel(contents, file, valuesChecked);
  const type = modelType(saved.type);
  if (type === undefined) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: unknown model type ${JSON.stringify(saved.type.slice(0, 40))} (known: ${MODEL_TYPES.join(', ')})`);
  }
  let model: Recommender;
  try {
    model = MODELS[type].create({ ...MODELS[type].olderFileParams, ...saved.params });
  } catch (e) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: invalid hyperparameters: ${(e as Error).message}`, { cause: e });
  }
  // A family's file holds what the family reads: weights for item-to-item models, factors for the others.
  if (model instanceof ItemItemModel !== (saved.state.weights !== undefined)) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: a ${type} model ${saved.state.weights === undefined ? 'needs' : 'has no'} item-to-item weights`);
  }
  return Recommender.restore(model, saved.state, decodeItemMetadata(saved.extra.itemMetadata, file)) as AnyModel;
}
