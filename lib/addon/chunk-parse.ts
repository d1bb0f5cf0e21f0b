/**
 * The chunk-parse binding (native/bindings/chunk_parse.cc): the native parser
 * of a chunk in the common case (single-byte delimiter, no quote, canonical
 * decimal ids, plain decimal numbers). Its twin is the JavaScript chunk
 * parser (lib/data/chunk-parse.ts), which takes every chunk it declines.
 */
import { bindingOf } from './loader.js';

/** What the kernel made of a chunk (native/kernels/chunk_parse.h, ChunkParseStatus). */
export const ChunkParseStatus = { ok: 0, decline: 1, growUsers: 2, growItems: 3, full: 4 } as const;

/** How the kernel cuts a chunk's lines into fields. */
export interface NativeChunkFormat {
  /** The delimiter's byte. */
  delimiter: number;
  fields: number;
  userCol: number;
  itemCol: number;
  /** -1: no such column. */
  valueCol: number;
  timeCol: number;
}

export interface NativeChunkArgs extends NativeChunkFormat {
  bytes: Uint8Array;
  length: number;
  last: boolean;
  maxRecord: number;
  /** Canonical id → local index, -1 when not met yet; written in place. */
  userDense: Int32Array;
  userCount: number;
  itemDense: Int32Array;
  itemCount: number;
  /** Receive the ids met for the first time, in order. */
  newUsers: Int32Array;
  newItems: Int32Array;
  users: Int32Array;
  items: Int32Array;
  values: Float32Array;
  times?: Float64Array;
  /** Receives entries, lines, line breaks, new users, new items, need. */
  report: Float64Array;
}

interface ChunkParseBinding {
  parseChunk(args: NativeChunkArgs): number;
  /** out[k] = table[local[k]] for k < n; false (nothing written) when a local index is out of range or unassigned. */
  gatherIndices(args: { local: Int32Array; n: number; table: Int32Array; out: Int32Array }): boolean;
}

export const chunkParseBinding = bindingOf<ChunkParseBinding>({ sync: ['parseChunk', 'gatherIndices'], async: [] });
