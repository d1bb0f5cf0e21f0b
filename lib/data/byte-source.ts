/**
 * Raw bytes of an input, as a stream of Buffer chunks: a file (gunzipped on
 * the fly when it starts with the gzip magic bytes, whatever its name) or an
 * in-memory buffer. Every failure to read becomes ERR_MFREC_IO naming the input.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ErrorCodes, MfrecError } from '../errors.js';

/** Large reads keep the per-chunk overhead of the parser negligible. */
const CHUNK_BYTES = 1 << 20;

/** A source of chunks; `close()` releases the file early when parsing stops on an error. */
export interface ByteSource extends AsyncIterable<Buffer> {
  close(): void;
  /** Bytes the input yields when known in advance (not for gzip, whose uncompressed size is unknown). */
  readonly size: number | undefined;
  /**
   * For an input that is not gzipped: reads the bytes at `position` straight
   * into `target` (no intermediate buffer), resolving with how many were read,
   * 0 at the end. The iterator and readAt may be mixed; close() ends both.
   */
  readonly readAt?: (target: Uint8Array, position: number) => Promise<number>;
}

function isGzip(head: Uint8Array, length: number): boolean {
  return length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Wraps any non-mfrec error as ERR_MFREC_IO for `name`. */
export function ioError(name: string, e: unknown): MfrecError {
  if (e instanceof MfrecError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return new MfrecError(ErrorCodes.IO, `Cannot read ${name}: ${reason}`, { cause: e });
}

/** Bytes read so far and the file's size on disk, for progress reports. */
export type ReadProgress = (bytesRead: number, totalBytes: number) => void;

/**
 * Opens `path` for streaming; fails with ERR_MFREC_IO when it cannot be
 * opened. A pipe (a FIFO, `/dev/stdin` fed by a pipe, `<(zcat …)`) is read
 * once from start to end, as a stream: it has no size and no positions, so
 * it is never read twice or by ranges. A device (a terminal, `/dev/zero`) is
 * refused: it is no file of interactions and may never end. `onProgress`
 * hears of every read of a file (compressed bytes for gzip; nothing for a
 * pipe, whose size is unknown).
 */
export async function openFile(path: string, onProgress?: ReadProgress): Promise<ByteSource> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const stat = await handle.stat();
    if (stat.isFIFO() || stat.isSocket()) return await streamedFile(path, handle.createReadStream({ highWaterMark: CHUNK_BYTES }));
    if (stat.isCharacterDevice() || stat.isBlockDevice()) {
      throw new MfrecError(ErrorCodes.IO, `Cannot read ${path}: it is a device, not a file; save the data to a file or pipe it in`);
    }
    const head = new Uint8Array(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    const size = stat.size;
    const count = onProgress === undefined ? undefined : byteCounter(size, onProgress);
    if (!isGzip(head, bytesRead)) return plainFile(path, handle, size, count);
    const file = handle.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES });
    if (count) file.on('data', (chunk) => count(chunk.length));
    return wrap(path, file, true, undefined);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    // Linux cannot open a socket through /dev/stdin (ENXIO), and some parents feed stdin by one.
    if ((e as NodeJS.ErrnoException).code === 'ENXIO' && STDIN_PATHS.includes(path)) return streamedFile(path, process.stdin);
    throw ioError(path, e);
  }
}

/** Adds up the bytes read and reports the running total (never past the size, for a file that grows meanwhile). */
function byteCounter(size: number, onProgress: ReadProgress): (n: number) => void {
  let read = 0;
  return (n) => {
    read += n;
    onProgress(Math.min(read, size), size);
  };
}

/** Names of this process's standard input. */
const STDIN_PATHS = ['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0'];

/**
 * Any readable stream (a database's COPY output...) read once, in order, like
 * a pipe: no size, no positions; `name` names it in errors.
 */
export function fromStream(name: string, stream: Readable): Promise<ByteSource> {
  return streamedFile(name, stream);
}

/** A pipe read once, in order: gunzipped on the fly when its first bytes are the gzip magic. */
async function streamedFile(name: string, file: Readable): Promise<ByteSource> {
  const chunks = file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let ended = false;
  try {
    for (let size = 0; size < 2; ) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      head.push(next.value);
      size += next.value.length;
    }
  } catch (e) {
    file.destroy();
    throw e;
  }
  async function* all(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      if (ended) return;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    } finally {
      file.destroy();
    }
  }
  const first = Buffer.concat(head);
  const source = wrap(name, Readable.from(all(), { objectMode: false }), isGzip(first, first.length), undefined);
  return {
    size: undefined,
    close: () => {
      source.close();
      file.destroy();
    },
    [Symbol.asyncIterator]: source[Symbol.asyncIterator],
  };
}

/** A plain file read by positional reads on its handle: in 1 MiB chunks when iterated, or with readAt. */
function plainFile(name: string, handle: FileHandle, size: number, count?: (n: number) => void): ByteSource {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    handle.close().catch(() => undefined);
  };
  const readAt = async (target: Uint8Array, position: number): Promise<number> => {
    try {
      const n = (await handle.read(target, 0, target.length, position)).bytesRead;
      count?.(n);
      return n;
    } catch (e) {
      throw ioError(name, e);
    }
  };
  return {
    close,
    size,
    readAt,
    async *[Symbol.asyncIterator]() {
      try {
        for (let position = 0; ; ) {
          const chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
          const n = await readAt(chunk, position);
          if (n === 0) return;
          position += n;
          yield chunk.subarray(0, n);
        }
      } finally {
        close();
      }
    },
  };
}

/** Streams an in-memory input the same way (gunzipped when it starts with the gzip magic bytes). */
export function fromBytes(name: string, bytes: Uint8Array): ByteSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += CHUNK_BYTES) chunks.push(buffer.subarray(at, at + CHUNK_BYTES));
  const gzip = isGzip(buffer, buffer.length);
  const source = wrap(name, Readable.from(chunks), gzip, buffer.length);
  if (gzip) return source;
  const readAt = async (target: Uint8Array, position: number): Promise<number> =>
    buffer.copy(target, 0, Math.min(position, buffer.length), Math.min(position + target.length, buffer.length));
  return { ...source, readAt, [Symbol.asyncIterator]: source[Symbol.asyncIterator] };
}

function wrap(name: string, raw: Readable, gzip: boolean, rawSize: number | undefined): ByteSource {
  let stream: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    raw.on('error', (e) => gunzip.destroy(e));
    stream = raw.pipe(gunzip);
  }
  const close = (): void => {
    stream.destroy();
    raw.destroy();
  };
  return {
    close,
    size: gzip ? undefined : rawSize,
    async *[Symbol.asyncIterator]() {
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (e) {
        throw ioError(name, e);
      } finally {
        close();
      }
    },
  };
}
