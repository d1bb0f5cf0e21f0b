/** A model file read into memory whole: only a regular file, with a typed error naming it otherwise. */
import { checkMemory } from '../models/base/memory-limit.js';
import { readRegularFile } from '../persist/read-text-file.js';

export function readWholeFile(file: string, what: string): Promise<Uint8Array> {
  return readRegularFile(file, what, (size) =>
    checkMemory({ where: `reading ${file}`, what, bytes: size, largestArray: size, remedy: 'import on a machine with more memory' }),
  );
}
