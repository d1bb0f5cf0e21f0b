/**
 * A batch job names its model by path and SHA-256: every worker reads the
 * file once, hashes exactly the bytes it decodes, and refuses a file that is
 * not the one the job was submitted with (changed or replaced on the shared
 * path since), so no shard is ever computed from another model.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ErrorCodes, MfrecError } from '../errors.js';
import { decodeModelFile } from '../persist/model-file.js';
import { modelFromContents } from '../persist/model-from-contents.js';
import type { LoadedModel } from '../persist/load-model.js';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `what`: how messages name the file (`model file`, or `--model file` where the user gave it). */
async function readBytes(file: string, what = 'model file'): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new MfrecError(ErrorCodes.IO, `Cannot read ${what} '${file}': ${(e as Error).message}`, { cause: e });
  }
}

/** The model and its file's checksum, read once (what the submitter records in the job). */
export async function loadModelWithChecksum(file: string, what?: string): Promise<{ model: LoadedModel; checksum: string; bytes: number }> {
  const bytes = await readBytes(file, what);
  return { model: modelFromContents(decodeModelFile(bytes, file), file), checksum: sha256(bytes), bytes: bytes.length };
}

/** The model at `file`, if its bytes hash to `expected`; ERR_MFREC_CORRUPT_FILE naming both checksums otherwise. */
export async function loadVerifiedModel(file: string, expected: string): Promise<LoadedModel> {
  const bytes = await readBytes(file);
  const actual = sha256(bytes);
  if (actual !== expected) {
    throw new MfrecError(
      ErrorCodes.CORRUPT_FILE,
      `Model file '${file}' has checksum sha256:${actual.slice(0, 16)}…, the job was submitted with sha256:${expected.slice(0, 16)}…: the file changed since`,
    );
  }
  return modelFromContents(decodeModelFile(bytes, file), file);
}
