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
 * half of one, even if the writer is killed (see atomic-write.ts, and
 * temp-files.ts for the temporary files a killed writer leaves and their
 * cleanup). Reading checks magic, version and header before reading the
 * rest, reads exactly the bytes the header describes, and checks bounds and
 * checksum before trusting a single byte; each failure has its own code.
 */
import { constants as bufferConstants } from 'node:buffer';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid } from '../validate.js';
import { writeFileAtomic } from './atomic-write.js';

export { writeFileAtomic } from './atomic-write.js';

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

/** The file's bytes before the trailer, as parts to write one after another (no copy of any block). */
interface ModelFileParts {
  parts: Uint8Array[];
  /** Their total length: where the trailer goes. */
  dataEnd: number;
}

/** Zero bytes for the padding that puts every block on a multiple of 8. */
const PADDING = new Uint8Array(8);

/** Lays header and blocks out (little-endian, as every platform we build for) as views of the blocks' own memory. */
function modelFileParts(contents: ModelFileContents): ModelFileParts {
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
  // Prefix, header and the zeros up to the first block.
  const head = Buffer.alloc(dataStart);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(FORMAT_VERSION, 8);
  const headerBytes = head.write(headerJson, PREFIX_BYTES, 'utf8');
  head.writeUInt32LE(headerBytes, 12);
  const parts: Uint8Array[] = [head];
  let at = dataStart;
  for (const e of entries) {
    const a = contents.blocks[e.name]!;
    // No empty parts: an empty array buffer has no memory, and zlib's crc32 of a null pointer returns 0, not the running value.
    if (a.byteLength > 0) parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const end = align8(e.offset + a.byteLength);
    if (end > e.offset + a.byteLength) parts.push(PADDING.subarray(0, end - e.offset - a.byteLength));
    at = end;
  }
  return { parts, dataEnd: at };
}

/** The CRC-32 trailer of `parts`, computed part by part (the same value as over their concatenation). */
function trailerOf(parts: readonly Uint8Array[]): Buffer {
  let crc = 0;
  for (const part of parts) crc = crc32(part, crc);
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeUInt32LE(crc >>> 0, 0);
  return trailer;
}

/** Serializes header and blocks into one buffer: the bytes {@link writeModelFile} writes. */
export function encodeModelFile(contents: ModelFileContents): Buffer {
  const { parts, dataEnd } = modelFileParts(contents);
  return Buffer.concat([...parts, trailerOf(parts)], dataEnd + TRAILER_BYTES);
}

function corrupt(source: string, what: string): MfrecError {
  return new MfrecError(ErrorCodes.CORRUPT_FILE, `${source}: corrupt or truncated model file: ${what}`);
}

/** The longest header a string can hold: a larger one could not be parsed anyway. */
const MAX_HEADER_BYTES = Math.min(bufferConstants.MAX_STRING_LENGTH, 0xffffffff);

/**
 * Checks magic, version and header length of a file of `totalBytes` bytes
 * from its first bytes (`b` holds at least the first 16, or the whole file);
 * returns the header length.
 */
function checkPrefix(b: Buffer, totalBytes: number, source: string): number {
  if (b.length < MAGIC.length || !b.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new MfrecError(ErrorCodes.BAD_MAGIC, `${source}: not an mfrec model file (wrong magic bytes)`);
  }
  if (totalBytes < PREFIX_BYTES + TRAILER_BYTES) throw corrupt(source, `only ${totalBytes} bytes`);
  const version = b.readUInt32LE(8);
  if (version > FORMAT_VERSION || version === 0) {
    throw new MfrecError(
      ErrorCodes.UNSUPPORTED_VERSION,
      `${source}: model file format version ${version} is not supported (this mfrec reads version ${FORMAT_VERSION}); upgrade mfrec`,
    );
  }
  const headerLength = b.readUInt32LE(12);
  if (PREFIX_BYTES + headerLength > totalBytes - TRAILER_BYTES) throw corrupt(source, `header claims ${headerLength} bytes but the file is shorter`);
  if (headerLength > MAX_HEADER_BYTES) throw corrupt(source, `header claims ${headerLength} bytes, more than a header can hold`);
  return headerLength;
}

/** Parses the JSON header and checks its block table against the file's layout. */
function parseHeader(json: string, headerLength: number, totalBytes: number, source: string): { header: Record<string, unknown>; entries: BlockEntry[] } {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw corrupt(source, 'header is not valid JSON');
  }
  if (header === null || typeof header !== 'object' || !Array.isArray(header.blocks)) throw corrupt(source, 'header has no block table');
  const headerEnd = PREFIX_BYTES + headerLength;
  const dataEnd = totalBytes - TRAILER_BYTES;
  const names = new Set<string>();
  const entries: BlockEntry[] = [];
  // The layout the writer produces: blocks after the header, 8-aligned, the trailer right after the last one.
  let promisedEnd = align8(headerEnd);
  for (const raw of header.blocks as unknown[]) {
    const e = (raw ?? {}) as Partial<BlockEntry>;
    const dtype = typeof e.dtype === 'string' && Object.hasOwn(DTYPES, e.dtype) ? DTYPES[e.dtype as DType] : undefined;
    const ok =
      typeof e.name === 'string' &&
      dtype !== undefined &&
      Number.isSafeInteger(e.length) &&
      Number.isSafeInteger(e.offset) &&
      e.length! >= 0 &&
      e.offset! >= headerEnd &&
      e.offset! % 8 === 0 &&
      e.offset! + e.length! * dtype.bytes <= dataEnd;
    if (!ok) throw corrupt(source, `block ${JSON.stringify(e.name)} lies outside the file`);
    if (names.has(e.name!)) throw corrupt(source, `block ${JSON.stringify(e.name)} appears twice`);
    names.add(e.name!);
    entries.push(e as BlockEntry);
    promisedEnd = Math.max(promisedEnd, align8(e.offset! + e.length! * dtype!.bytes));
  }
  if (promisedEnd !== dataEnd) {
    throw corrupt(source, `the file has ${totalBytes} bytes but its header describes ${promisedEnd + TRAILER_BYTES}`);
  }
  delete header.blocks;
  return { header, entries };
}

/**
 * Decodes a whole file held in `b`. With `owned`, `b` starts an ArrayBuffer
 * nobody else uses and the blocks view it in place; otherwise they view one
 * aligned copy.
 */
function decode(b: Buffer, source: string, owned: boolean, parsed?: ReturnType<typeof parseHeader>): ModelFileContents {
  const headerLength = checkPrefix(b, b.length, source);
  const dataEnd = b.length - TRAILER_BYTES;
  const stored = b.readUInt32LE(dataEnd);
  const actual = crc32(b.subarray(0, dataEnd)) >>> 0;
  if (stored !== actual) throw corrupt(source, `checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`);
  const { header, entries } = parsed ?? parseHeader(b.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength), headerLength, b.length, source);
  let payload: ArrayBuffer;
  if (owned && b.byteOffset === 0) {
    payload = b.buffer as ArrayBuffer;
  } else {
    payload = new ArrayBuffer(dataEnd);
    new Uint8Array(payload).set(b.subarray(0, dataEnd));
  }
  // No prototype: a block named "__proto__" or "constructor" is just a name.
  const blocks = Object.create(null) as Record<string, BlockArray>;
  for (const e of entries) blocks[e.name] = DTYPES[e.dtype].make(payload, e.offset, e.length);
  return { header, blocks };
}

/** Parses a buffer written by {@link encodeModelFile}; `source` names it in errors. */
export function decodeModelFile(buf: Uint8Array, source = 'model'): ModelFileContents {
  return decode(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), source, false);
}

/**
 * Writes atomically: temporary file in the same folder, flush, rename (see
 * atomic-write.ts). The blocks go to the file straight from the model's
 * arrays (no whole-file buffer); the checksum is computed over the same
 * bytes on this thread while the write runs on another, then appended.
 */
export async function writeModelFile(file: string, contents: ModelFileContents): Promise<void> {
  checkPath(file);
  const { parts } = modelFileParts(contents);
  await writeFileAtomic(file, async (handle) => {
    const writing = writeAll(handle, parts);
    let trailer: Buffer;
    try {
      trailer = trailerOf(parts);
    } finally {
      await writing;
    }
    await writeAll(handle, [trailer]);
  });
}

/** Writes `parts` in order at the file's position, all of them (the system may write fewer bytes than asked). */
async function writeAll(handle: FileHandle, parts: readonly Uint8Array[]): Promise<void> {
  let rest = [...parts];
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    if (bytesWritten === 0) throw new Error('the file accepted no more bytes');
    const left: Uint8Array[] = [];
    for (const p of rest) {
      if (bytesWritten >= p.byteLength) {
        bytesWritten -= p.byteLength;
        continue;
      }
      left.push(bytesWritten > 0 ? p.subarray(bytesWritten) : p);
      bytesWritten = 0;
    }
    rest = left;
  }
}

function checkPath(file: unknown): string {
  if (typeof file !== 'string' || file === '' || file.includes('\0')) throw invalid('a file path', 'file', file);
  return file;
}

/** Reads `length` bytes at `position`, all of them (a file that shrank meanwhile is truncated). */
async function readAt(handle: FileHandle, into: Uint8Array, position: number, source: string): Promise<void> {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw corrupt(source, `ends after ${position + done} bytes`);
    done += bytesRead;
  }
}

/**
 * Reads a model file without trusting it: only a regular file (a device or
 * pipe could be endless); magic, version and header first, so that a file
 * that is not a model costs 16 bytes; then exactly the bytes the header
 * describes, which must be the file's size, into one buffer the blocks view.
 */
export async function readModelFile(file: string): Promise<ModelFileContents> {
  checkPath(file);
  let handle: FileHandle;
  try {
    // Non-blocking: opening a pipe nobody writes to would otherwise wait forever.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new MfrecError(ErrorCodes.IO, `Cannot read model file ${file}: ${readFailure(e)}`, { cause: e });
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new MfrecError(ErrorCodes.IO, `Cannot read model file ${file}: it is a folder`);
    if (!info.isFile()) {
      throw new MfrecError(
        ErrorCodes.IO,
        `Cannot read model file ${file}: not a regular file (a device, pipe or socket); save the model to a file and pass its path`,
      );
    }
    const size = info.size;
    const prefix = Buffer.alloc(Math.min(PREFIX_BYTES, size));
    await readAt(handle, prefix, 0, file);
    const headerLength = checkPrefix(prefix, size, file);
    const json = Buffer.alloc(headerLength);
    await readAt(handle, json, PREFIX_BYTES, file);
    // Checked here before the rest is read: the header decides how many bytes the file must have.
    const parsed = parseHeader(json.toString('utf8'), headerLength, size, file);
    let whole: Buffer;
    try {
      whole = Buffer.from(new ArrayBuffer(size));
    } catch (e) {
      throw new MfrecError(ErrorCodes.OUT_OF_MEMORY, `${file}: cannot allocate ${size} bytes to load the model`, { cause: e });
    }
    // The header is read again with the rest (the checksum covers it) but parsed once.
    await readAt(handle, whole, 0, file);
    if (!whole.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength).equals(json)) throw corrupt(file, 'the file changed while it was read');
    return decode(whole, file, true, parsed);
  } catch (e) {
    if (e instanceof MfrecError) throw e;
    throw new MfrecError(ErrorCodes.IO, `Cannot read model file ${file}: ${readFailure(e)}`, { cause: e });
  } finally {
    await handle.close().catch(() => undefined);
  }
}

const READ_FAILURES: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
};

function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined && Object.hasOwn(READ_FAILURES, code) ? READ_FAILURES[code] : undefined) ?? (e as Error).message;
}
