/**
 * The native parser of a chunk (native/kernels/chunk_parse.h) for the common
 * case: a single-byte delimiter or runs of blanks, no quote in the chunk, canonical decimal ids,
 * plain decimal values and timestamps, no type column, no header. It writes
 * into the thread's own id tables and gives the result the JavaScript chunk
 * parser (its twin, chunk-parse.ts) would give; any chunk it does not take
 * whole is left to that parser, so bad lines and their messages are its.
 */
import { ChunkParseStatus, chunkParseBinding, type NativeChunkArgs, type NativeChunkFormat } from '../addon/chunk-parse.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { ChunkResult, ChunkTask, ThreadState } from './chunk-parse.js';
import { MAX_RECORD_BYTES } from './line-source.js';
import type { RecordRules } from './record-reader.js';

/** Set to `js` to parse every chunk in JavaScript (agreement tests and the benchmark compare the two). */
const SWITCH = 'MFREC_CHUNK_PARSER';

/** Whether parsing threads started now use the native parser. */
export function nativeChunkParseEnabled(): boolean {
  return process.env[SWITCH] !== 'js';
}

/** The kernel's view of the rules, or undefined when they are not the common case. */
export interface NativeFormat extends NativeChunkFormat {
  header: boolean;
}

export function nativeFormatOf(rules: RecordRules): NativeFormat | undefined {
  const { delimiter, columns, header } = rules.format;
  // '::' is two bytes: the JavaScript splitter's. ' ' (runs of spaces and tabs) is byte 0x20 to the kernel.
  if (delimiter.length !== 1 || columns.type !== null) return undefined;
  const valueCol = columns.value ?? -1;
  const timeCol = columns.time ?? -1;
  const fields = Math.max(columns.user, columns.item, valueCol, timeCol) + 1;
  return { delimiter: delimiter.charCodeAt(0), fields, userCol: columns.user, itemCol: columns.item, valueCol, timeCol, header };
}

/** Lists of new ids, reused from chunk to chunk on one thread. */
export class NativeScratch {
  newUsers = new Int32Array(0);
  newItems = new Int32Array(0);
  readonly report = new Float64Array(6);

  /** Room for `n` new ids of each kind. */
  reserve(n: number): void {
    if (this.newUsers.length >= n) return;
    this.newUsers = new Int32Array(n);
    this.newItems = new Int32Array(n);
  }
}

/**
 * The chunk parsed natively into the thread's tables, or undefined (tables
 * untouched) when the JavaScript parser must take it.
 */
export function parseChunkNatively(task: ChunkTask, state: ThreadState, format: NativeFormat, scratch: NativeScratch): ChunkResult | undefined {
  if (task.first && format.header) return undefined;
  const { users, items } = state;
  const bytes = new Uint8Array(task.buffer, 0, task.length);
  // Lines of 16 bytes on average or more, as the JavaScript parser assumes;
  // at worst every other byte ends a line.
  let capacity = Math.max(1024, Math.ceil(task.length / 16));
  for (;;) {
    scratch.reserve(capacity);
    const args: NativeChunkArgs = {
      bytes,
      length: task.length,
      last: task.last,
      ...format,
      maxRecord: MAX_RECORD_BYTES,
      userDense: users.denseTable,
      userCount: users.ids.length,
      itemDense: items.denseTable,
      itemCount: items.ids.length,
      newUsers: scratch.newUsers,
      newItems: scratch.newItems,
      users: new Int32Array(capacity),
      items: new Int32Array(capacity),
      values: new Float32Array(capacity),
      ...(format.timeCol >= 0 ? { times: new Float64Array(capacity) } : {}),
      report: scratch.report,
    };
    const status = chunkParseBinding().parseChunk(args);
    const [n, lines, lineBreaks, newUsers, newItems, need] = scratch.report as unknown as number[];
    if (status === ChunkParseStatus.ok)
      return result(task, state, args, scratch, { n: n!, lines: lines!, lineBreaks: lineBreaks!, newUsers: newUsers!, newItems: newItems! });
    if (status === ChunkParseStatus.growUsers) users.reserveDense(need!);
    else if (status === ChunkParseStatus.growItems) items.reserveDense(need!);
    else if (status === ChunkParseStatus.full && capacity < task.length) capacity = Math.min(capacity * 2, task.length);
    else return undefined;
  }
}

interface Counts {
  n: number;
  lines: number;
  lineBreaks: number;
  newUsers: number;
  newItems: number;
}

function result(task: ChunkTask, state: ThreadState, args: NativeChunkArgs, scratch: NativeScratch, c: Counts): ChunkResult {
  const firstNewUser = state.users.ids.length;
  const firstNewItem = state.items.ids.length;
  state.users.appendNumbers(scratch.newUsers, c.newUsers);
  state.items.appendNumbers(scratch.newItems, c.newItems);
  return {
    n: c.n,
    u: args.users,
    i: args.items,
    v: args.values,
    t: args.times,
    newUsers: state.users.ids.slice(firstNewUser),
    newItems: state.items.ids.slice(firstNewItem),
    firstNewUser,
    firstNewItem,
    lines: c.lines,
    skipped: 0,
    badLines: [],
    index: task.index,
    thread: state.thread,
    physicalLines: c.lineBreaks,
    atRecordBoundary: true,
  };
}

/**
 * The gather of a merge: out[k] = table[local[k]] for k < n, natively unless
 * switched off (the loop below is the kernel's twin). Every local index of a
 * chunk has its global index by then; one without is a fault of the reader.
 */
export function gatherIndices(local: Int32Array, n: number, table: Int32Array, out: Int32Array): void {
  if (nativeChunkParseEnabled()) {
    if (!chunkParseBinding().gatherIndices({ local, n, table, out })) {
      throw new MfrecError(ErrorCodes.NATIVE, `merging a parsed chunk: a local id index without a global one (${n} entries)`);
    }
    return;
  }
  for (let k = 0; k < n; k++) out[k] = table[local[k]!]!;
}
