/**
 * Cuts a stream of byte chunks into records and records into fields, working
 * on the raw bytes: a record is handed on as one Buffer plus the [start, end)
 * offsets of its first fields, so nothing is decoded until a field is needed.
 *
 * Handles LF and CRLF line ends, a last line without a newline, empty lines
 * (skipped), a UTF-8 byte order mark, and RFC 4180 quoting: a field that
 * starts with `"` runs to the matching quote, may contain delimiters, line
 * breaks and doubled quotes (`""` for one `"`). A record longer than
 * {@link MAX_RECORD_BYTES} is reported as bad and never buffered whole. A
 * quote that stays open past {@link MAX_QUOTED_SPAN_BYTES}, or closes into
 * a record that cannot be split, makes only its own line bad: every byte is
 * scanned a bounded number of times, whatever the quoting.
 */

import type { Delimiter } from './delimiter.js';
export { DELIMITERS, type Delimiter } from './delimiter.js';
import {
  countLineEnds,
  CR,
  isBlank,
  LF,
  MALFORMED,
  MALFORMED_REST,
  preview,
  QUOTE,
  splitByte,
  splitDoubleColon,
  splitWhitespace,
  UNTERMINATED,
  type FieldSpans,
  type RestCheck,
} from './field-split.js';
export { preview, type FieldSpans } from './field-split.js';

/** Longest record accepted (16 MiB): memory stays bounded whatever the input. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** What became of a record handed to the sink: done with, still open at a line end, bad across lines. */
const DONE = 0;
const OPEN = 1;
const MULTILINE_BAD = 2;
/** The sink rejected a record spanning lines and reported its first line: read the others again. */
const REREAD = 3;

const CLOSES_BADLY = 'closes on a later line into a record that cannot be split';

/**
 * Most bytes a record may span across line breaks inside quotes (1 MiB).
 * Beyond, the quote that opened it is taken for a stray one: only its line is
 * bad, and reading goes on at the next line.
 */
export const MAX_QUOTED_SPAN_BYTES = 1024 * 1024;

export interface RecordSink {
  /**
   * One non-empty record: `count` fields were split (at most the splitter's
   * `fields`; fewer when the record has fewer). `line` is the 1-based line
   * where the record starts; [start, end) is its text without the line end,
   * `spanned` the physical lines it spans (more than 1 when a quoted field
   * holds line breaks). Returning false says that a record spanning lines is
   * not valid and its first line was reported as bad: the splitter then reads
   * the lines after that first one again, as records of their own.
   */
  record(buf: Buffer, start: number, end: number, line: number, count: number, spanned: number): boolean | void;
  /** A record that cannot be split (bad quoting, too long); `text` is its beginning. */
  bad(line: number, text: string, reason: string): void;
}

export interface SplitterOptions {
  /** Longest record accepted; default {@link MAX_RECORD_BYTES}. */
  maxRecord?: number;
  /** Most bytes a record may span across quoted line breaks; default {@link MAX_QUOTED_SPAN_BYTES}. */
  maxQuotedSpan?: number;
  /** Physical lines of the input before the first byte pushed (line numbers continue from there). Default 0. */
  firstLine?: number;
  /** Whether the first byte pushed is the input's first byte, where a byte order mark may sit. Default true. */
  atStart?: boolean;
}

export class RecordSplitter {
  readonly spans: FieldSpans;
  /** Physical lines fully consumed so far (including `firstLine`). */
  private line: number;
  /** Bytes of an unfinished record, waiting for the next chunk. */
  private pending: Buffer | undefined;
  /** Where to resume the search for a line end in `pending`: no byte before it can end the record. */
  private pendingScan = 0;
  /** Line breaks inside the quotes of the pending record. */
  private pendingLines = 0;
  /** Whether the pending record ends inside a quoted field (its closing quote not found yet). */
  private pendingInQuote = false;
  private discarding = false;
  private first: boolean;
  private readonly maxRecord: number;
  private readonly maxQuotedSpan: number;
  private readonly fields: number;
  /**
   * On: a quoted field after the wanted ones may hold line breaks (RFC 4180)
   * and is followed to its closing quote. Off for the one-line retry of
   * {@link failOpenQuote}, where a stray quote in a column nobody reads is
   * ignored.
   */
  private readonly rest: RestCheck = { on: true };
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
    this.maxQuotedSpan = Math.min(options.maxQuotedSpan ?? MAX_QUOTED_SPAN_BYTES, this.maxRecord);
    this.line = options.firstLine ?? 0;
    this.first = options.atStart ?? true;
    const starts = new Int32Array(fields);
    const ends = new Int32Array(fields);
    const quoted = new Uint8Array(fields);
    this.spans = { starts, ends, quoted };
    const spans = this.spans;
    const rest = this.rest;
    this.fields = fields;
    if (delimiter === ' ') this.split = (b, s, e) => splitWhitespace(b, s, e, fields, spans, rest);
    else if (delimiter === '::') this.split = (b, s, e) => splitDoubleColon(b, s, e, fields, spans, rest);
    else {
      const d = delimiter.charCodeAt(0);
      this.split = (b, s, e) => splitByte(b, s, e, d, fields, spans, rest);
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
    let extraLines = 0; // line breaks inside quoted fields of the current record
    let inQuote = false; // scanning for the closing quote of a field that spans lines
    if (this.pending) {
      // Resume where the last chunk's search stopped: every byte is looked at once.
      scan = this.pendingScan;
      extraLines = this.pendingLines;
      inQuote = this.pendingInQuote;
      buf = Buffer.concat([this.pending, buf]);
      this.pending = undefined;
    }
    let pos = 0;
    const max = this.maxRecord;
    const length = buf.length;
    for (;;) {
      if (extraLines > 0 && scan - pos > this.maxQuotedSpan) {
        pos = scan = this.failOpenQuote(buf, pos, `is still open after ${this.maxQuotedSpan} bytes`);
        extraLines = 0;
        inQuote = false;
        continue;
      }
      if (inQuote) {
        // Inside quotes only a single quote ends the field: find it without
        // splitting the record again, so a stray quote costs one pass over
        // the bytes, not one per line (nor per doubled quote).
        let j = scan;
        let closing = -1;
        for (;;) {
          j = buf.indexOf(QUOTE, j);
          if (j < 0) j = length;
          if (j + 1 >= length) break; // the end, or a quote there that may be the first of two
          if (buf[j + 1] !== QUOTE) {
            closing = j;
            break;
          }
          j += 2;
        }
        extraLines += countLineEnds(buf, scan, closing < 0 ? j : closing);
        if (closing < 0) {
          scan = Math.min(j, length);
          if (scan - pos > this.maxQuotedSpan) continue;
          break;
        }
        inQuote = false;
        scan = closing + 1;
        continue;
      }
      // A byte loop beats indexOf's native call on lines of a few dozen bytes.
      let nl = scan;
      while (nl < length && buf[nl] !== LF) nl++;
      if (nl === length) {
        if (extraLines > 0 && length - pos > this.maxQuotedSpan) {
          pos = scan = this.failOpenQuote(buf, pos, `is still open after ${this.maxQuotedSpan} bytes`);
          extraLines = 0;
          continue;
        }
        break;
      }
      if (extraLines === 0 && nl - pos > max) {
        this.tooLong(buf, pos);
        this.line++;
        pos = scan = nl + 1;
        continue;
      }
      const end = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
      const result = this.record(buf, pos, end, extraLines);
      if (result === OPEN) {
        // The split found no closing quote up to this line end: look further.
        inQuote = true;
        extraLines++;
        scan = nl + 1;
        continue;
      }
      if (result === MULTILINE_BAD) {
        pos = scan = this.failOpenQuote(buf, pos, CLOSES_BADLY);
        extraLines = 0;
        continue;
      }
      if (result === REREAD) {
        // The sink reported the record's first line: read the lines after it again.
        this.line++;
        pos = scan = buf.indexOf(LF, pos) + 1;
        extraLines = 0;
        continue;
      }
      this.line += 1 + extraLines;
      extraLines = 0;
      pos = scan = nl + 1;
    }
    if (pos >= buf.length) return;
    if (extraLines === 0 && !inQuote && buf.length - pos > max) {
      this.tooLong(buf, pos);
      // The rest of this line is dropped as it arrives, up to its line end.
      this.discarding = true;
      return;
    }
    this.pending = buf.subarray(pos);
    this.pendingScan = scan - pos;
    this.pendingLines = extraLines;
    this.pendingInQuote = inQuote;
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
    for (;;) {
      const buf = this.pending;
      const extraLines = this.pendingLines;
      this.pending = undefined;
      this.pendingScan = this.pendingLines = 0;
      this.pendingInQuote = false;
      if (!buf || buf.length === 0) return;
      const end = buf[buf.length - 1] === CR ? buf.length - 1 : buf.length;
      const result = this.record(buf, 0, end, extraLines);
      if (result === DONE) return;
      if (extraLines === 0) {
        this.sink.bad(this.line + 1, preview(buf, 0, end), 'unterminated quoted field');
        return;
      }
      // Only the line where the quote opened is bad: the lines after it are read again.
      let next: number;
      if (result === REREAD) {
        this.line++;
        next = buf.indexOf(LF) + 1;
      } else next = this.failOpenQuote(buf, 0, result === OPEN ? 'is still open at the end of the input' : CLOSES_BADLY);
      this.push(buf.subarray(next));
    }
  }

  /**
   * Splits and hands on one record of `extraLines` + 1 physical lines. OPEN
   * when a quoted field continues past `end`; MULTILINE_BAD when a record
   * spanning lines cannot be split (its first line is reported by the caller).
   */
  private record(buf: Buffer, start: number, end: number, extraLines: number): number {
    const line = this.line + 1;
    if (start === end || isBlank(buf, start, end)) return DONE;
    const count = this.split(buf, start, end);
    if (count === UNTERMINATED) return OPEN;
    if (count === MALFORMED || (count === MALFORMED_REST && extraLines > 0)) {
      if (extraLines > 0) return MULTILINE_BAD;
      this.sink.bad(line, preview(buf, start, end), 'unexpected text after a closing quote');
    } else if (this.sink.record(buf, start, end, line, count === MALFORMED_REST ? this.fields : count, extraLines + 1) === false) {
      return REREAD;
    }
    return DONE;
  }

  /**
   * A quote that opened at buf[start]'s line and did not close into a valid
   * record: a stray quote, most likely. When the line alone holds every
   * wanted field (the stray quote sits in a column nobody reads), it is read
   * as a record of its own; otherwise it is reported as bad (the error names
   * it, the line where the quote opened). Returns where the next line starts:
   * the lines after it are read as they are, never dropped with it.
   */
  private failOpenQuote(buf: Buffer, start: number, what: string): number {
    const nl = buf.indexOf(LF, start);
    const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    this.line++;
    this.rest.on = false;
    const count = this.split(buf, start, end);
    this.rest.on = true;
    if (count === this.fields) this.sink.record(buf, start, end, this.line, count, 1);
    else this.sink.bad(this.line, preview(buf, start, end), `unterminated quoted field: the quote opened on this line ${what}`);
    return nl + 1;
  }

  private tooLong(buf: Buffer, start: number): void {
    this.sink.bad(this.line + 1, preview(buf, start, buf.length), `line longer than ${this.maxRecord} bytes`);
  }
}
