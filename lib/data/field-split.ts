/**
 * Splitting one record's bytes into fields: the byte values and result codes
 * the record splitter (line-source.ts) shares with the split functions, and
 * one split function per kind of delimiter (a byte, `::`, runs of blanks),
 * each honouring RFC 4180 quoting.
 */

export const LF = 0x0a;
export const CR = 0x0d;
export const QUOTE = 0x22;
export const SPACE = 0x20;
export const TAB = 0x09;
export const COLON = 0x3a;

/** Split results besides a field count. */
export const UNTERMINATED = -1;
export const MALFORMED = -2;
/** The wanted fields are fine, but text follows a closing quote in a later field (ignored on a one-line record). */
export const MALFORMED_REST = -3;

/** Whether splits look at the quoting of the fields after the wanted ones. */
export interface RestCheck {
  on: boolean;
}

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

export function countLineEnds(b: Buffer, from: number, to: number): number {
  let n = 0;
  for (let at = b.indexOf(LF, from); at >= 0 && at < to; at = b.indexOf(LF, at + 1)) n++;
  return n;
}

/** The first ~200 characters of a record, for error messages. */
export function preview(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, Math.min(end, start + 800));
  return text.length > 200 || end - start > 800 ? text.slice(0, 200) + '…' : text;
}

export function isBlank(b: Buffer, s: number, e: number): boolean {
  if (b[s] !== SPACE && b[s] !== TAB) return false;
  for (let i = s; i < e; i++) if (b[i] !== SPACE && b[i] !== TAB) return false;
  return true;
}

/**
 * A quoted field opening at b[i] (a quote): records its inner span and returns
 * the index just past the closing quote, or UNTERMINATED.
 */
export function quotedField(b: Buffer, i: number, e: number, f: number, spans: FieldSpans): number {
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
export function splitByte(b: Buffer, s: number, e: number, d: number, want: number, spans: FieldSpans, rest: RestCheck): number {
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
  if (!rest.on || !hasQuote(b, i, e)) return f;
  return restQuoting(b, i, e, f, (x, at) => (x[at] === d ? 1 : 0));
}

/** The two-byte delimiter `::` (MovieLens 1M/10M). */
export function splitDoubleColon(b: Buffer, s: number, e: number, want: number, spans: FieldSpans, rest: RestCheck): number {
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
  if (!rest.on || !hasQuote(b, i, e)) return f;
  return restQuoting(b, i, e, f, (x, at, end) => (x[at] === COLON && at + 1 < end && x[at + 1] === COLON ? 2 : 0));
}

/** Runs of spaces and tabs; leading and trailing blanks are ignored. */
export function splitWhitespace(b: Buffer, s: number, e: number, want: number, spans: FieldSpans, rest: RestCheck): number {
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
  if (!rest.on || !hasQuote(b, i, e)) return f;
  return restQuoting(b, i, e, f, (x, at, end) => {
    let n = 0;
    while (at + n < end && (x[at + n] === SPACE || x[at + n] === TAB)) n++;
    return n;
  });
}

/** Whether b[i, e) holds a quote: most lines have none after their wanted fields, and pay one pass. */
export function hasQuote(b: Buffer, i: number, e: number): boolean {
  while (i < e) if (b[i++] === QUOTE) return true;
  return false;
}

/**
 * The quoting of the fields after the wanted ones, b[i, e) with i at a field
 * start (called only when {@link hasQuote}): `count` when it is sound, UNTERMINATED when a quoted field is still open at
 * `e` (it holds a line break), MALFORMED_REST when text follows a closing
 * quote. `delimiterAt` is the length of the delimiter at `at`, 0 if none.
 */
export function restQuoting(b: Buffer, i: number, e: number, count: number, delimiterAt: (b: Buffer, at: number, end: number) => number): number {
  let result = count;
  while (i < e) {
    if (b[i] === QUOTE) {
      let j = i + 1;
      for (;;) {
        while (j < e && b[j] !== QUOTE) j++;
        if (j >= e) return UNTERMINATED;
        if (j + 1 < e && b[j + 1] === QUOTE) {
          j += 2;
          continue;
        }
        break;
      }
      i = j + 1;
      if (i < e && delimiterAt(b, i, e) === 0) result = MALFORMED_REST;
    }
    for (; i < e; i++) {
      const n = delimiterAt(b, i, e);
      if (n > 0) {
        i += n;
        break;
      }
    }
  }
  return result;
}
