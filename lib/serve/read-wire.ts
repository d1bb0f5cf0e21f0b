/** What the model-reading thread (read-worker.ts) and the serving thread say to each other. */
import { ErrorCodes, isMfrecError, MfrecError, type ErrorCode } from '../errors.js';

export interface ReadRequest {
  file: string;
  /** The model type the file must hold, when the caller expects one. */
  expectedType: string | undefined;
}

/** One block of the file: a typed view over the transferred buffer. */
export interface WireBlock {
  name: string;
  dtype: 'f32' | 'i32' | 'f64';
  byteOffset: number;
  length: number;
}

export type ReadReply =
  | {
      ok: true;
      header: Record<string, unknown>;
      /** The whole file (blocks view it in place). */
      buffer: ArrayBuffer;
      blocks: WireBlock[];
      /** The file's stored CRC-32, 8 hex digits: names this exact model. */
      checksum: string;
      bytes: number;
      type: string;
    }
  | { ok: false; code: ErrorCode | undefined; message: string };

/** Refuses a file whose model type is not the one expected (CORRUPT_FILE would mislead: the file is sound). */
export function checkExpectedType(type: string, expected: string | undefined, file: string): void {
  if (expected !== undefined && type !== expected) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${file}: holds a ${type} model, expected ${expected}`);
  }
}

/** An error as it crosses the thread boundary: its code survives, so the caller can rethrow it typed. */
export function errorToWire(e: unknown): ReadReply {
  return { ok: false, code: isMfrecError(e) ? e.code : undefined, message: e instanceof Error ? e.message : String(e) };
}

/** The error back on the calling thread: an MfrecError with its original code (IO for an unexpected failure of the thread). */
export function errorFromWire(reply: { code: ErrorCode | undefined; message: string }, file: string): MfrecError {
  if (reply.code !== undefined) return new MfrecError(reply.code, reply.message);
  return new MfrecError(ErrorCodes.IO, `Cannot read model file ${file}: ${reply.message}`);
}
