/**
 * Parallel parsing of one input: this thread reads (and gunzips) the bytes,
 * cuts them at line ends into chunks held in SharedArrayBuffers, parsing
 * threads (and this one, when they are all busy) parse the chunks, and this
 * thread merges the results in file order into one {@link InteractionCollector}. Merging in order is what makes the
 * result identical to a single pass: ids get their index at their first
 * appearance in the file, line numbers continue from chunk to chunk, and the
 * first bad line reported is the file's first.
 *
 * Two cases cannot be cut blindly at a line end, and fall back to parsing the
 * rest of the input on this thread: a line longer than a chunk, and a chunk
 * that ends inside a quoted field spanning lines (noticed when its result
 * says so: the next chunk did not start at a record, so nothing from it on is
 * trusted).
 */
import { ThreadIds, type InteractionCollector } from './interaction-collector.js';
import { parseChunk, threadState, type ChunkResult, type ChunkTask, type ThreadState } from './chunk-parse.js';
import { ParsePool } from './parse-pool.js';
import { badLineError, type RecordRules, type SplitStart } from './record-reader.js';

const LF = 0x0a;

/** Chunks dispatched but not merged, per thread: enough to keep every thread busy while one is merged. */
const IN_FLIGHT_PER_THREAD = 2;
/**
 * Inputs shorter than this many chunks (128 MiB at the default chunk size) are
 * parsed on this thread alone: measured on two cores, a 53 MB file parses no
 * faster with a second thread (its start and its cold JIT eat the gain), a
 * 529 MB one about 25% faster.
 */
export const MIN_CHUNKS_FOR_THREADS = 16;

/** Chunks a parsing thread may have (one parsed, the rest waiting) before this thread parses one itself. */
const QUEUED_PER_THREAD = 2;

interface Cut {
  buffer: SharedArrayBuffer;
  length: number;
}

interface Chunk {
  task: ChunkTask;
  result: Promise<ChunkResult>;
  /** The result has arrived: merging it will not wait. */
  ready: boolean;
}

/** Accumulates bytes into chunk-sized shared buffers and cuts them after their last line break. */
class ChunkCutter {
  private buffer!: SharedArrayBuffer;
  private view!: Buffer;
  private used = 0;
  /** Buffers of merged chunks, for reuse: fresh memory costs a page fault per 4 KiB on first write. */
  private readonly free: SharedArrayBuffer[] = [];

  constructor(private readonly size: number) {
    this.fresh();
  }

  /** Takes back the buffer of a chunk that is merged and no longer read by any thread. */
  recycle(buffer: SharedArrayBuffer): void {
    this.free.push(buffer);
  }

  /** Where the next bytes go: the free end of the current chunk. */
  space(): Buffer {
    return this.view.subarray(this.used);
  }

  /**
   * Takes `n` bytes written into {@link space}; when that fills the chunk, cuts
   * it after its last line break, appends it to `out` and carries the partial
   * line over. False when a full chunk holds no line break (a line longer
   * than a chunk): then {@link rest} holds every byte not handed out.
   */
  commit(n: number, out: Cut[]): boolean {
    this.used += n;
    if (this.used < this.size) return true;
    const nl = this.view.lastIndexOf(LF, this.used - 1);
    if (nl < 0) return false;
    out.push({ buffer: this.buffer, length: nl + 1 });
    const tail = this.view.subarray(nl + 1, this.used);
    this.fresh();
    tail.copy(this.view, 0);
    this.used = tail.length;
    return true;
  }

  /** The bytes not handed out as chunks yet. */
  rest(): Buffer {
    return this.view.subarray(0, this.used);
  }

  /** The bytes after the last chunk, as the input's last chunk (the cutter is empty afterwards). */
  last(): Cut {
    const cut = { buffer: this.buffer, length: this.used };
    this.view = Buffer.alloc(0);
    this.used = 0;
    return cut;
  }

  private fresh(): void {
    // Shared: parsing threads read the chunk where it is, and this thread keeps
    // it until merged, in case it must be parsed again here.
    this.buffer = this.free.pop() ?? new SharedArrayBuffer(this.size);
    this.view = Buffer.from(this.buffer);
    this.used = 0;
  }
}

/** The input's bytes in order, copied into (or, for a plain file, read straight into) the buffers given. */
class InputReader {
  private readonly pieces: Buffer[];
  private position: number;

  constructor(private readonly input: ChunkedInput) {
    this.pieces = [...input.head];
    this.position = input.head.reduce((n, b) => n + b.length, 0);
  }

  /** Fills the start of `into` with the next bytes; resolves with their count, 0 at the end. */
  async read(into: Buffer): Promise<number> {
    for (;;) {
      const piece = this.pieces[0];
      if (piece) {
        const n = piece.copy(into, 0, 0, Math.min(piece.length, into.length));
        if (n === piece.length) this.pieces.shift();
        else this.pieces[0] = piece.subarray(n);
        if (n > 0) return n;
        continue;
      }
      if (this.input.readAt) {
        const n = await this.input.readAt(into, this.position);
        this.position += n;
        return n;
      }
      const next = await this.input.rest?.next();
      if (!next || next.done) return 0;
      this.pieces.push(next.value);
    }
  }

  /** The next bytes in a buffer of their own, or undefined at the end. */
  async next(): Promise<Buffer | undefined> {
    const piece = this.pieces.shift();
    if (piece) return piece;
    if (this.input.readAt) {
      const buffer = Buffer.allocUnsafeSlow(1 << 20);
      const n = await this.read(buffer);
      return n > 0 ? buffer.subarray(0, n) : undefined;
    }
    const next = await this.input.rest?.next();
    return !next || next.done ? undefined : next.value;
  }
}

/** Where the bytes come from: the head already read, then either positional reads or the rest of a stream. */
export interface ChunkedInput {
  head: Buffer[];
  /** Reads at a position of the input (a plain file or bytes in memory); preferred over `rest`. */
  readAt: ((target: Uint8Array, position: number) => Promise<number>) | undefined;
  /** The chunks after the head (undefined when the head is all of it). */
  rest: AsyncIterator<Buffer> | undefined;
}

export interface ChunkedReadOptions {
  /** Parsing threads (2 or more), this one included. */
  threads: number;
  chunkBytes: number;
  /** The input's uncompressed size when known, to size the result columns once. */
  sizeHint: number | undefined;
}

/**
 * Parses `input` into `collector` with parsing threads. Inputs shorter than
 * {@link MIN_CHUNKS_FOR_THREADS} chunks are parsed on this thread.
 */
export async function parseChunked(input: ChunkedInput, collector: InteractionCollector, rules: RecordRules, options: ChunkedReadOptions): Promise<void> {
  const reader = new InputReader(input);
  const cutter = new ChunkCutter(options.chunkBytes);
  const cuts: Cut[] = [];
  const inFlight: Chunk[] = [];
  let pool: ParsePool | undefined;
  let index = 0;
  let firstLine = 0;

  /** This thread's parsing state, for the chunks it parses itself. */
  const here: ThreadState = threadState(-1, rules);
  const tables = new Map<number, { users: ThreadIds; items: ThreadIds }>();
  const threadIds = (thread: number): { users: ThreadIds; items: ThreadIds } => {
    let t = tables.get(thread);
    if (!t) tables.set(thread, (t = { users: new ThreadIds(), items: new ThreadIds() }));
    return t;
  };

  const appendIds = (r: ChunkResult): void => {
    threadIds(r.thread).users.append(r.newUsers);
    threadIds(r.thread).items.append(r.newItems);
  };

  const dispatch = (cut: Cut, last: boolean): void => {
    const task: ChunkTask = { index, buffer: cut.buffer, length: cut.length, first: index === 0, last };
    index++;
    if (pool!.pending >= QUEUED_PER_THREAD * pool!.threads) {
      // This thread parses too, when the parsing threads have enough queued
      // and it would otherwise only wait: the threads option counts it, and on
      // a small machine a thread more than there are cores would only take
      // turns with the others. Reading, merging and the final CSR build are
      // this thread's own work, so it takes chunks only when it is ahead.
      const r = parseChunk(task, here);
      appendIds(r);
      inFlight.push({ task, result: Promise.resolve(r), ready: true });
      return;
    }
    // Results resolve in the order each thread sent them, which is the order
    // that thread met its new ids in: append them now, merge in file order later.
    const chunk: Chunk = {
      task,
      ready: false,
      result: pool!.parse(task).then((r) => {
        appendIds(r);
        chunk.ready = true;
        return r;
      }),
    };
    // Awaited in order later; until then a failure must not count as unhandled.
    chunk.result.catch(() => undefined);
    inFlight.push(chunk);
  };

  /** Merges the oldest chunk; false when it ended inside a record (parse the rest here). */
  const mergeOldest = async (): Promise<boolean> => {
    const chunk = inFlight[0]!;
    const result = await chunk.result;
    if (result.error) throw badLineError(collector.source, { ...result.error, line: result.error.line + firstLine });
    if (!result.atRecordBoundary) return false;
    if (chunk.task.index === 0 && options.sizeHint !== undefined && chunk.task.length > 0) {
      const estimate = Math.ceil((result.n * options.sizeHint * 1.02) / chunk.task.length) + 1024;
      collector.data.reserve(Math.min(estimate, 0x7fffffff));
    }
    const ids = threadIds(result.thread);
    collector.merge(result, firstLine, ids.users, ids.items);
    firstLine += result.physicalLines;
    inFlight.shift();
    cutter.recycle(chunk.task.buffer);
    return true;
  };

  /** Parses every byte not merged yet on this thread: unmerged chunks, the cutter's rest, the rest of the input. */
  const finishHere = async (ended: boolean): Promise<void> => {
    await pool?.close();
    pool = undefined;
    const pending = [...inFlight.map((c) => c.task), ...cuts.map((c, k) => ({ ...c, index: index + k }))];
    const start: SplitStart = { firstLine, atStart: (pending[0]?.index ?? index) === 0 };
    const splitter = collector.splitter(start);
    for (const task of pending) splitter.push(Buffer.from(task.buffer, 0, task.length));
    splitter.push(cutter.rest());
    if (!ended) for (let next = await reader.next(); next; next = await reader.next()) splitter.push(next);
    splitter.end();
  };

  try {
    // An input known to be long enough starts its threads now, so that they
    // boot while this thread reads; otherwise they start when enough is cut.
    if (options.sizeHint !== undefined && options.sizeHint >= MIN_CHUNKS_FOR_THREADS * options.chunkBytes) {
      pool = new ParsePool(options.threads - 1, rules);
    }
    for (;;) {
      const n = await reader.read(cutter.space());
      if (n === 0) break;
      if (!cutter.commit(n, cuts)) return await finishHere(false);
      // Threads start once the input proves long enough; a shorter one is parsed here.
      if (!pool && cuts.length >= MIN_CHUNKS_FOR_THREADS) pool = new ParsePool(options.threads - 1, rules);
      if (!pool) continue;
      while (cuts.length > 0) {
        // Merge what has arrived as it arrives, while the threads parse: left
        // for the end, merging would run alone after the last chunk.
        while (inFlight[0]?.ready) if (!(await mergeOldest())) return await finishHere(false);
        // Taken from `cuts` only now: a chunk not dispatched stays there for finishHere.
        dispatch(cuts.shift()!, false);
      }
      while (inFlight[0]?.ready) if (!(await mergeOldest())) return await finishHere(false);
      while (inFlight.length > IN_FLIGHT_PER_THREAD * options.threads) {
        if (!(await mergeOldest())) return await finishHere(false);
      }
    }
    if (!pool) {
      cuts.push(cutter.last());
      const splitter = collector.splitter();
      for (const cut of cuts) splitter.push(Buffer.from(cut.buffer, 0, cut.length));
      splitter.end();
      return;
    }
    dispatch(cutter.last(), true);
    while (inFlight.length > 0) {
      if (!(await mergeOldest())) {
        // The last chunk is in inFlight: nothing is left in the cutter or the input.
        return await finishHere(true);
      }
    }
  } finally {
    await pool?.close();
  }
}
