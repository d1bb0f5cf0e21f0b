/** Reads any model file written by `save()` back into the right model class. */
import type { AnyModel } from '../models/registry.js';
import { readModelFile } from './model-file.js';
import { modelFromContents } from './model-from-contents.js';

export type LoadedModel = AnyModel;

/**
 * Loads a model file. A file that is not a model, truncated, corrupted or
 * from a newer format fails with a typed error (BAD_MAGIC, CORRUPT_FILE,
 * UNSUPPORTED_VERSION); nothing is trusted before it has been checked.
 */
export async function loadModel(file: string): Promise<LoadedModel> {
  return modelFromContents(await readModelFile(file), file);
}
