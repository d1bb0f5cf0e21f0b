/**
 * Parsing one chunk of an input on a parsing thread: a run of whole lines cut
 * at line ends by the reading thread. Ids get the thread's own indices (its
 * tables live as long as the thread), and line numbers count from the chunk's
 * start; the reading thread fixes both when it merges the chunks in file order.
 */
import { ChunkIds } from './field-parse.js';
import { InteractionCollector, type ChunkEntries } from './interaction-collector.js';
import type { BadLine } from './read-options.js';
import { nativeChunkParseEnabled, nativeFormatOf, NativeScratch, parseChunkNatively, type NativeFormat } from './native-chunk-parse.js';
import type { RecordRules } from './record-reader.js';

export interface ChunkTask {
  /** Position of the chunk in the input (0 = first). */
  index: number;
  /** The chunk's bytes are buffer[0, length). */
  buffer: SharedArrayBuffer;
  length: number;
  /** The input's first chunk: it may start with a byte order mark and a header line. */
  first: boolean;
  /** The input's last chunk: it may end without a line break. */
  last: boolean;
}

export interface ChunkResult extends ChunkEntries {
  index: number;
  /** The parsing thread (its id tables) that parsed the chunk. */
  thread: number;
  /** Line breaks in the chunk: where the next chunk's line numbers start. */
  physicalLines: number;
  /**
   * False when the chunk ends inside a record (a quoted field spanning the
   * cut): then the next chunk does not start at a record and both must be
   * parsed again in one pass.
   */
  atRecordBoundary: boolean;
  /** The first bad line under `onBadLine: 'error'` (parsing stopped there), line relative to the chunk. */
  error?: BadLine;
}

/** Carries a bad line out of the splitter's loop under `onBadLine: 'error'`. */
class StopAtBadLine {
  constructor(readonly bad: BadLine) {}
}

class ChunkCollector extends InteractionCollector<ChunkIds> {
  protected override fail(bad: BadLine): never {
    throw new StopAtBadLine(bad);
  }
}

/** The state a parsing thread keeps between chunks. */
export interface ThreadState {
  thread: number;
  rules: RecordRules;
  users: ChunkIds;
  items: ChunkIds;
  /** The native parser's view of the rules, when it may take chunks (see {@link threadState}). */
  native: { format: NativeFormat; scratch: NativeScratch } | undefined;
}

/** A parsing thread's fresh state; the native parser is used unless switched off or the rules are not its case. */
export function threadState(thread: number, rules: RecordRules): ThreadState {
  const format = nativeChunkParseEnabled() ? nativeFormatOf(rules) : undefined;
  const native = format ? { format, scratch: new NativeScratch() } : undefined;
  return { thread, rules, users: new ChunkIds(), items: new ChunkIds(), native };
}

/** Parses a chunk: natively when it is the common case, else (and always for bad lines) in JavaScript. */
export function parseChunk(task: ChunkTask, state: ThreadState): ChunkResult {
  if (state.native) {
    const result = parseChunkNatively(task, state, state.native.format, state.native.scratch);
    if (result) return result;
  }
  return parseChunkInJs(task, state);
}

/** The JavaScript chunk parser: every chunk, whatever its lines hold (the native parser's twin). */
export function parseChunkInJs(task: ChunkTask, state: ThreadState): ChunkResult {
  const { users, items } = state;
  const usersBefore = users.ids.length;
  const itemsBefore = items.ids.length;
  // Room for lines of 16 bytes on average or more: rarely a reallocation, little slack.
  const capacity = Math.max(1024, Math.ceil(task.length / 16));
  const collector = new ChunkCollector('', state.rules, users, items, task.first, capacity);
  const splitter = collector.splitter({ firstLine: 0, atStart: task.first });
  let error: BadLine | undefined;
  try {
    splitter.push(Buffer.from(task.buffer, 0, task.length));
    if (task.last) splitter.end();
  } catch (e) {
    if (!(e instanceof StopAtBadLine)) throw e;
    error = e.bad;
  }
  return {
    ...collector.entries(usersBefore, itemsBefore),
    index: task.index,
    thread: state.thread,
    physicalLines: splitter.lines,
    atRecordBoundary: task.last || splitter.atRecordBoundary,
    ...(error ? { error } : {}),
  };
}

/** The ArrayBuffers a result can hand over without copying. */
export function transferables(result: ChunkResult): ArrayBuffer[] {
  const list = [result.u.buffer, result.i.buffer, result.v.buffer];
  if (result.t) list.push(result.t.buffer);
  return list as ArrayBuffer[];
}
