/**
 * Loads a model file with the reading and checking done on a worker thread
 * (read-worker.ts): the serving thread only wraps the transferred buffer in
 * typed views and builds the model object from them.
 */
import { Worker } from 'node:worker_threads';
import type { LoadedModel } from '../persist/load-model.js';
import { modelFromContents } from '../persist/model-from-contents.js';
import type { BlockArray, ModelFileContents } from '../persist/model-file.js';
import { checkExpectedType, errorFromWire, type ReadReply, type ReadRequest, type WireBlock } from './read-wire.js';

export interface ReadModel {
  model: LoadedModel;
  /** The file's CRC-32 as 8 hex digits. */
  checksum: string;
  bytes: number;
}

const VIEWS = {
  f32: (b: ArrayBuffer, o: number, n: number) => new Float32Array(b, o, n),
  i32: (b: ArrayBuffer, o: number, n: number) => new Int32Array(b, o, n),
  f64: (b: ArrayBuffer, o: number, n: number) => new Float64Array(b, o, n),
} as const;

function contentsOf(header: Record<string, unknown>, buffer: ArrayBuffer, table: WireBlock[]): ModelFileContents {
  // No prototype, as decodeModelFile does: a block named "__proto__" is just a name.
  const blocks = Object.create(null) as Record<string, BlockArray>;
  for (const b of table) blocks[b.name] = VIEWS[b.dtype](buffer, b.byteOffset, b.length);
  return { header, blocks };
}

/** Reads, checksums and checks `file` off the main thread; rejects with the typed error the check raised. */
export function readModelOffThread(file: string, expectedType?: string): Promise<ReadModel> {
  const request: ReadRequest = { file, expectedType };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./read-worker.js', import.meta.url), { workerData: request });
    let settled = false;
    worker.once('message', (reply: ReadReply) => {
      settled = true;
      void worker.terminate();
      if (!reply.ok) return reject(errorFromWire(reply, file));
      try {
        // The worker checked every value of these very bytes (transferred, not copied): only the cheap checks run again here.
        const model = modelFromContents(contentsOf(reply.header, reply.buffer, reply.blocks), file, true);
        checkExpectedType(model.type, expectedType, file);
        resolve({ model, checksum: reply.checksum, bytes: reply.bytes });
      } catch (e) {
        reject(e);
      }
    });
    worker.once('error', (e) => {
      if (settled) return;
      settled = true;
      reject(errorFromWire({ code: undefined, message: e.message }, file));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(errorFromWire({ code: undefined, message: `the reading thread exited with code ${code}` }, file));
    });
  });
}
