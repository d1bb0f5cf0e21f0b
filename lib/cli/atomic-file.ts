/**
 * An output file written under a temporary name beside its target and
 * renamed over it once complete, so that a failed or killed run never leaves
 * a file that looks complete. Several files can be finished first and renamed
 * together at the end. Replacing follows the rules of every other write
 * (lib/persist/atomic-write.ts): through a symbolic link, regular files only,
 * the old file's mode and owner kept.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { adoptModeAndOwner, replacedPath, writeError } from '../persist/atomic-write.js';
import { removeStaleTemps, tempPathFor } from '../persist/temp-files.js';

export class AtomicFile {
  private handle: FileHandle | undefined;

  private constructor(
    readonly target: string,
    private readonly replaced: string,
    private readonly tmp: string,
    handle: FileHandle,
  ) {
    this.handle = handle;
  }

  static async create(target: string): Promise<AtomicFile> {
    let replaced: string;
    try {
      replaced = await replacedPath(target);
    } catch (e) {
      throw writeError(target, e);
    }
    await removeStaleTemps(replaced);
    const tmp = tempPathFor(replaced);
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmp, 'wx');
      await adoptModeAndOwner(tmp, replaced);
      return new AtomicFile(target, replaced, tmp, handle);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw writeError(target, e);
    }
  }

  async write(data: Uint8Array): Promise<void> {
    try {
      await this.handle!.write(data);
    } catch (e) {
      throw writeError(this.target, e);
    }
  }

  /** Flushes and closes the temporary file; {@link commit} then puts it in place. */
  async finish(): Promise<void> {
    try {
      await this.handle!.sync();
      await this.handle!.close();
      this.handle = undefined;
    } catch (e) {
      throw writeError(this.target, e);
    }
  }

  async commit(): Promise<void> {
    try {
      await rename(this.tmp, this.replaced);
    } catch (e) {
      throw writeError(this.target, e);
    }
  }

  /** Drops the temporary file (the target, if it existed, is untouched). */
  async abort(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    await unlink(this.tmp).catch(() => undefined);
  }
}
