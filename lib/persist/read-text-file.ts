/**
 * Reads a whole input file into memory with a bound: only a regular file (a
 * device or pipe could be endless, and a pipe nobody writes to would block
 * the open), and only after `checkSize` has accepted its size.
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { ErrorCodes, MfrecError } from '../errors.js';

/** The bytes of `file`; `checkSize` throws (through `fail`) when the size is not acceptable. */
export async function readRegularFile(file: string, what: string, checkSize: (bytes: number, fail: (why: string) => MfrecError) => void): Promise<Uint8Array> {
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
    checkSize(info.size, fail);
    const bytes = new Uint8Array(info.size);
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await handle.read(bytes, done, bytes.length - done, done);
      if (bytesRead === 0) break; // the file shrank while being read: what is there
      done += bytesRead;
    }
    return bytes.subarray(0, done);
  } catch (e) {
    throw e instanceof MfrecError ? e : fail((e as Error).message, e);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A small text input (a JSON file of trials, rules, ids) of at most `maxBytes`. */
export async function readTextFile(file: string, what: string, maxBytes: number): Promise<string> {
  const bytes = await readRegularFile(file, what, (size, fail) => {
    if (size > maxBytes) throw fail(`${size} bytes, more than the ${maxBytes} such a file may have`);
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
