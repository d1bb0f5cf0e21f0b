/**
 * One writer per event-log folder: `events.lock` holds the host tag and pid
 * of the process that has the log open. Two writers would interleave their
 * records, so a second open is refused (ERR_MFREC_BUSY) while the holder
 * lives. A lock left by a killed process of this host (its pid is gone) is
 * taken over; one from another host or container cannot be checked, and the
 * message says which file to delete once that process is known to be gone.
 */
import { readFileSync } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, MfrecError } from '../errors.js';
import { hostTag, isDead } from '../persist/temp-files.js';

export const LOCK_FILE_NAME = 'events.lock';
/** A lock file still empty after this long was left by a writer killed while creating it. */
const EMPTY_LOCK_GRACE_MS = 5_000;

/** Takes the lock of `folder`; resolves with its release. */
export async function lockFolder(folder: string): Promise<() => Promise<void>> {
  const file = path.join(folder, LOCK_FILE_NAME);
  const mine = `${hostTag()} ${process.pid}\n`;
  // Two tries: the second after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx');
      try {
        await fh.writeFile(mine);
      } finally {
        await fh.close();
      }
      return async () => {
        // Only our own lock: never one another process took over meanwhile.
        if (readOr(file) === mine) await unlink(file).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new MfrecError(ErrorCodes.IO, `${file}: cannot create the event log's lock: ${(e as Error).message}`, { cause: e });
      }
    }
    const holder = await whoHolds(file);
    if (holder === 'stale') {
      await unlink(file).catch(() => undefined);
      continue;
    }
    throw new MfrecError(ErrorCodes.BUSY, `${path.join(folder, 'events.log')} is open in ${holder}; if that process is gone, delete ${file}`);
  }
  throw new MfrecError(ErrorCodes.BUSY, `${file}: another process took the event log's lock at the same time`);
}

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** 'stale', or a description of the live (or uncheckable) holder. */
async function whoHolds(file: string): Promise<string> {
  const text = readOr(file);
  if (text === undefined) return 'stale'; // removed meanwhile: try again
  const m = /^([0-9a-f]{8}) (\d+)\n$/.exec(text);
  if (m === null) {
    const age = await stat(file).then(
      (s) => Date.now() - s.mtimeMs,
      () => Infinity,
    );
    return age > EMPTY_LOCK_GRACE_MS ? 'stale' : 'a process that is opening it now';
  }
  const [, tag, pidText] = m;
  const pid = Number(pidText);
  if (tag !== hostTag()) return `process ${pid} of another host or container`;
  if (pid === process.pid) return 'this process already (close it first)';
  return isDead(pid) ? 'stale' : `process ${pid}`;
}
