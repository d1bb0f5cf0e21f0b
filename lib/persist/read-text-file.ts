/**
 * Reads a small text input (a JSON file of trials) with a bound: only a
 * regular file (a device or pipe could be endless, and a pipe nobody writes
 * to would block the open), and only up to `maxBytes`.
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { ErrorCodes, MfrecError } from '../errors.js';

export async function readTextFile(file: string, what: string, maxBytes: number): Promise<string> {
  const fail = (why: string, cause?: unknown) => new MfrecError(ErrorCodes.IO, `Cannot read ${what} ${file}: ${why}`, { cause });
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, e);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw fail(info.isDirectory() ? 'it is a folder' : 'not a regular file (a device, pipe or socket)');
    if (info.size > maxBytes) throw fail(`${info.size} bytes, more than the ${maxBytes} such a file may have`);
    const bytes = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    return bytes.toString('utf8', 0, bytesRead);
  } catch (e) {
    throw e instanceof MfrecError ? e : fail((e as Error).message, e);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
