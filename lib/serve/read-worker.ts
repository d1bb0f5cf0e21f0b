/**
 * The thread that reads a model file for {@link readModelOffThread}: reading,
 * the checksum and the structure checks (the costly, linear parts) run here,
 * not on the serving thread. It posts back the file's one buffer (transferred,
 * not copied) with the header and the block table, or the error it met.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeFactorModel } from '../persist/factor-state.js';
import { readModelFile } from '../persist/model-file.js';
import type { ReadReply, ReadRequest, WireBlock } from './read-wire.js';
import { checkExpectedType, errorToWire } from './read-wire.js';

async function main(request: ReadRequest): Promise<ReadReply> {
  const contents = await readModelFile(request.file);
  // Every structural check of the state (ids, sizes, finite values), made here so that the main thread's pass finds nothing.
  const saved = decodeFactorModel(contents, request.file);
  checkExpectedType(saved.type, request.expectedType, request.file);
  const blocks: WireBlock[] = [];
  let buffer: ArrayBuffer | undefined;
  for (const [name, array] of Object.entries(contents.blocks)) {
    buffer ??= array.buffer as ArrayBuffer;
    const dtype = array instanceof Float32Array ? 'f32' : array instanceof Int32Array ? 'i32' : 'f64';
    blocks.push({ name, dtype, byteOffset: array.byteOffset, length: array.length });
  }
  if (buffer === undefined) throw new Error(`${request.file}: a model file without blocks`);
  // readModelFile reads the whole file into this one buffer: its last 4 bytes are the stored CRC-32 it checked.
  const checksum = new DataView(buffer)
    .getUint32(buffer.byteLength - 4, true)
    .toString(16)
    .padStart(8, '0');
  return { ok: true, header: contents.header, buffer, blocks, checksum, bytes: buffer.byteLength, type: saved.type };
}

const request = workerData as ReadRequest;
main(request).then(
  (reply) => parentPort!.postMessage(reply, reply.ok ? [reply.buffer] : []),
  (e: unknown) => parentPort!.postMessage(errorToWire(e)),
);
