/**
 * The mfrec model file: a versioned binary container.
 *
 *   offset 0   8 bytes  magic "MFRECMDL"
 *          8   u32 LE   format version
 *         12   u32 LE   header length H (bytes of UTF-8 JSON)
 *         16   H bytes  JSON header: model type, hyperparameters, id maps,
 *                       training summary, and the list of blocks
 *                       [{ name, dtype, length, offset }]
 *          …   blocks   raw little-endian arrays, each starting at a multiple of 8
 *   end - 4    u32 LE   CRC-32 of every byte before it
 *
 * Files are written to a temporary file in the same folder, flushed, then
 * renamed over the target: a reader sees the old file or the new one, never
 * half of one, even if the writer is killed (see temp-files.ts for the
 * temporary files a killed writer leaves and their cleanup). Reading checks magic, version, bounds and checksum before
 * trusting a single byte, and reports each failure with its own code.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid } from '../validate.js';
import { removeStaleTemps, tempPathFor } from './temp-files.js';

export const MAGIC = Buffer.from('MFRECMDL', 'latin1');
export const FORMAT_VERSION = 1;
const PREFIX_BYTES = 16;
const TRAILER_BYTES = 4;

export type BlockArray = Float32Array | Int32Array | Float64Array;
type DType = 'f32' | 'i32' | 'f64';

export interface ModelFileContents {
  /** JSON-serializable header; `blocks` is reserved for the block table. */
  header: Record<string, unknown>;
  blocks: Record<string, BlockArray>;
}

interface BlockEntry {
  name: string;
  dtype: DType;
  length: number;
  offset: number;
}

const DTYPES: Record<DType, { bytes: number; make: (buf: ArrayBuffer, offset: number, length: number) => BlockArray }> = {
  f32: { bytes: 4, make: (b, o, n) => new Float32Array(b, o, n) },
  i32: { bytes: 4, make: (b, o, n) => new Int32Array(b, o, n) },
  f64: { bytes: 8, make: (b, o, n) => new Float64Array(b, o, n) },
};

function dtypeOf(a: BlockArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  return 'f64';
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Serializes header and blocks into one buffer (little-endian, as every platform we build for). */
export function encodeModelFile(contents: ModelFileContents): Buffer {
  if ('blocks' in contents.header) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, "The model header must not use the reserved key 'blocks'");
  }
  // Block offsets depend on the header length, which depends on the offsets'
  // digits: lay out relative to the data start, then fix up once.
  const names = Object.keys(contents.blocks);
  let headerJson = '';
  let entries: BlockEntry[] = [];
  let dataStart = 0;
  for (let stable = false; !stable; ) {
    let offset = dataStart;
    entries = names.map((name) => {
      const a = contents.blocks[name]!;
      const entry = { name, dtype: dtypeOf(a), length: a.length, offset };
      offset = align8(offset + a.byteLength);
      return entry;
    });
    headerJson = JSON.stringify({ ...contents.header, blocks: entries });
    const needed = align8(PREFIX_BYTES + Buffer.byteLength(headerJson));
    // Offsets only grow, so the header length converges in a few rounds.
    stable = needed <= dataStart;
    if (!stable) dataStart = needed;
  }
  const last = entries[entries.length - 1];
  const dataEnd = last ? align8(last.offset + last.length * DTYPES[last.dtype].bytes) : dataStart;
  const out = Buffer.alloc(dataEnd + TRAILER_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(FORMAT_VERSION, 8);
  const headerBytes = out.write(headerJson, PREFIX_BYTES, 'utf8');
  out.writeUInt32LE(headerBytes, 12);
  for (const e of entries) {
    const a = contents.blocks[e.name]!;
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, e.offset);
  }
  out.writeUInt32LE(crc32(out.subarray(0, dataEnd)) >>> 0, dataEnd);
  return out;
}

function corrupt(source: string, what: string): MfrecError {
  return new MfrecError(ErrorCodes.CORRUPT_FILE, `${source}: corrupt or truncated model file: ${what}`);
}

/** Parses a buffer written by {@link encodeModelFile}; `source` names it in errors. */
export function decodeModelFile(buf: Uint8Array, source = 'model'): ModelFileContents {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < MAGIC.length || !b.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new MfrecError(ErrorCodes.BAD_MAGIC, `${source}: not an mfrec model file (wrong magic bytes)`);
  }
  if (b.length < PREFIX_BYTES + TRAILER_BYTES) throw corrupt(source, `only ${b.length} bytes`);
  const version = b.readUInt32LE(8);
  if (version > FORMAT_VERSION || version === 0) {
    throw new MfrecError(
      ErrorCodes.UNSUPPORTED_VERSION,
      `${source}: model file format version ${version} is not supported (this mfrec reads version ${FORMAT_VERSION}); upgrade mfrec`,
    );
  }
  const dataEnd = b.length - TRAILER_BYTES;
  const stored = b.readUInt32LE(dataEnd);
  const actual = crc32(b.subarray(0, dataEnd)) >>> 0;
  const headerLength = b.readUInt32LE(12);
  if (PREFIX_BYTES + headerLength > dataEnd) throw corrupt(source, `header claims ${headerLength} bytes but the file is shorter`);
  if (stored !== actual) throw corrupt(source, `checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(b.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength)) as Record<string, unknown>;
  } catch {
    throw corrupt(source, 'header is not valid JSON');
  }
  if (header === null || typeof header !== 'object' || !Array.isArray(header.blocks)) throw corrupt(source, 'header has no block table');
  // No prototype: block names come from the file (a block named __proto__ must not become one).
  const blocks: Record<string, BlockArray> = Object.create(null) as Record<string, BlockArray>;
  // Copy the payload once into an aligned buffer so typed arrays can view it.
  const payload = new ArrayBuffer(dataEnd);
  new Uint8Array(payload).set(b.subarray(0, dataEnd));
  for (const raw of header.blocks as unknown[]) {
    const e = raw as Partial<BlockEntry>;
    const dtype = typeof e.dtype === 'string' && Object.hasOwn(DTYPES, e.dtype) ? DTYPES[e.dtype as DType] : undefined;
    const ok =
      typeof e.name === 'string' &&
      dtype !== undefined &&
      Number.isSafeInteger(e.length) &&
      Number.isSafeInteger(e.offset) &&
      e.length! >= 0 &&
      e.offset! >= PREFIX_BYTES + headerLength &&
      e.offset! % 8 === 0 &&
      e.offset! + e.length! * dtype.bytes <= dataEnd;
    if (!ok) throw corrupt(source, `block ${JSON.stringify(e.name)} lies outside the file`);
    blocks[e.name!] = dtype!.make(payload, e.offset!, e.length!);
  }
  delete header.blocks;
  return { header, blocks };
}

/** Writes atomically: temporary file in the same folder, flush, rename. */
export async function writeModelFile(file: string, contents: ModelFileContents): Promise<void> {
  checkPath(file);
  const data = encodeModelFile(contents);
  await writeFileAtomic(file, data);
}

function checkPath(file: unknown): string {
  if (typeof file !== 'string' || file === '' || file.includes('\0')) throw invalid('a file path', 'file', file);
  return file;
}

/** Writes `data` to `file` so that readers see either the old or the new complete file. */
export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  checkPath(file);
  // Temporary files of writers that were killed go first: they never pile up.
  await removeStaleTemps(file);
  const tmp = tempPathFor(file);
  let handle;
  try {
    handle = await open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, file);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw new MfrecError(ErrorCodes.IO, `Cannot write ${file}: ${(e as Error).message}`, { cause: e });
  }
}

export async function readModelFile(file: string): Promise<ModelFileContents> {
  checkPath(file);
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new MfrecError(ErrorCodes.IO, `Cannot read model file ${file}: ${(e as Error).message}`, { cause: e });
  }
  return decodeModelFile(buf, file);
}
