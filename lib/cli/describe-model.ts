/** A summary of a model file for `mfrec info MODEL`, read without building the model. */
import { readModelFile } from '../persist/model-file.js';

export async function describeModelFile(file: string): Promise<Record<string, unknown>> {
  const { header, blocks } = await readModelFile(file);
  const users = Array.isArray(header.users) ? header.users.length : undefined;
  const items = Array.isArray(header.items) ? header.items.length : undefined;
  const bytes = Object.values(blocks).reduce((s, b) => s + b.byteLength, 0);
  return {
    file,
    type: header.type,
    mfrecVersion: header.mfrecVersion,
    factors: header.factors,
    users,
    items,
    params: header.params,
    training: header.training,
    ...(header.annIndex !== undefined ? { index: header.annIndex } : {}),
    itemsWithMetadata: Array.isArray(header.itemMetadata) ? header.itemMetadata.length : 0,
    dataBytes: bytes,
  };
}
