/**
 * Checks a command's output paths before it does any work: each must be
 * writable (its folder exists and accepts files, it is not a folder or a
 * device), and none may name one of the command's inputs or another of its
 * outputs: `mfrec train data.csv --out data.csv` would replace the data with
 * the model. Files are compared by device and inode, so a symbolic or hard
 * link to an input is caught too; outputs that do not exist yet by their
 * resolved folder and name.
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, MfrecError } from '../errors.js';
import { replacedPath, writeError } from './atomic-write.js';

/** A path the user gave, and how they gave it (`--out`, `FILE`), for messages. */
export interface NamedPath {
  flag: string;
  path: string | undefined;
}

/** '-' is stdout or stdin, never a file. */
const isFile = (p: NamedPath): p is { flag: string; path: string } => p.path !== undefined && p.path !== '-';

/** Identity of an existing file (device and inode), or undefined when it does not exist. */
async function identity(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** Checks that `out` can be created or replaced; returns the identity the output will have. */
async function writableOutput(out: { flag: string; path: string }): Promise<string> {
  try {
    const target = await replacedPath(out.path);
    const folder = path.dirname(target);
    if (!(await stat(folder)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    await access(folder, constants.W_OK);
    return (await identity(target)) ?? path.join(await realpath(folder), path.basename(target));
  } catch (e) {
    throw writeError(`${out.path} (${out.flag})`, e);
  }
}

/**
 * Throws `ERR_MFREC_IO` when an output cannot be written and
 * `ERR_MFREC_INVALID_ARGUMENT` when an output names an input or another output.
 */
export async function checkOutputPaths(outputs: NamedPath[], inputs: NamedPath[]): Promise<void> {
  const seen = new Map<string, { flag: string; path: string }>();
  for (const input of inputs.filter(isFile)) {
    const id = await identity(input.path);
    if (id !== undefined && !seen.has(id)) seen.set(id, input);
  }
  const inputIds = new Set(seen.keys());
  for (const out of outputs.filter(isFile)) {
    const id = await writableOutput(out);
    const other = seen.get(id);
    if (other !== undefined) {
      const role = inputIds.has(id) ? 'the input' : 'the output';
      throw new MfrecError(
        ErrorCodes.INVALID_ARGUMENT,
        `${out.flag} ${out.path} is the same file as ${role} ${other.flag} ${other.path}: writing it would destroy it; choose another path`,
      );
    }
    seen.set(id, out);
  }
}
