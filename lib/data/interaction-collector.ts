/**
 * The record reader behind readInteractions: interns ids into IdMaps and
 * stores (user, item, value[, time]) entries in growable typed-array columns.
 * Parsing threads run the same collector over a chunk with empty IdMaps; the
 * calling thread then merges their columns in file order (see {@link merge}).
 */
import { ChunkIds, IdInterner } from './field-parse.js';
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

/** A parsed chunk: its columns use chunk-local id indices, listed in `users` and `items`. */
export interface ChunkEntries {
  n: number;
  u: Int32Array;
  i: Int32Array;
  v: Float32Array;
  t: Float64Array | undefined;
  /** Local index → id (see {@link ChunkIds}), in order of first appearance in the chunk. */
  users: Array<string | number>;
  items: Array<string | number>;
  lines: number;
  skipped: number;
  /** Line numbers relative to the chunk's first line. */
  badLines: BadLine[];
}

/** Either global ids (an IdMap's indices) or a parsing thread's chunk-local ids. */
type Ids = IdInterner | ChunkIds;

export class InteractionCollector<I extends Ids = IdInterner> extends RecordReader {
  readonly data: EntryColumns;

  /** @param capacity entries to make room for up front (grown as needed). */
  constructor(
    source: string,
    rules: RecordRules,
    private readonly userIds: I,
    private readonly itemIds: I,
    atStart = true,
    capacity?: number,
  ) {
    super(source, rules, atStart);
    this.data = new EntryColumns(rules.format.columns.time !== null, capacity);
  }

  protected accept(
    buf: Buffer,
    _line: number,
    us: number,
    ue: number,
    uq: number,
    is: number,
    ie: number,
    iq: number,
    value: number,
    time: number,
  ): void {
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
   * of the input: its ids are added to this collector's IdMaps in the chunk's
   * order of first appearance, so merging chunks in file order gives every id
   * the index a single pass over the file would have given it.
   */
  merge(this: InteractionCollector<IdInterner>, chunk: ChunkEntries, firstLine: number): void {
    this.skipHeader = false;
    const toUser = remap(this.userIds, chunk.users);
    const toItem = remap(this.itemIds, chunk.items);
    const d = this.data;
    if (d.n + chunk.n > d.capacity) d.reserve(Math.max(d.n + chunk.n, Math.floor(d.capacity * 1.5)));
    const { u, i } = chunk;
    const at = d.n;
    for (let k = 0; k < chunk.n; k++) {
      d.u[at + k] = toUser[u[k]!]!;
      d.i[at + k] = toItem[i[k]!]!;
    }
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

  /** The chunk-local view of this collector, for a parsing thread to send back. */
  entries(this: InteractionCollector<ChunkIds>): ChunkEntries {
    const d = this.data;
    return {
      n: d.n,
      u: d.u,
      i: d.i,
      v: d.v,
      t: d.t,
      users: this.userIds.ids,
      items: this.itemIds.ids,
      lines: this.lines,
      skipped: this.skipped,
      badLines: this.badLines,
    };
  }
}

function remap(interner: IdInterner, ids: ReadonlyArray<string | number>): Int32Array {
  const out = new Int32Array(ids.length);
  for (let k = 0; k < ids.length; k++) out[k] = interner.internId(ids[k]!);
  return out;
}
