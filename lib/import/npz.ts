/**
 * An .npz file: a zip archive of .npy arrays (NumPy's `savez`, stored, and
 * `savez_compressed`, deflated), read with fflate. Each entry's declared size
 * is checked against the memory this process may use before it is inflated,
 * so a hostile archive cannot make the reader allocate without bound.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { ErrorCodes, MfrecError } from '../errors.js';
import { checkMemory } from '../models/base/memory-limit.js';
import { corrupt, parseNpy, type NpyArray } from './npy.js';
import { readWholeFile } from './read-whole-file.js';

/** The arrays of an archive by name (the entry name without ".npy"), each parsed when first asked for. */
export interface Npz {
  readonly names: string[];
  has(name: string): boolean;
  /** The array, or undefined when the archive has none of that name; a malformed array throws. */
  get(name: string): NpyArray | undefined;
}

export async function readNpz(file: string): Promise<Npz> {
  const bytes = await readWholeFile(file, 'the .npz file');
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw corrupt(file, 'not an .npz file (not a zip archive)');
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (info) => admit(file, info) });
  } catch (e) {
    if (e instanceof MfrecError) throw e;
    throw corrupt(file, `unreadable zip archive (truncated or damaged): ${(e as Error).message}`);
  }
  const raw = new Map(Object.entries(entries).map(([name, data]) => [name.slice(0, -'.npy'.length), data]));
  const parsed = new Map<string, NpyArray>();
  return {
    names: [...raw.keys()],
    has: (name) => raw.has(name),
    get(name) {
      const data = raw.get(name);
      if (data === undefined) return undefined;
      let array = parsed.get(name);
      if (array === undefined) {
        array = parseNpy(data, `${file}: ${name}.npy`);
        parsed.set(name, array);
      }
      return array;
    },
  };
}
/** Reads .npy entries only, each refused before inflating when its size cannot be held. */
function admit(file: string, info: UnzipFileInfo): boolean {
  if (!info.name.endsWith('.npy')) return false;
  if (!['0', '8'].includes(String(info.compression))) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: ${info.name} uses zip compression method ${info.compression} (only stored and deflate are read)`);
  }
  checkMemory({
    where: `importing ${file}`,
    what: `array ${info.name}`,
    bytes: info.originalSize,
    largestArray: info.originalSize / 8,
    remedy: 'import on a machine with more memory',
  });
  return true;
}
