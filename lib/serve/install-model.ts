/**
 * Puts a newly trained model file in place of a handle's file and reloads
 * the handle. If the handle refuses it (its checks or its gate), the previous
 * file goes back: the file on disk stays the model that serves, so a restart
 * or a later reload does not bring back a refused model.
 */
import { link, rename, rm } from 'node:fs/promises';
import type { ModelHandle, ReloadOutcome } from './model-handle.js';

/** Where a training writes the model that installModel then puts in place of `file`. */
export const candidatePath = (file: string): string => `${file}.next`;

export async function installModel(handle: ModelHandle, candidate: string): Promise<ReloadOutcome> {
  const file = handle.file;
  const previous = `${file}.previous`;
  await rm(previous, { force: true });
  try {
    await link(file, previous);
    await rename(candidate, file);
    try {
      return await handle.reload();
    } catch (e) {
      await rename(previous, file);
      throw e;
    }
  } finally {
    await rm(previous, { force: true });
    await rm(candidate, { force: true });
  }
}
