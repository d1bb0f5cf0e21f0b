/**
 * An output file written under a temporary name beside its target and
 * renamed over it once complete, so that a failed or killed run never leaves
 * a file that looks complete. Several files can be finished first and renamed
 * together at the end. A file it replaces keeps its permission bits.
 */
import { chmod, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { ErrorCodes, MfrecError } from '../errors.js';
import { removeStaleTemps, tempPathFor } from '../persist/temp-files.js';

function cannotWrite(target: string, e: unknown): MfrecError {
  return new MfrecError(ErrorCodes.IO, `Cannot write ${target}: ${(e as Error).message}`, { cause: e });
}

export class AtomicFile {
  private handle: FileHandle | undefined;

  private constructor(
    readonly target: string,
    private readonly tmp: string,
    handle: FileHandle,
  ) {
    this.handle = handle;
  }

  static async create(target: string): Promise<AtomicFile> {
    await removeStaleTemps(target);
    const tmp = tempPathFor(target);
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmp, 'wx');
      const mode = await stat(target).then(
        (s) => s.mode & 0o7777,
        () => undefined,
      );
      if (mode !== undefined) await chmod(tmp, mode);
      return new AtomicFile(target, tmp, handle);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw cannotWrite(target, e);
    }
  }

  async write(data: Uint8Array): Promise<void> {
    try {
      await this.handle!.write(data);
    } catch (e) {
      throw cannotWrite(this.target, e);
    }
  }

  /** Flushes and closes the temporary file; {@link commit} then puts it in place. */
  async finish(): Promise<void> {
    try {
      await this.handle!.sync();
      await this.handle!.close();
      this.handle = undefined;
    } catch (e) {
      throw cannotWrite(this.target, e);
    }
  }

  async commit(): Promise<void> {
    try {
      await rename(this.tmp, this.target);
    } catch (e) {
      throw cannotWrite(this.target, e);
    }
  }

  /** Drops the temporary file (the target, if it existed, is untouched). */
  async abort(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    await unlink(this.tmp).catch(() => undefined);
  }
}
