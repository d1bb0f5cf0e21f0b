/**
 * Reads interactions from delimited text (CSV, TSV, `::`, blank-separated...),
 * plain or gzipped, streaming: memory grows with the number of interactions
 * (a few typed arrays), never with the size of the file.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid, knownOptions, number, oneOf } from '../validate.js';
import { fromBytes, ioError, openFile, type ByteSource } from './byte-source.js';
import { detectDelimiter, looksLikeHeader, resolveColumns, splitText, type ColumnRef, type Columns } from './detect-format.js';
import { fieldText, IdInterner, parseNumber, parseTime, trimEnd, trimStart } from './field-parse.js';
import { IdMap } from './id-map.js';
import { AGGREGATES, Interactions, type Aggregate } from './interactions.js';
import { DELIMITERS, RecordSplitter, preview, type Delimiter, type RecordSink } from './line-source.js';

export type { Delimiter } from './line-source.js';
export type { ColumnRef, Columns } from './detect-format.js';

export interface ReadOptions {
  /** Field delimiter; `' '` means runs of spaces and tabs. Default `'auto'`: detected from the first lines. */
  delimiter?: 'auto' | Delimiter;
  /**
   * Whether the first line names the columns. Default `'auto'`: it does when
   * one of its fields is a known column name (userId, rating...) or when a
   * column that is numeric on the following lines is not numeric on it.
   */
  header?: 'auto' | boolean;
  /**
   * Column of the user id, by header name (case-insensitive) or 0-based
   * position. Default: detected from the header (user, userId, customer,
   * customer_id...), else position 0.
   */
  userCol?: ColumnRef;
  /** Column of the item id. Default: from the header (item, movieId, product, sku...), else position 1. */
  itemCol?: ColumnRef;
  /**
   * Column of the value (rating, count...). `null`: no value column, every
   * line counts 1 (implicit feedback). Default: from the header (rating,
   * value, score, count, quantity...), else position 2 when the file has it;
   * with a header and no such name, none.
   */
  valueCol?: ColumnRef | null;
  /**
   * Column of the time: a number (kept as written, e.g. Unix seconds) or an
   * ISO-like date `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM]` (read as UTC,
   * converted to epoch seconds). `null`: none. Default: from the header
   * (timestamp, time, date...), else position 3 when the file has it.
   */
  timeCol?: ColumnRef | null;
  /**
   * Column of the interaction type (view, cart, purchase...). Each line's
   * value is multiplied by its type's weight from `typeWeights` (the value is
   * 1 when there is no value column); a type missing from `typeWeights` makes
   * the line bad. Default `null` (never guessed).
   */
  typeCol?: ColumnRef | null;
  /** Weight of each interaction type, matched exactly. Default `{ view: 1, cart: 3, purchase: 5 }`. Needs `typeCol`. */
  typeWeights?: Record<string, number>;
  /** How repeated (user, item) pairs combine (see {@link Interactions.fromIndices}). Default `'sum'`. */
  aggregate?: Aggregate;
  /** A bad line fails the read (`'error'`, default) or is skipped and counted (`'skip'`). */
  onBadLine?: 'error' | 'skip';
  /**
   * Id maps to extend in place (for instance a training set's, to read a test
   * file against it): known ids keep their index, new ids are appended.
   */
  users?: IdMap;
  items?: IdMap;
}

export interface BadLine {
  /** 1-based line number in the (uncompressed) input. */
  line: number;
  /** The line's beginning, at most ~200 characters. */
  text: string;
  reason: string;
}

export interface ReadResult {
  interactions: Interactions;
  /** Data lines read: non-empty lines other than the header, bad ones included. */
  lines: number;
  /** Bad lines skipped under `onBadLine: 'skip'`. */
  skipped: number;
  /** The first 10 bad lines. */
  badLines: BadLine[];
  /** What was detected or given. */
  format: {
    delimiter: Delimiter;
    header: boolean;
    /** The header's column names, or null without a header. */
    names: string[] | null;
    columns: Columns;
  };
}

const DEFAULT_TYPE_WEIGHTS: Readonly<Record<string, number>> = { view: 1, cart: 3, purchase: 5 };
const KNOWN_OPTIONS = [
  'delimiter', 'header', 'userCol', 'itemCol', 'valueCol', 'timeCol', 'typeCol', 'typeWeights',
  'aggregate', 'onBadLine', 'users', 'items',
] as const;
const MAX_BAD_LINES_KEPT = 10;
/** Lines sampled to detect the format, and the most bytes read for them. */
const SAMPLE_LINES = 20;
const SAMPLE_BYTES = 256 * 1024;

interface Settings {
  delimiter: 'auto' | Delimiter;
  header: 'auto' | boolean;
  request: Pick<ReadOptions, 'userCol' | 'itemCol' | 'valueCol' | 'timeCol' | 'typeCol'>;
  typeWeights: Map<string, number> | undefined;
  aggregate: Aggregate;
  skipBad: boolean;
  users: IdMap;
  items: IdMap;
}

/**
 * Reads interactions from a delimited text file, gunzipping it on the fly when
 * it starts with the gzip magic bytes.
 *
 * @throws MfrecError `ERR_MFREC_IO` (missing, unreadable, corrupt or truncated
 *   gzip), `ERR_MFREC_PARSE` (a bad line, as `file:line: reason: "text"`,
 *   unless `onBadLine: 'skip'`), `ERR_MFREC_EMPTY_DATA` (no valid line),
 *   `ERR_MFREC_INVALID_ARGUMENT` (unknown column name: the message lists the
 *   header's columns), `ERR_MFREC_UNKNOWN_OPTION`.
 */
export async function readInteractions(path: string, options?: ReadOptions): Promise<ReadResult> {
  const settings = checkOptions('readInteractions', options, KNOWN_OPTIONS);
  if (typeof path !== 'string' || path === '') throw invalid('a file path', 'path', path);
  return readSource(await openFile(path), path, settings);
}

/**
 * Parses interactions from text or bytes in memory with the same parser as
 * {@link readInteractions} (gzipped bytes are recognised too). `source` names
 * the input in error messages (default `'<input>'`).
 */
export async function parseInteractions(
  input: string | Uint8Array,
  options?: ReadOptions & { source?: string },
): Promise<ReadResult> {
  const settings = checkOptions('parseInteractions', options, [...KNOWN_OPTIONS, 'source']);
  const source = options?.source ?? '<input>';
  if (typeof source !== 'string') throw invalid('a string', 'source', source);
  let bytes: Uint8Array;
  if (typeof input === 'string') bytes = Buffer.from(input, 'utf8');
  else if (input instanceof Uint8Array) bytes = input;
  else throw invalid('a string or a Uint8Array', 'input', input);
  return readSource(fromBytes(source, bytes), source, settings);
}

function checkOptions(where: string, options: unknown, known: readonly string[]): Settings {
  const o = knownOptions(where, options, known) as ReadOptions;
  const delimiter = o.delimiter === undefined ? 'auto' : oneOf('delimiter', o.delimiter, ['auto', ...DELIMITERS]);
  if (o.header !== undefined && o.header !== 'auto' && typeof o.header !== 'boolean') {
    throw invalid("'auto' or a boolean", 'header', o.header);
  }
  for (const name of ['userCol', 'itemCol', 'valueCol', 'timeCol', 'typeCol'] as const) {
    const ref = o[name];
    const nullable = name !== 'userCol' && name !== 'itemCol';
    if (ref === undefined || (ref === null && nullable)) continue;
    const ok = (typeof ref === 'string' && ref !== '') || (typeof ref === 'number' && Number.isInteger(ref) && ref >= 0);
    if (!ok) throw invalid(`a column name or a 0-based column position${nullable ? ' or null' : ''}`, name, ref);
  }
  let typeWeights: Map<string, number> | undefined;
  if (o.typeWeights !== undefined && (o.typeCol === undefined || o.typeCol === null)) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'typeWeights needs typeCol: the column that holds the interaction type');
  }
  if (o.typeCol !== undefined && o.typeCol !== null) {
    const weights = o.typeWeights ?? DEFAULT_TYPE_WEIGHTS;
    if (weights === null || typeof weights !== 'object' || Array.isArray(weights)) {
      throw invalid('an object mapping interaction types to weights', 'typeWeights', weights);
    }
    typeWeights = new Map();
    for (const [type, weight] of Object.entries(weights)) typeWeights.set(type, number(`typeWeights.${type}`, weight));
  }
  for (const name of ['users', 'items'] as const) {
    if (o[name] !== undefined && !(o[name] instanceof IdMap)) throw invalid('an IdMap', name, o[name]);
  }
  return {
    delimiter,
    header: o.header ?? 'auto',
    request: { userCol: o.userCol, itemCol: o.itemCol, valueCol: o.valueCol, timeCol: o.timeCol, typeCol: o.typeCol },
    typeWeights,
    aggregate: o.aggregate === undefined ? 'sum' : oneOf('aggregate', o.aggregate, AGGREGATES),
    skipBad: (o.onBadLine === undefined ? 'error' : oneOf('onBadLine', o.onBadLine, ['error', 'skip'] as const)) === 'skip',
    users: o.users ?? new IdMap(),
    items: o.items ?? new IdMap(),
  };
}

async function readSource(bytes: ByteSource, source: string, settings: Settings): Promise<ReadResult> {
  const chunks = bytes[Symbol.asyncIterator]();
  try {
    const head: Buffer[] = [];
    let done = false;
    for (let size = 0, newlines = 0; size < SAMPLE_BYTES && newlines <= SAMPLE_LINES; ) {
      const next = await chunks.next();
      if (next.done) {
        done = true;
        break;
      }
      head.push(next.value);
      size += next.value.length;
      newlines += countNewlines(next.value, SAMPLE_LINES + 1);
    }
    const reader = new InteractionReader(source, settings, sampleLines(head, done));
    for (const chunk of head) reader.splitter.push(chunk);
    if (!done) {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) reader.splitter.push(next.value);
    }
    reader.splitter.end();
    return reader.result();
  } catch (e) {
    throw ioError(source, e);
  } finally {
    await chunks.return?.();
  }
}

function countNewlines(b: Buffer, limit: number): number {
  let n = 0;
  for (let at = b.indexOf(10); at >= 0 && n < limit; at = b.indexOf(10, at + 1)) n++;
  return n;
}

/** The first non-blank lines of the input as text (the last one only if complete). */
function sampleLines(head: Buffer[], complete: boolean): string[] {
  let text = Buffer.concat(head).subarray(0, SAMPLE_BYTES).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  if (!complete && lines.length > 1) lines.pop();
  return lines
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.trim() !== '')
    .slice(0, SAMPLE_LINES + 1);
}

/** Growable typed-array columns: 20 bytes per interaction, doubled as needed. */
class Columnar {
  n = 0;
  u = new Int32Array(1 << 16);
  i = new Int32Array(1 << 16);
  v = new Float32Array(1 << 16);
  t: Float64Array | undefined;

  constructor(withTime: boolean) {
    if (withTime) this.t = new Float64Array(1 << 16);
  }

  grow(): void {
    const size = this.u.length * 2;
    const u = new Int32Array(size);
    u.set(this.u);
    this.u = u;
    const i = new Int32Array(size);
    i.set(this.i);
    this.i = i;
    const v = new Float32Array(size);
    v.set(this.v);
    this.v = v;
    if (this.t) {
      const t = new Float64Array(size);
      t.set(this.t);
      this.t = t;
    }
  }
}

/** The per-record work: turn field spans into (user, item, value, time). */
class InteractionReader implements RecordSink {
  readonly splitter: RecordSplitter;
  private readonly format: ReadResult['format'];
  private readonly users: IdInterner;
  private readonly items: IdInterner;
  private readonly data: Columnar;
  private readonly userCol: number;
  private readonly itemCol: number;
  private readonly valueCol: number;
  private readonly timeCol: number;
  private readonly typeCol: number;
  private readonly fields: number;
  private skipHeader: boolean;
  private lines = 0;
  private skipped = 0;
  private readonly badLines: BadLine[] = [];

  constructor(
    private readonly source: string,
    private readonly settings: Settings,
    sample: string[],
  ) {
    if (sample.length === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, `${source} is empty`);
    const delimiter = settings.delimiter === 'auto' ? detectDelimiter(sample, source) : settings.delimiter;
    const rows = sample.map((l) => splitText(l, delimiter));
    const header = settings.header === 'auto' ? looksLikeHeader(rows) : settings.header;
    const names = header ? rows[0]!.map((n) => n.trim()) : null;
    const fieldCount = (header ? rows[1] : rows[0])?.length ?? names!.length;
    const columns = resolveColumns(names, fieldCount, settings.request);
    this.format = { delimiter, header, names, columns };
    this.userCol = columns.user;
    this.itemCol = columns.item;
    this.valueCol = columns.value ?? -1;
    this.timeCol = columns.time ?? -1;
    this.typeCol = columns.type ?? -1;
    this.fields = Math.max(this.userCol, this.itemCol, this.valueCol, this.timeCol, this.typeCol) + 1;
    this.skipHeader = header;
    this.users = new IdInterner(settings.users);
    this.items = new IdInterner(settings.items);
    this.data = new Columnar(this.timeCol >= 0);
    this.splitter = new RecordSplitter(delimiter, this.fields, this);
  }

  record(buf: Buffer, start: number, end: number, line: number, count: number): void {
    if (this.skipHeader) {
      this.skipHeader = false;
      return;
    }
    this.lines++;
    if (count < this.fields) return this.reject(line, buf, start, end, this.missingField(count));
    const { starts, ends, quoted } = this.splitter.spans;
    let value = 1;
    let c = this.valueCol;
    if (c >= 0) {
      // Surrounding blanks are rare: parseNumber's slow path trims them.
      value = parseNumber(buf, starts[c]!, ends[c]!);
      if (!Number.isFinite(Math.fround(value))) return this.reject(line, buf, start, end, 'value is not a finite number');
    }
    let time = 0;
    c = this.timeCol;
    if (c >= 0) {
      time = parseTime(buf, starts[c]!, ends[c]!);
      if (!Number.isFinite(time)) return this.reject(line, buf, start, end, 'timestamp is neither a number nor a date');
    }
    c = this.typeCol;
    if (c >= 0) {
      const type = fieldText(buf, starts[c]!, ends[c]!, quoted[c]!).trim();
      const weight = this.settings.typeWeights!.get(type);
      if (weight === undefined) {
        const known = [...this.settings.typeWeights!.keys()].join(', ');
        return this.reject(line, buf, start, end, `unknown interaction type ${JSON.stringify(type)} (known: ${known})`);
      }
      value *= weight;
    }
    const uc = this.userCol;
    const us = quoted[uc] ? starts[uc]! : trimStart(buf, starts[uc]!, ends[uc]!);
    const ue = quoted[uc] ? ends[uc]! : trimEnd(buf, us, ends[uc]!);
    const ic = this.itemCol;
    const is = quoted[ic] ? starts[ic]! : trimStart(buf, starts[ic]!, ends[ic]!);
    const ie = quoted[ic] ? ends[ic]! : trimEnd(buf, is, ends[ic]!);
    if (us === ue) return this.reject(line, buf, start, end, 'empty user id');
    if (is === ie) return this.reject(line, buf, start, end, 'empty item id');
    const d = this.data;
    if (d.n === d.u.length) d.grow();
    const k = d.n++;
    d.u[k] = this.users.intern(buf, us, ue, quoted[uc]!);
    d.i[k] = this.items.intern(buf, is, ie, quoted[ic]!);
    d.v[k] = value;
    if (d.t) d.t[k] = time;
  }

  bad(line: number, text: string, reason: string): void {
    if (this.skipHeader) this.skipHeader = false;
    else this.lines++;
    this.note(line, text, reason);
  }

  private reject(line: number, buf: Buffer, start: number, end: number, reason: string): void {
    this.note(line, preview(buf, start, end), reason);
  }

  private note(line: number, text: string, reason: string): void {
    if (!this.settings.skipBad) {
      throw new MfrecError(ErrorCodes.PARSE, `${this.source}:${line}: ${reason}: "${text}"`);
    }
    this.skipped++;
    if (this.badLines.length < MAX_BAD_LINES_KEPT) this.badLines.push({ line, text, reason });
  }

  private missingField(count: number): string {
    const { columns, names } = this.format;
    const roles = (Object.keys(columns) as (keyof Columns)[]).filter((r) => columns[r] !== null && columns[r]! >= count);
    const c = Math.min(...roles.map((r) => columns[r]!));
    const role = roles.find((r) => columns[r] === c)!;
    const name = names?.[c] === undefined ? '' : ` '${names[c]}'`;
    return `missing ${role} field (column ${c}${name}; the line has ${count} field${count === 1 ? '' : 's'})`;
  }

  result(): ReadResult {
    const d = this.data;
    if (d.n === 0) {
      const why = this.lines === 0 ? 'has no data lines' : `has no valid lines (${this.skipped} bad line(s) skipped)`;
      throw new MfrecError(ErrorCodes.EMPTY_DATA, `${this.source} ${why}`);
    }
    const interactions = Interactions.fromIndices(
      this.settings.users,
      this.settings.items,
      d.u.subarray(0, d.n),
      d.i.subarray(0, d.n),
      d.v.subarray(0, d.n),
      d.t?.subarray(0, d.n),
      this.settings.aggregate,
    );
    return { interactions, lines: this.lines, skipped: this.skipped, badLines: this.badLines, format: this.format };
  }
}
