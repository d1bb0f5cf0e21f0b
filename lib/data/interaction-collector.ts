/**
 * The record reader behind readInteractions: interns ids into IdMaps and
 * stores (user, item, value[, time]) entries in growable typed-array columns.
 * Parsing threads run the same collector over a chunk with empty IdMaps; the
 * calling thread then merges their columns in file order (see {@link merge}).
 */
import type { ChunkIds, IdInterner } from './field-parse.js';
import { gatherIndices } from './native-chunk-parse.js';
import type { BadLine } from './read-options.js';
import { MAX_BAD_LINES_KEPT, RecordReader, type RecordRules } from './record-reader.js';

const INITIAL_CAPACITY = 1 << 16;

/** Growable columns of entries: 12 bytes each, 20 with timestamps. */
export class EntryColumns {
  n = 0;
  u: Int32Array;
  i: Int32Array;
  v: Float32Array;
  t: Float64Array | undefined;

  constructor(withTime: boolean, capacity = INITIAL_CAPACITY) {
    this.u = new Int32Array(capacity);
    this.i = new Int32Array(capacity);
    this.v = new Float32Array(capacity);
    if (withTime) this.t = new Float64Array(capacity);
  }

  get capacity(): number {
    return this.u.length;
  }

  /** Doubles the capacity (amortized O(1) per entry when nothing is known about the input's size). */
  grow(): void {
    this.reserve(this.capacity * 2);
  }

  /** Makes room for `capacity` entries in total, reallocating exactly that much. */
  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    const u = new Int32Array(capacity);
    u.set(this.u.subarray(0, this.n));
    this.u = u;
    const i = new Int32Array(capacity);
    i.set(this.i.subarray(0, this.n));
    this.i = i;
    const v = new Float32Array(capacity);
    v.set(this.v.subarray(0, this.n));
    this.v = v;
    if (this.t) {
      const t = new Float64Array(capacity);
      t.set(this.t.subarray(0, this.n));
      this.t = t;
    }
  }
}

/** A parsed chunk: its columns use the parsing thread's own id indices (see {@link ChunkIds}). */
export interface ChunkEntries {
  n: number;
  u: Int32Array;
  i: Int32Array;
  v: Float32Array;
  t: Float64Array | undefined;
  /** Ids the thread met for the first time in this chunk, appended to its table in this order. */
  newUsers: Array<string | number>;
  newItems: Array<string | number>;
  /** The thread's local index of newUsers[0] and of newItems[0] (its table's size before this chunk). */
  firstNewUser: number;
  firstNewItem: number;
  lines: number;
  skipped: number;
  /** Line numbers relative to the chunk's first line. */
  badLines: BadLine[];
}

/**
 * The reading thread's copy of one parsing thread's id table: the thread's
 * ids in its index order, and the global index of each once it is known.
 */
export class ThreadIds {
  readonly ids: Array<string | number> = [];
  global = new Int32Array(1024).fill(-1);

  /** Appends ids the thread reports as new (in the order the thread parsed its chunks). */
  append(ids: ReadonlyArray<string | number>): void {
    for (const id of ids) this.ids.push(id);
    if (this.ids.length > this.global.length) {
      let size = this.global.length;
      while (size < this.ids.length) size *= 2;
      const next = new Int32Array(size).fill(-1);
      next.set(this.global);
      this.global = next;
    }
  }
}

/** Either global ids (an IdMap's indices) or a parsing thread's chunk-local ids. */
type Ids = IdInterner | ChunkIds;

export class InteractionCollector<I extends Ids = IdInterner> extends RecordReader {
  readonly data: EntryColumns;

  /** @param capacity entries to make room for up front (grown as needed). */
  constructor(
    source: string,
    rules: RecordRules,
    readonly userIds: I,
    readonly itemIds: I,
    atStart = true,
    capacity?: number,
  ) {
    super(source, rules, atStart);
    this.data = new EntryColumns(rules.format.columns.time !== null, capacity);
  }

  protected accept(buf: Buffer, _line: number, us: number, ue: number, uq: number, is: number, ie: number, iq: number, value: number, time: number): void {
    const d = this.data;
    if (d.n === d.u.length) d.grow();
    const k = d.n++;
    d.u[k] = this.userIds.intern(buf, us, ue, uq);
    d.i[k] = this.itemIds.intern(buf, is, ie, iq);
    d.v[k] = value;
    if (d.t) d.t[k] = time;
  }

  /**
   * Appends a chunk parsed elsewhere whose first line is line `firstLine + 1`
   * of the input; `users` and `items` are the id tables of the thread that
   * parsed it. An id gets its global index the first time an entry merged
   * here uses it, so merging chunks in file order gives every id the index a
   * single pass over the file would have given it.
   */
  merge(this: InteractionCollector<IdInterner>, chunk: ChunkEntries, firstLine: number, users: ThreadIds, items: ThreadIds): void {
    this.skipHeader = false;
    const d = this.data;
    if (d.n + chunk.n > d.capacity) d.reserve(Math.max(d.n + chunk.n, Math.floor(d.capacity * 1.5)));
    // Every id this chunk uses that no earlier chunk did is new to its thread
    // too (the thread parsed only earlier chunks), and the thread numbered its
    // new ids in their order of first appearance in the chunk: interning them
    // in that order gives the indices a pass over the entries would give, and
    // leaves the entries a plain gather.
    const toUser = globalIndices(users, chunk.firstNewUser, chunk.newUsers.length, this.userIds);
    const toItem = globalIndices(items, chunk.firstNewItem, chunk.newItems.length, this.itemIds);
    const at = d.n;
    gatherIndices(chunk.u, chunk.n, toUser, d.u.subarray(at, at + chunk.n));
    gatherIndices(chunk.i, chunk.n, toItem, d.i.subarray(at, at + chunk.n));
    d.v.set(chunk.v.subarray(0, chunk.n), at);
    if (d.t) d.t.set(chunk.t!.subarray(0, chunk.n), at);
    d.n += chunk.n;
    this.lines += chunk.lines;
    this.skipped += chunk.skipped;
    for (const bad of chunk.badLines) {
      if (this.badLines.length >= MAX_BAD_LINES_KEPT) break;
      this.badLines.push({ ...bad, line: bad.line + firstLine });
    }
  }

  /**
   * This collector's entries for the reading thread, with the ids its tables
   * gained since `usersBefore` / `itemsBefore` entries.
   */
  entries(this: InteractionCollector<ChunkIds>, usersBefore: number, itemsBefore: number): ChunkEntries {
    const d = this.data;
    return {
      n: d.n,
      u: d.u,
      i: d.i,
      v: d.v,
      t: d.t,
      newUsers: this.userIds.ids.slice(usersBefore),
      newItems: this.itemIds.ids.slice(itemsBefore),
      firstNewUser: usersBefore,
      firstNewItem: itemsBefore,
      lines: this.lines,
      skipped: this.skipped,
      badLines: this.badLines,
    };
  }
}

/** The thread's local → global table, after giving its `count` ids from local index `first` on their global indices. */
function globalIndices(thread: ThreadIds, first: number, count: number, ids: IdInterner): Int32Array {
  const global = thread.global;
  for (let l = first; l < first + count; l++) global[l] = ids.internId(thread.ids[l]!);
  return global;
}
