/**
 * Temporary files of atomic writes: `.<name>.<host>.<pid>.<random>.tmp` next
 * to the target, renamed over it once complete. A process killed mid-write
 * leaves its temporary file behind (nothing can run after SIGKILL); the next
 * write of the same target removes the ones whose writer is gone (model
 * files: before writing; CLI output: after committing), so they never
 * accumulate. A reader only ever opens the target itself, so a stray
 * temporary file is never mistaken for data.
 *
 * A pid means something only in the PID namespace of the host that wrote it:
 * a folder on a shared volume can hold temporary files of writers in other
 * containers or on other machines, whose pids we cannot check. `<host>` is a
 * tag of the host (boot id, hostname) and PID namespace of the writer: only a
 * file with our own tag is judged by its pid; any other (another host or
 * container, or the untagged names of earlier versions) is removed only once
 * it has not been modified for {@link FOREIGN_TEMP_MAX_AGE_MS}.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { readdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/** A temporary file nobody has written to for a day is abandoned, whoever wrote it. */
export const FOREIGN_TEMP_MAX_AGE_MS = 24 * 60 * 60 * 1000;

function readOr(read: () => string, fallback: string): string {
  try {
    return read();
  } catch {
    return fallback;
  }
}

let hostTagCache: string | undefined;

/**
 * 8 hex digits naming this host and PID namespace: the same for every process
 * that can see our pids, different (barring a 1 in 4 billion collision) for
 * one that cannot. Where /proc is missing, the hostname alone.
 */
export function hostTag(): string {
  hostTagCache ??= createHash('sha256')
    .update(readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), ''))
    .update('\0')
    .update(hostname())
    .update('\0')
    .update(readOr(() => readlinkSync('/proc/self/ns/pid'), ''))
    .digest('hex')
    .slice(0, 8);
  return hostTagCache;
}

/** A fresh temporary path for `target`, in the same folder (so rename is atomic). */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${hostTag()}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** True when no process with this pid exists (a live pid, or one we may not signal, counts as running). */
export function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** `h8.pid.hex.tmp` (tagged) or `pid.hex.tmp` (earlier versions, no tag) after `.<name>.` */
const TEMP_SUFFIX = /^(?:([0-9a-f]{8})\.)?(\d+)\.[0-9a-f]+\.tmp$/;

/** Whether a temporary file's writer is certainly gone: by pid on our host, by age elsewhere. */
async function abandoned(file: string, tag: string | undefined, pid: number): Promise<boolean> {
  if (tag === hostTag()) return pid !== process.pid && isDead(pid);
  try {
    return Date.now() - (await stat(file)).mtimeMs > FOREIGN_TEMP_MAX_AGE_MS;
  } catch {
    return false;
  }
}

/**
 * Removes temporary files of `target` left by writers that died; returns how
 * many. Best effort: a folder that cannot be listed, or a file that vanished
 * meanwhile, is not an error.
 */
export async function removeStaleTemps(target: string): Promise<number> {
  const prefix = `.${path.basename(target)}.`;
  const folder = path.dirname(target);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = TEMP_SUFFIX.exec(name.slice(prefix.length));
    if (match === null) continue;
    const file = path.join(folder, name);
    if (!(await abandoned(file, match[1], Number(match[2])))) continue;
    try {
      await unlink(file);
      removed++;
    } catch {
      // Already gone (another writer cleaned it up first).
    }
  }
  return removed;
}
