/**
 * Cuts a stream of byte chunks into records and records into fields, working
 * on the raw bytes: a record is handed on as one Buffer plus the [start, end)
 * offsets of its first fields, so nothing is decoded until a field is needed.
 *
 * Handles LF and CRLF line ends, a last line without a newline, empty lines
 * (skipped), a UTF-8 byte order mark, and RFC 4180 quoting: a field that
 * starts with `"` runs to the matching quote, may contain delimiters, line
 * breaks and doubled quotes (`""` for one `"`). A record longer than
 * {@link MAX_RECORD_BYTES} is reported as bad and never buffered whole.
 */

import type { Delimiter } from './delimiter.js';
export { DELIMITERS, type Delimiter } from './delimiter.js';

/** Longest record accepted (16 MiB): memory stays bounded whatever the input. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

/** Split results besides a field count. */
const UNTERMINATED = -1;
const MALFORMED = -2;

/**
 * Field spans of the current record: field f is buf[starts[f], ends[f]).
 * `quoted[f]` is 0 for a plain field, 1 for a quoted one (quotes removed),
 * 2 for a quoted one that contains doubled quotes still to be unescaped.
 */
export interface FieldSpans {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly quoted: Uint8Array;
}

export interface RecordSink {
  /**
   * One non-empty record: `count` fields were split (at most the splitter's
   * `fields`; fewer when the record has fewer). `line` is the 1-based line
   * where the record starts; [start, end) is its text without the line end.
   */
  record(buf: Buffer, start: number, end: number, line: number, count: number): void;
  /** A record that cannot be split (bad quoting, too long); `text` is its beginning. */
  bad(line: number, text: string, reason: string): void;
}

export interface SplitterOptions {
  /** Longest record accepted; default {@link MAX_RECORD_BYTES}. */
  maxRecord?: number;
  /** Physical lines of the input before the first byte pushed (line numbers continue from there). Default 0. */
  firstLine?: number;
  /** Whether the first byte pushed is the input's first byte, where a byte order mark may sit. Default true. */
  atStart?: boolean;
}

export class RecordSplitter {
  readonly spans: FieldSpans;
  /** Physical lines fully consumed so far (including `firstLine`). */
  private line: number;
  private pending: Buffer | undefined;
  private pendingClean = false;
  private discarding = false;
  private first: boolean;
  private readonly maxRecord: number;
  private readonly split: (b: Buffer, s: number, e: number) => number;

  /**
   * @param fields how many leading fields to split per record; the rest of a
   *   record is not looked at (pass the highest column index needed + 1).
   */
  constructor(
    delimiter: Delimiter,
    fields: number,
    private readonly sink: RecordSink,
    options: SplitterOptions = {},
  ) {
    this.maxRecord = options.maxRecord ?? MAX_RECORD_BYTES;
    this.line = options.firstLine ?? 0;
    this.first = options.atStart ?? true;
    const starts = new Int32Array(fields);
    const ends = new Int32Array(fields);
    const quoted = new Uint8Array(fields);
    this.spans = { starts, ends, quoted };
    const spans = this.spans;
    if (delimiter === ' ') this.split = (b, s, e) => splitWhitespace(b, s, e, fields, spans);
    else if (delimiter === '::') this.split = (b, s, e) => splitDoubleColon(b, s, e, fields, spans);
    else {
      const d = delimiter.charCodeAt(0);
      this.split = (b, s, e) => splitByte(b, s, e, d, fields, spans);
    }
  }

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.first && buf.length > 0) {
      this.first = false;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    if (this.discarding) {
      const nl = buf.indexOf(LF);
      if (nl < 0) return;
      this.discarding = false;
      this.line++;
      buf = buf.subarray(nl + 1);
    }
    let scan = 0;
    if (this.pending) {
      // The pending bytes hold no line end unless a quoted field spans lines:
      // resume the search after them, so a long line is not rescanned per chunk.
      scan = this.pendingClean ? this.pending.length : 0;
      buf = Buffer.concat([this.pending, buf]);
      this.pending = undefined;
    }
    let pos = 0;
    let extraLines = 0; // line breaks inside quoted fields of the current record
    const max = this.maxRecord;
    const length = buf.length;
    for (;;) {
      // A byte loop beats indexOf's native call on lines of a few dozen bytes.
      let nl = scan;
      while (nl < length && buf[nl] !== LF) nl++;
      if (nl === length) break;
      if (nl - pos > max) {
        this.tooLong(buf, pos);
        this.line += 1 + extraLines;
        extraLines = 0;
        pos = scan = nl + 1;
        continue;
      }
      const end = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
      if (!this.record(buf, pos, end, false)) {
        extraLines++;
        scan = nl + 1;
        continue;
      }
      this.line += 1 + extraLines;
      extraLines = 0;
      pos = scan = nl + 1;
    }
    if (pos >= buf.length) return;
    if (buf.length - pos > max) {
      this.tooLong(buf, pos);
      // The rest of this record is dropped as it arrives, up to its line end
      // (a line break inside its quotes cannot be told apart any more).
      this.line += extraLines;
      this.discarding = true;
      return;
    }
    this.pending = buf.subarray(pos);
    this.pendingClean = extraLines === 0;
  }

  /** Physical lines consumed so far, `firstLine` included: the line number of the last line break seen. */
  get lines(): number {
    return this.line;
  }

  /**
   * True when the bytes pushed so far end on a record boundary: no record is
   * waiting for more lines (a quoted field still open) and no over-long
   * record is being skipped.
   */
  get atRecordBoundary(): boolean {
    return !this.discarding && (this.pending === undefined || this.pending.length === 0);
  }

  /** Flushes a last line without a line end. */
  end(): void {
    const buf = this.pending;
    this.pending = undefined;
    if (!buf || buf.length === 0) return;
    const end = buf[buf.length - 1] === CR ? buf.length - 1 : buf.length;
    this.record(buf, 0, end, true);
  }

  /** Splits and hands on one record; false when a quoted field continues on the next line. */
  private record(buf: Buffer, start: number, end: number, last: boolean): boolean {
    const line = this.line + 1;
    if (start === end || isBlank(buf, start, end)) return true;
    const count = this.split(buf, start, end);
    if (count === UNTERMINATED) {
      if (!last) return false;
      this.sink.bad(line, preview(buf, start, end), 'unterminated quoted field');
    } else if (count === MALFORMED) {
      this.sink.bad(line, preview(buf, start, end), 'unexpected text after a closing quote');
    } else {
      this.sink.record(buf, start, end, line, count);
    }
    return true;
  }

  private tooLong(buf: Buffer, start: number): void {
    this.sink.bad(this.line + 1, preview(buf, start, buf.length), `line longer than ${this.maxRecord} bytes`);
  }
}

/** The first ~200 characters of a record, for error messages. */
export function preview(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, Math.min(end, start + 800));
  return text.length > 200 || end - start > 800 ? text.slice(0, 200) + '…' : text;
}

function isBlank(b: Buffer, s: number, e: number): boolean {
  if (b[s] !== SPACE && b[s] !== TAB) return false;
  for (let i = s; i < e; i++) if (b[i] !== SPACE && b[i] !== TAB) return false;
  return true;
}

/**
 * A quoted field opening at b[i] (a quote): records its inner span and returns
 * the index just past the closing quote, or UNTERMINATED.
 */
function quotedField(b: Buffer, i: number, e: number, f: number, spans: FieldSpans): number {
  let j = i + 1;
  let escaped = false;
  for (;;) {
    j = b.indexOf(QUOTE, j);
    if (j < 0 || j >= e) return UNTERMINATED;
    if (j + 1 < e && b[j + 1] === QUOTE) {
      escaped = true;
      j += 2;
      continue;
    }
    break;
  }
  spans.starts[f] = i + 1;
  spans.ends[f] = j;
  spans.quoted[f] = escaped ? 2 : 1;
  return j + 1;
}

/** Single-byte delimiter `d`. Returns the number of fields split, or a negative code. */
function splitByte(b: Buffer, s: number, e: number, d: number, want: number, spans: FieldSpans): number {
  const starts = spans.starts;
  const ends = spans.ends;
  const quoted = spans.quoted;
  let i = s;
  let f = 0;
  while (f < want) {
    if (i < e && b[i] === QUOTE) {
      i = quotedField(b, i, e, f, spans);
      if (i < 0) return i;
      if (i < e && b[i] !== d) return MALFORMED;
    } else {
      starts[f] = i;
      while (i < e && b[i] !== d) i++;
      ends[f] = i;
      quoted[f] = 0;
    }
    f++;
    if (i >= e) return f;
    i++;
  }
  return f;
}

/** The two-byte delimiter `::` (MovieLens 1M/10M). */
function splitDoubleColon(b: Buffer, s: number, e: number, want: number, spans: FieldSpans): number {
  const starts = spans.starts;
  const ends = spans.ends;
  const quoted = spans.quoted;
  let i = s;
  let f = 0;
  while (f < want) {
    if (i < e && b[i] === QUOTE) {
      i = quotedField(b, i, e, f, spans);
      if (i < 0) return i;
      if (i < e && !(b[i] === COLON && b[i + 1] === COLON && i + 1 < e)) return MALFORMED;
    } else {
      starts[f] = i;
      while (i < e && !(b[i] === COLON && i + 1 < e && b[i + 1] === COLON)) i++;
      ends[f] = i;
      quoted[f] = 0;
    }
    f++;
    if (i >= e) return f;
    i += 2;
  }
  return f;
}

/** Runs of spaces and tabs; leading and trailing blanks are ignored. */
function splitWhitespace(b: Buffer, s: number, e: number, want: number, spans: FieldSpans): number {
  const starts = spans.starts;
  const ends = spans.ends;
  const quoted = spans.quoted;
  let i = s;
  let f = 0;
  while (i < e && (b[i] === SPACE || b[i] === TAB)) i++;
  while (f < want && i < e) {
    if (b[i] === QUOTE) {
      i = quotedField(b, i, e, f, spans);
      if (i < 0) return i;
      if (i < e && b[i] !== SPACE && b[i] !== TAB) return MALFORMED;
    } else {
      starts[f] = i;
      while (i < e && b[i] !== SPACE && b[i] !== TAB) i++;
      ends[f] = i;
      quoted[f] = 0;
    }
    f++;
    while (i < e && (b[i] === SPACE || b[i] === TAB)) i++;
  }
  return f;
}
