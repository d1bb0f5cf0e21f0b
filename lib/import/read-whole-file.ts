/** A model file read into memory whole: only a regular file, with a typed error naming it otherwise. */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { ErrorCodes, MfrecError } from '../errors.js';
import { checkMemory } from '../models/base/memory-limit.js';

export async function readWholeFile(file: string, what: string): Promise<Uint8Array> {
  const fail = (why: string, cause?: unknown) => new MfrecError(ErrorCodes.IO, `Cannot read ${what} ${file}: ${why}`, { cause });
  let handle: FileHandle;
  try {
    // O_NONBLOCK: a FIFO given by mistake must not block the open.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, e);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw fail(info.isDirectory() ? 'it is a folder' : 'not a regular file (a device, pipe or socket)');
    checkMemory({ where: `reading ${file}`, what: what, bytes: info.size, largestArray: info.size, remedy: 'import on a machine with more memory' });
    const bytes = new Uint8Array(info.size);
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await handle.read(bytes, done, bytes.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return bytes.subarray(0, done);
  } catch (e) {
    throw e instanceof MfrecError ? e : fail((e as Error).message, e);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
