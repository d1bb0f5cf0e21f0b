/** Reads any model file written by `save()` back into the right model class. */
import { ErrorCodes, MfrecError } from '../errors.js';
import { BPR } from '../models/bpr/bpr.js';
import { ExplicitMF } from '../models/explicit/explicit-mf.js';
import { FactorModel } from '../models/base/factor-model.js';
import { ImplicitALS } from '../models/als/implicit-als.js';
import { decodeFactorModel } from './factor-state.js';
import { readModelFile } from './model-file.js';

/** The model classes a file can hold, by their `type` (a Map: a type read from a file is never an Object property like `constructor`). */
const MODEL_CLASSES = new Map<string, (params: Record<string, unknown>) => FactorModel>([
  ['explicit', (p) => new ExplicitMF(p)],
  ['als', (p) => new ImplicitALS(p)],
  ['bpr', (p) => new BPR(p)],
]);

export type LoadedModel = ExplicitMF | ImplicitALS | BPR;

/**
 * Loads a model file. A file that is not a model, truncated, corrupted or
 * from a newer format fails with a typed error (BAD_MAGIC, CORRUPT_FILE,
 * UNSUPPORTED_VERSION); nothing is trusted before it has been checked.
 */
export async function loadModel(file: string): Promise<LoadedModel> {
  const saved = decodeFactorModel(await readModelFile(file), file);
  const create = MODEL_CLASSES.get(saved.type);
  if (create === undefined) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: unknown model type ${JSON.stringify(saved.type.slice(0, 40))} (known: ${[...MODEL_CLASSES.keys()].join(', ')})`);
  }
  let model: FactorModel;
  try {
    model = create(saved.params);
  } catch (e) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: invalid hyperparameters: ${(e as Error).message}`, { cause: e });
  }
  return FactorModel.restore(model, saved.state) as LoadedModel;
}
