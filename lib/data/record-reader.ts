/**
 * What every delimited-text reader shares: reading the first lines to detect
 * the format, and the per-record rules (header skipping, field checks, value,
 * time and type parsing, the bad-line policy) that turn a record's field spans
 * into a (user, item, value, time) row. Readers differ only in what they do
 * with an accepted row, by implementing {@link RecordReader.accept}.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { printable } from '../text/printable.js';
import { detectDelimiter, guessHeader, resolveColumns, sampleRecords, type Columns } from './detect-format.js';
import { fieldText, parseNumber, parseTime, trimEnd, trimStart } from './field-parse.js';
import { RecordSplitter, preview, type FieldSpans, type RecordSink } from './line-source.js';
import type { BadLine, ReadFormat, ReadNote, Settings } from './read-options.js';

/** Lines sampled to detect the format, and the most bytes read for them. */
const SAMPLE_LINES = 20;
const SAMPLE_BYTES = 256 * 1024;
export const MAX_BAD_LINES_KEPT = 10;

/** The format plus the per-line policy: everything a parsing thread needs (structured-clone safe). */
export interface RecordRules {
  format: ReadFormat;
  typeWeights: Map<string, number> | undefined;
  skipBad: boolean;
}

/** The error a bad line raises under `onBadLine: 'error'`. */
export function badLineError(source: string, bad: BadLine): MfrecError {
  return new MfrecError(ErrorCodes.PARSE, `${source}:${bad.line}: ${printable(bad.reason)}: "${printable(bad.text)}"`);
}

/** ERR_MFREC_EMPTY_DATA for an input where `reader` accepted no line. */
export function noValidLines(source: string, reader: RecordReader): MfrecError {
  const why = reader.lines === 0 ? 'has no data lines' : `has no valid lines (${reader.skipped} bad line(s) skipped)`;
  return new MfrecError(ErrorCodes.EMPTY_DATA, `${source} ${why}`);
}

/** The first chunks of an input, enough to hold the sample lines, and whether they are all of it. */
export interface Head {
  chunks: Buffer[];
  done: boolean;
}

/** Pulls chunks from `input` until the sample lines are in (or the input ends). */
export async function readHead(input: AsyncIterator<Buffer>): Promise<Head> {
  const chunks: Buffer[] = [];
  for (let size = 0, newlines = 0; size < SAMPLE_BYTES && newlines <= SAMPLE_LINES; ) {
    const next = await input.next();
    if (next.done) return { chunks, done: true };
    chunks.push(next.value);
    size += next.value.length;
    newlines += countNewlines(next.value, SAMPLE_LINES + 1);
  }
  return { chunks, done: false };
}

/** The head's chunks, then the rest of `input`. */
export async function* headThenRest(head: Head, input: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head.chunks;
  if (head.done) return;
  for (let next = await input.next(); !next.done; next = await input.next()) yield next.value;
}

function countNewlines(b: Buffer, limit: number): number {
  let n = 0;
  for (let at = b.indexOf(10); at >= 0 && n < limit; at = b.indexOf(10, at + 1)) n++;
  return n;
}

/**
 * The first lines of the input as text (the last one only if complete), blank
 * ones kept: a quoted field may hold a blank line.
 */
function sampleLines(head: Head): string[] {
  let text = Buffer.concat(head.chunks).subarray(0, SAMPLE_BYTES).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  if (!head.done && lines.length > 1) lines.pop();
  const kept: string[] = [];
  let nonBlank = 0;
  for (const l of lines) {
    kept.push(l.endsWith('\r') ? l.slice(0, -1) : l);
    if (l.trim() !== '' && ++nonBlank > SAMPLE_LINES) break;
  }
  return kept;
}

/** The field count most sample rows have (the first row's on a tie): one odd line does not decide. */
function usualFieldCount(rows: readonly string[][]): number | undefined {
  const seen = new Map<number, number>();
  for (const r of rows) seen.set(r.length, (seen.get(r.length) ?? 0) + 1);
  let best: number | undefined;
  for (const [count, n] of seen) if (best === undefined || n > seen.get(best)!) best = count;
  return best;
}

/**
 * The delimiter, header and columns of the input, from its first lines and
 * the options, with a note when the header guess was not clear-cut.
 */
export function detectFormat(source: string, settings: Settings, head: Head): { format: ReadFormat; notes: ReadNote[] } {
  const sample = sampleLines(head);
  if (sample.every((l) => l.trim() === '')) throw new MfrecError(ErrorCodes.EMPTY_DATA, `${source} is empty`);
  const delimiter = settings.delimiter === 'auto' ? detectDelimiter(sample, source) : settings.delimiter;
  const rows = sampleRecords(sample, delimiter);
  const guess = settings.header === 'auto' ? guessHeader(rows) : { header: settings.header, sure: true };
  const header = guess.header;
  const names = header ? rows[0]!.map((n) => n.trim()) : null;
  const fieldCount = usualFieldCount(header ? rows.slice(1) : rows) ?? names!.length;
  const columns = resolveColumns(names, fieldCount, settings.request);
  const notes: ReadNote[] = [];
  if (!guess.sure) {
    const first = printable(rows[0]!.join(delimiter === ' ' ? ' ' : delimiter).slice(0, 200));
    notes.push({
      kind: 'header',
      message: header
        ? `${source}: took the first line "${first}" for a header (pass header: false if it is data)`
        : `${source}: read the first line "${first}" as data (pass header: true if it names the columns)`,
    });
  }
  return { format: { delimiter, header, names, columns }, notes };
}

export function rulesOf(format: ReadFormat, settings: Settings): RecordRules {
  return { format, typeWeights: settings.typeWeights, skipBad: settings.skipBad };
}

/** "column 2 'Description'": a 0-based position, with its header name when there is one. */
export function columnLabel(format: ReadFormat, c: number): string {
  const name = format.names?.[c];
  return `column ${c}${name === undefined ? '' : ` '${name}'`}`;
}

/** Where a splitter starts: line numbers continue after `firstLine`; `atStart` is the input's first byte. */
export interface SplitStart {
  firstLine: number;
  atStart: boolean;
}

export abstract class RecordReader implements RecordSink {
  /** Data lines seen: non-empty lines other than the header, bad ones included. */
  lines = 0;
  /** Bad lines skipped under `onBadLine: 'skip'`. */
  skipped = 0;
  /** The first bad lines skipped. */
  readonly badLines: BadLine[] = [];
  /** True until the header line (when there is one) has gone by. */
  protected skipHeader: boolean;
  private readonly userCol: number;
  private readonly itemCol: number;
  private readonly valueCol: number;
  private readonly timeCol: number;
  private readonly typeCol: number;
  private readonly fields: number;
  private spans: FieldSpans | undefined;
  /** Physical lines the current record spans. */
  private spanned = 1;
  /** Reasons that say which column was read, by position and header name. */
  private readonly badValue: string;
  private readonly badTime: string;

  /** @param atStart whether this reader sees the input from its first line (the header, if any). */
  constructor(
    readonly source: string,
    readonly rules: RecordRules,
    atStart = true,
  ) {
    const { columns, header } = rules.format;
    this.userCol = columns.user;
    this.itemCol = columns.item;
    this.valueCol = columns.value ?? -1;
    this.timeCol = columns.time ?? -1;
    this.typeCol = columns.type ?? -1;
    this.fields = Math.max(this.userCol, this.itemCol, this.valueCol, this.timeCol, this.typeCol) + 1;
    this.skipHeader = header && atStart;
    this.badValue = `value (${columnLabel(rules.format, this.valueCol)}) is not a finite number`;
    this.badTime = `timestamp (${columnLabel(rules.format, this.timeCol)}) is neither a number nor a date`;
  }

  /** A splitter that feeds this reader (one at a time). */
  splitter(start: SplitStart = { firstLine: 0, atStart: true }): RecordSplitter {
    const splitter = new RecordSplitter(this.rules.format.delimiter, this.fields, this, start);
    this.spans = splitter.spans;
    return splitter;
  }

  /**
   * An accepted row: the user id is buf[us, ue) and the item id buf[is, ie)
   * (trimmed, non-empty; `uq`/`iq` are the quoting flags of {@link fieldText}),
   * `value` is the type-weighted value (1 without a value column), `time` the
   * timestamp (0 without a time column).
   */
  protected abstract accept(
    buf: Buffer,
    line: number,
    us: number,
    ue: number,
    uq: number,
    is: number,
    ie: number,
    iq: number,
    value: number,
    time: number,
  ): void;

  record(buf: Buffer, start: number, end: number, line: number, count: number, spanned = 1): boolean | void {
    if (this.skipHeader) {
      this.skipHeader = false;
      return;
    }
    this.spanned = spanned;
    this.lines++;
    if (count < this.fields) return this.reject(line, buf, start, end, this.missingField(count));
    const { starts, ends, quoted } = this.spans!;
    let value = 1;
    let c = this.valueCol;
    if (c >= 0) {
      // Surrounding blanks are rare: parseNumber's slow path trims them.
      value = parseNumber(buf, starts[c]!, ends[c]!);
      if (!Number.isFinite(Math.fround(value))) return this.reject(line, buf, start, end, this.badValue);
    }
    let time = 0;
    c = this.timeCol;
    if (c >= 0) {
      time = parseTime(buf, starts[c]!, ends[c]!);
      if (!Number.isFinite(time)) return this.reject(line, buf, start, end, this.badTime);
    }
    c = this.typeCol;
    if (c >= 0) {
      const type = fieldText(buf, starts[c]!, ends[c]!, quoted[c]!).trim();
      const weight = this.rules.typeWeights!.get(type);
      if (weight === undefined) {
        const known = [...this.rules.typeWeights!.keys()].join(', ');
        return this.reject(line, buf, start, end, `unknown interaction type ${JSON.stringify(type)} (known: ${known})`);
      }
      value *= weight;
    }
    const uc = this.userCol;
    const uq = quoted[uc]!;
    const us = uq ? starts[uc]! : trimStart(buf, starts[uc]!, ends[uc]!);
    const ue = uq ? ends[uc]! : trimEnd(buf, us, ends[uc]!);
    const ic = this.itemCol;
    const iq = quoted[ic]!;
    const is = iq ? starts[ic]! : trimStart(buf, starts[ic]!, ends[ic]!);
    const ie = iq ? ends[ic]! : trimEnd(buf, is, ends[ic]!);
    if (us === ue) return this.reject(line, buf, start, end, 'empty user id');
    if (is === ie) return this.reject(line, buf, start, end, 'empty item id');
    this.accept(buf, line, us, ue, uq, is, ie, iq, value, time);
  }

  bad(line: number, text: string, reason: string): void {
    if (this.skipHeader) this.skipHeader = false;
    else this.lines++;
    this.note({ line, text, reason });
  }

  /** Stops the read on a bad line under `onBadLine: 'error'`. */
  protected fail(bad: BadLine): never {
    throw badLineError(this.source, bad);
  }

  /**
   * Notes a bad record. A record whose quotes span lines is most likely a
   * stray quote that swallowed the lines after it: only its first line is
   * reported (false tells the splitter to read the others again).
   */
  private reject(line: number, buf: Buffer, start: number, end: number, reason: string): boolean | void {
    if (this.spanned > 1) {
      const nl = buf.indexOf(0x0a, start);
      const firstEnd = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      const why = `unterminated quoted field? the quote opened on this line runs over ${this.spanned} lines into a bad record (${reason})`;
      this.note({ line, text: preview(buf, start, firstEnd), reason: why });
      return false;
    }
    this.note({ line, text: preview(buf, start, end), reason });
  }

  private note(bad: BadLine): void {
    if (!this.rules.skipBad) this.fail(bad);
    this.skipped++;
    if (this.badLines.length < MAX_BAD_LINES_KEPT) this.badLines.push(bad);
  }

  private missingField(count: number): string {
    const { columns, names } = this.rules.format;
    const roles = (Object.keys(columns) as (keyof Columns)[]).filter((r) => columns[r] !== null && columns[r]! >= count);
    const c = Math.min(...roles.map((r) => columns[r]!));
    const role = roles.find((r) => columns[r] === c)!;
    const name = names?.[c] === undefined ? '' : ` '${names[c]}'`;
    return `missing ${role} field (column ${c}${name}; the line has ${count} field${count === 1 ? '' : 's'})`;
  }
}
