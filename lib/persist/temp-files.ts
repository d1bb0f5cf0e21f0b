/**
 * Temporary files of atomic writes: `.<name>.<pid>.<random>.tmp` next to the
 * target, renamed over it once complete. A process killed mid-write leaves
 * its temporary file behind (nothing can run after SIGKILL); the next write
 * of the same target removes those whose writer is no longer running (model
 * files: before writing; CLI output: after committing), so they never
 * accumulate. A reader only ever opens the
 * target itself, so a stray temporary file is never mistaken for data.
 */
import { randomBytes } from 'node:crypto';
import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';

/** A fresh temporary path for `target`, in the same folder (so rename is atomic). */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** True when no process with this pid exists (a live pid, or one we may not signal, counts as running). */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes temporary files of `target` left by writers that died; returns how
 * many. Best effort: a folder that cannot be listed, or a file that vanished
 * meanwhile, is not an error.
 */
export async function removeStaleTemps(target: string): Promise<number> {
  const base = path.basename(target);
  const prefix = `.${base}.`;
  let names: string[];
  try {
    names = await readdir(path.dirname(target));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const match = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || !isDead(pid)) continue;
    try {
      await unlink(path.join(path.dirname(target), name));
      removed++;
    } catch {
      // Already gone (another writer cleaned it up first).
    }
  }
  return removed;
}
