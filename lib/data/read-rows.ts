/**
 * Reads a delimited file row by row, in file order, for work that needs every
 * line as written (scoring a file of (user, item) pairs: one prediction per
 * input line): raw ids, no id maps, no aggregation of repeated pairs. The
 * format detection, column rules, quoting, gzip support, bad-line policy and
 * errors are readInteractions' own (record-reader.ts).
 */
import { ErrorCodes, isMfrecError, type MfrecError } from '../errors.js';
import { integer, invalid } from '../validate.js';
import { ioError, openFile } from './byte-source.js';
import { fieldText } from './field-parse.js';
import { checkReadOptions, READ_OPTIONS, type BadLine, type ReadFormat, type ReadNote, type ReadOptions } from './read-options.js';
import { detectFormat, headThenRest, noValidLines, readHead, RecordReader, rulesOf, type RecordRules } from './record-reader.js';

export const DEFAULT_BATCH_SIZE = 65_536;
const INITIAL_BATCH_CAPACITY = 4096;

/** Consecutive rows of the input, in file order. */
export interface RowBatch {
  /** Raw user ids as written (quotes removed, blanks around unquoted ids trimmed). */
  users: string[];
  /** Raw item ids, likewise. */
  items: string[];
  /**
   * Values (times the interaction type's weight when there is a type column);
   * present when the input has a value or a type column.
   */
  values?: Float32Array;
  /** Timestamps (epoch seconds for dates); present when the input has a time column. */
  timestamps?: Float64Array;
  /** 1-based line number of each row in the (uncompressed) input. */
  lines: Int32Array;
}

/** What the read saw, returned by the generator when it is done. */
export interface RowsSummary {
  /** Data lines read: non-empty lines other than the header, bad ones included. */
  lines: number;
  /** Bad lines skipped under `onBadLine: 'skip'`. */
  skipped: number;
  /** The first 10 bad lines. */
  badLines: BadLine[];
  format: ReadFormat;
  /** What the caller should know, such as an unclear header guess. */
  notes: ReadNote[];
}

export interface ReadRowsOptions extends ReadOptions {
  /** Rows per batch, at least 1. Default 65,536. Every batch but the last is full. */
  batchSize?: number;
}

/**
 * Yields the rows of a delimited text file (gunzipped on the fly) in file
 * order, `batchSize` rows at a time; repeated (user, item) pairs stay
 * separate rows. Only a batch and one read chunk (1 MiB) are held at a time,
 * however long the file. The generator's return value (seen when calling
 * `next()` by hand; `for await` drops it) is a {@link RowsSummary}.
 *
 * Takes {@link ReadOptions} for the format and the bad-line policy; `aggregate`,
 * `users`, `items`, `threads` and `chunkBytes` only concern readInteractions and
 * are ignored. Bad lines fail or are skipped exactly as in readInteractions,
 * with the same errors: `ERR_MFREC_IO`, `ERR_MFREC_PARSE` (after every row
 * before the bad line was yielded, the last of them in a short batch), `ERR_MFREC_EMPTY_DATA` for an empty file,
 * `ERR_MFREC_INVALID_ARGUMENT`, `ERR_MFREC_UNKNOWN_OPTION`, and
 * `ERR_MFREC_EMPTY_DATA` when no line is valid (an empty file, a header alone,
 * only bad lines skipped), raised before the first batch or, for skipped
 * lines, at the end, when nothing was yielded.
 */
export async function* readRows(path: string, options?: ReadRowsOptions): AsyncGenerator<RowBatch, RowsSummary, undefined> {
  const settings = checkReadOptions('readRows', options, [...READ_OPTIONS, 'batchSize']);
  const batchSize = options?.batchSize === undefined ? DEFAULT_BATCH_SIZE : integer('batchSize', options.batchSize, 1, 1 << 30);
  if (typeof path !== 'string' || path === '') throw invalid('a file path', 'path', path);
  const bytes = await openFile(path, settings.onProgress);
  const chunks = bytes[Symbol.asyncIterator]();
  try {
    const head = await readHead(chunks);
    const { format, notes } = detectFormat(path, settings, head);
    const rows = new RowCollector(path, rulesOf(format, settings), batchSize);
    const splitter = rows.splitter();
    for await (const chunk of headThenRest(head, chunks)) {
      const bad = rows.parse(() => splitter.push(chunk));
      yield* rows.takeFull();
      if (bad) yield* rows.stopAt(bad);
    }
    const bad = rows.parse(() => splitter.end());
    yield* rows.takeFull();
    if (bad) yield* rows.stopAt(bad);
    const last = rows.takeRest();
    if (last) yield last;
    if (rows.accepted === 0) throw noValidLines(path, rows);
    return { lines: rows.lines, skipped: rows.skipped, badLines: rows.badLines, format, notes };
  } catch (e) {
    throw ioError(path, e);
  } finally {
    await chunks.return?.();
  }
}

/** Collects accepted rows into batches of `batchSize`. */
class RowCollector extends RecordReader {
  /** Rows accepted so far. */
  accepted = 0;
  private readonly full: RowBatch[] = [];
  private batch: RowBatch;
  private n = 0;
  private readonly withValues: boolean;
  private readonly withTimes: boolean;

  constructor(
    source: string,
    rules: RecordRules,
    private readonly batchSize: number,
  ) {
    super(source, rules);
    const { columns } = rules.format;
    this.withValues = columns.value !== null || columns.type !== null;
    this.withTimes = columns.time !== null;
    this.batch = this.emptyBatch();
  }

  protected accept(buf: Buffer, line: number, us: number, ue: number, uq: number, is: number, ie: number, iq: number, value: number, time: number): void {
    if (this.n === this.batch.lines.length) this.growBatch();
    const b = this.batch;
    const k = this.n++;
    this.accepted++;
    b.users.push(fieldText(buf, us, ue, uq));
    b.items.push(fieldText(buf, is, ie, iq));
    if (b.values) b.values[k] = value;
    if (b.timestamps) b.timestamps[k] = time;
    b.lines[k] = line;
    if (this.n === this.batchSize) {
      this.full.push(b);
      this.batch = this.emptyBatch();
      this.n = 0;
    }
  }

  private growBatch(): void {
    const b = this.batch;
    const next = this.emptyBatch(Math.min(this.batchSize, b.lines.length * 2));
    next.users = b.users;
    next.items = b.items;
    next.values?.set(b.values!);
    next.timestamps?.set(b.timestamps!);
    next.lines.set(b.lines);
    this.batch = next;
  }

  /**
   * Runs `split`; returns the error of a bad line under `onBadLine: 'error'`
   * instead of throwing it, so that the rows before it can be yielded first.
   */
  parse(split: () => void): MfrecError | undefined {
    try {
      split();
      return undefined;
    } catch (e) {
      if (isMfrecError(e, ErrorCodes.PARSE)) return e;
      throw e;
    }
  }

  /** Yields the rows collected before a bad line, then throws its error. */
  *stopAt(bad: MfrecError): Generator<RowBatch, never> {
    const rest = this.takeRest();
    if (rest) yield rest;
    throw bad;
  }

  /** The batches filled so far (handed over once). */
  takeFull(): RowBatch[] {
    return this.full.splice(0);
  }

  /** The last, partly filled batch, trimmed to its rows; undefined when empty. */
  takeRest(): RowBatch | undefined {
    if (this.n === 0) return undefined;
    const b = this.batch;
    const n = this.n;
    this.batch = this.emptyBatch();
    this.n = 0;
    return {
      users: b.users,
      items: b.items,
      ...(b.values ? { values: b.values.slice(0, n) } : {}),
      ...(b.timestamps ? { timestamps: b.timestamps.slice(0, n) } : {}),
      lines: b.lines.slice(0, n),
    };
  }

  /** Batches start small and double up to batchSize, so a huge batchSize costs nothing on a small file. */
  private emptyBatch(size = Math.min(this.batchSize, INITIAL_BATCH_CAPACITY)): RowBatch {
    return {
      users: [],
      items: [],
      ...(this.withValues ? { values: new Float32Array(size) } : {}),
      ...(this.withTimes ? { timestamps: new Float64Array(size) } : {}),
      lines: new Int32Array(size),
    };
  }
}
