/**
 * Raw bytes of an input, as a stream of Buffer chunks: a file (gunzipped on
 * the fly when it starts with the gzip magic bytes, whatever its name) or an
 * in-memory buffer. Every failure to read becomes ERR_MFREC_IO naming the input.
 */
import { open } from 'node:fs/promises';
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

/** Opens `path` for streaming; fails with ERR_MFREC_IO when it cannot be opened. */
export async function openFile(path: string): Promise<ByteSource> {
  let handle;
  try {
    handle = await open(path, 'r');
    const head = new Uint8Array(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    const { size } = await handle.stat();
    const file = handle.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES });
    return wrap(path, file, isGzip(head, bytesRead), size);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    throw ioError(path, e);
  }
}

/** Streams an in-memory input the same way (gunzipped when it starts with the gzip magic bytes). */
export function fromBytes(name: string, bytes: Uint8Array): ByteSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += CHUNK_BYTES) chunks.push(buffer.subarray(at, at + CHUNK_BYTES));
  return wrap(name, Readable.from(chunks), isGzip(buffer, buffer.length), buffer.length);
}

function wrap(name: string, raw: Readable, gzip: boolean, rawSize: number): ByteSource {
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
