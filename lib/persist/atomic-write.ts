/**
 * Atomic replacement of a file: write a temporary file in the same folder,
 * flush it, give it the mode and owner of the file it replaces, rename it
 * over the target. Readers see the old or the new complete file; the file
 * keeps its permissions (a 0600 model, which holds every user's history,
 * stays 0600); a symbolic link stays a link (the file it points to is
 * replaced). Every failure is one `ERR_MFREC_IO` line naming the path the
 * caller gave, never the temporary file.
 */
import { constants, type Stats } from 'node:fs';
import { chmod, chown, type FileHandle, lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { ErrorCodes, MfrecError } from '../errors.js';
import { removeStaleTemps, tempPathFor } from './temp-files.js';

/** Why a write failed, in words, from an errno code. */
const REASONS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the name is too long',
  EFBIG: 'the file is too large for this file system',
  EIO: 'input/output error',
};

/** A typed one-line error for a failed write of `target` (as the caller named it). */
export function writeError(target: string, e: unknown): MfrecError {
  if (e instanceof MfrecError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const reason = (code !== undefined && Object.hasOwn(REASONS, code) ? REASONS[code] : undefined) ?? code ?? (e as Error).message;
  return new MfrecError(ErrorCodes.IO, `Cannot write ${target}: ${reason}`, { cause: e });
}

/**
 * The file a write of `file` replaces: a symbolic link's target (when it
 * resolves), else `file`. Only a regular file can be replaced: renaming over
 * a device (`/dev/null` as root), a pipe or a socket would destroy it, and a
 * folder cannot be; those are refused.
 */
export async function replacedPath(file: string): Promise<string> {
  let target = file;
  try {
    if ((await lstat(file)).isSymbolicLink()) target = await realpath(file);
  } catch {
    // Missing or dangling: the write creates `file` itself.
  }
  let existing: Stats | undefined;
  try {
    existing = await stat(target);
  } catch {
    return target;
  }
  if (existing.isDirectory()) throw new MfrecError(ErrorCodes.IO, `Cannot write ${file}: it is a folder`);
  if (!existing.isFile()) {
    throw new MfrecError(ErrorCodes.IO, `Cannot write ${file}: not a regular file (a device, pipe or socket); mfrec replaces output files whole`);
  }
  return target;
}

/**
 * Gives `tmp` the permission bits and owner of the existing `target`, so that
 * replacing a file does not widen who may read it. A new file keeps the
 * default mode (umask). Changing the owner needs privileges we may lack: then
 * the group is tried alone, and a failure leaves the writer as owner.
 */
export async function adoptModeAndOwner(tmp: string, target: string): Promise<void> {
  let old: Stats | undefined;
  try {
    old = await stat(target);
  } catch {
    return;
  }
  if (!old.isFile()) return;
  await chmod(tmp, old.mode & 0o7777);
  const mine = await stat(tmp);
  if (mine.uid === old.uid && mine.gid === old.gid) return;
  await chown(tmp, old.uid, old.gid).catch(() => chown(tmp, mine.uid, old.gid).catch(() => undefined));
  // chown clears set-id bits: put them back once the owner is right.
  await chmod(tmp, old.mode & 0o7777).catch(() => undefined);
}

/** Writes a file's content through an open handle (at its position, from the start). */
export type WriteContent = (handle: FileHandle) => Promise<void>;

/**
 * Writes `data` to `file` so that readers see either the old or the new
 * complete file; `data` is the bytes, or a function that writes them.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | WriteContent): Promise<void> {
  let target: string;
  try {
    target = await replacedPath(file);
  } catch (e) {
    throw writeError(file, e);
  }
  // Temporary files of writers that were killed go first: they never pile up.
  await removeStaleTemps(target);
  const tmp = tempPathFor(target);
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
    created = true;
    if (typeof data === 'function') await data(handle);
    else await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await adoptModeAndOwner(tmp, target);
    await rename(tmp, target);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    if (created) await unlink(tmp).catch(() => undefined);
    throw writeError(file, e);
  }
}
