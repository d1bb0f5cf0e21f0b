/**
 * Field parsers that work on raw bytes (a Buffer and a [start, end) span), so
 * the reader's hot path turns "3.5" or "138493" into numbers and dense ids
 * without creating a string for every field.
 */
import type { IdMap } from './id-map.js';

const SPACE = 0x20;
const TAB = 0x09;

/** Exact powers of ten (every 10^k with k <= 22 is exact in a double). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Strict decimal syntax for the slow path: sign, digits, point, exponent; nothing else. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Index of the first byte of [s, e) that is not a space or tab. */
export function trimStart(b: Uint8Array, s: number, e: number): number {
  while (s < e && (b[s] === SPACE || b[s] === TAB)) s++;
  return s;
}

/** One past the last byte of [s, e) that is not a space or tab. */
export function trimEnd(b: Uint8Array, s: number, e: number): number {
  while (e > s && (b[e - 1] === SPACE || b[e - 1] === TAB)) e--;
  return e;
}

/**
 * The decimal number written in b[s, e), or NaN when the bytes are not one.
 * Plain numbers of up to 15 significant digits (every rating, count and Unix
 * timestamp) are computed as mantissa / 10^k, which is correctly rounded and
 * therefore equal to Number(text); anything else (exponents, long digit runs)
 * goes through Number() after a strict syntax check, so "0x10", "Infinity" or
 * "" are not numbers here.
 */
export function parseNumber(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let negative = false;
  if (i < e) {
    const c = b[i]!;
    if (c === 0x2d) {
      negative = true;
      i++;
    } else if (c === 0x2b) i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  while (i < e) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    digits++;
    i++;
  }
  if (i < e && b[i] === 0x2e) {
    i++;
    while (i < e) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      digits++;
      fraction++;
      i++;
    }
  }
  if (i === e && digits > 0 && digits <= 15) {
    const x = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
    return negative ? -x : x;
  }
  return parseNumberText(latin1(b, s, e));
}

/** The decimal number written in `text` (surrounding spaces allowed), or NaN. */
export function parseNumberText(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : NaN;
}

/**
 * Epoch seconds (UTC) of an ISO-like date in b[s, e): `YYYY-MM-DD`, optionally
 * followed by `T` or a space and `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, and an
 * optional `Z`, `±HH:MM` or `±HH` offset. NaN when the bytes are not such a date or
 * name an impossible one (month 13, February 30, hour 24...).
 */
export function parseDate(b: Uint8Array, s: number, e: number): number {
  if (e - s < 10 || b[s + 4] !== 0x2d || b[s + 7] !== 0x2d) return NaN;
  const year = digitsAt(b, s, 4);
  const month = digitsAt(b, s + 5, 2);
  const day = digitsAt(b, s + 8, 2);
  let i = s + 10;
  let hour = 0;
  let minute = 0;
  let second = 0;
  if (i < e && (b[i] === 0x54 || b[i] === SPACE)) {
    if (e - i < 6 || b[i + 3] !== 0x3a) return NaN;
    hour = digitsAt(b, i + 1, 2);
    minute = digitsAt(b, i + 4, 2);
    i += 6;
    if (i < e && b[i] === 0x3a) {
      if (e - i < 3) return NaN;
      second = digitsAt(b, i + 1, 2);
      i += 3;
      if (i < e && b[i] === 0x2e) {
        let scale = 0.1;
        i++;
        const start = i;
        while (i < e && b[i]! >= 48 && b[i]! <= 57) {
          second += (b[i]! - 48) * scale;
          scale /= 10;
          i++;
        }
        if (i === start) return NaN;
      }
    }
  }
  let offset = 0;
  if (i < e && b[i] === 0x5a) i++;
  else if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) {
    // ±HH:MM, or ±HH alone as PostgreSQL writes whole-hour offsets (`2010-12-01 08:26:00+00`).
    const hoursOnly = e - i === 3;
    if (!hoursOnly && (e - i !== 6 || b[i + 3] !== 0x3a)) return NaN;
    const oh = digitsAt(b, i + 1, 2);
    const om = hoursOnly ? 0 : digitsAt(b, i + 4, 2);
    if (oh > 23 || om > 59) return NaN;
    offset = (b[i] === 0x2b ? 1 : -1) * (oh * 3600 + om * 60);
    i += hoursOnly ? 3 : 6;
  }
  if (i !== e || !(month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second < 60)) return NaN;
  if (day > daysInMonth(year, month)) return NaN;
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
}

/** The value of `n` decimal digits at b[at..], or NaN if any byte is not a digit. */
function digitsAt(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = b[at + k]! - 48;
    if (!(d >= 0 && d <= 9)) return NaN;
    v = v * 10 + d;
  }
  return v;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : MONTH_DAYS[month - 1]!;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (the well-known era
 * arithmetic), without a Date object per line and without Date.UTC's
 * reinterpretation of years 0-99 as 1900-1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** A timestamp field: a number as written, else an ISO-like date in epoch seconds, else NaN. Blanks around it are ignored. */
export function parseTime(b: Uint8Array, s: number, e: number): number {
  const x = parseNumber(b, s, e);
  return Number.isNaN(x) ? parseDate(b, trimStart(b, s, e), trimEnd(b, s, e)) : x;
}

function latin1(b: Uint8Array, s: number, e: number): string {
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
}

/**
 * The text of a field. `quoted` is the splitter's flag: 2 means the field was
 * quoted and contains doubled quotes ("") that stand for one quote.
 */
export function fieldText(b: Buffer, s: number, e: number, quoted: number): string {
  const text = b.toString('utf8', s, e);
  return quoted === 2 ? text.replaceAll('""', '"') : text;
}

/** Ids up to this value get a slot in the dense lookup table; larger ones go through a Map. */
export const DENSE_LIMIT = 1 << 22;

/**
 * Interns ids into an {@link IdMap}, with a shortcut for canonical decimal ids
 * ("1", "138493", never "007" or "1.0", whose text differs from String(n)):
 * their index is cached by numeric value, so the common MovieLens-style file
 * costs a table lookup per field instead of a string and a hash.
 */
export class IdInterner {
  private dense = new Int32Array(1024).fill(-1);
  private readonly sparse = new Map<number, number>();

  constructor(readonly map: IdMap) {}

  /** Dense index of the id in b[s, e) (`quoted` as in {@link fieldText}), adding it if new. */
  intern(b: Buffer, s: number, e: number, quoted: number): number {
    const n = quoted === 2 ? -1 : canonicalInteger(b, s, e);
    if (n < 0) return this.map.add(fieldText(b, s, e, quoted));
    if (n < DENSE_LIMIT && n < this.dense.length) {
      const cached = this.dense[n]!;
      if (cached >= 0) return cached;
    }
    return this.numeric(n);
  }

  /**
   * Dense index of an id as a parsing thread reports it ({@link ChunkIds}):
   * a number stands for a canonical decimal id, a string for any other id.
   */
  internId(id: string | number): number {
    return typeof id === 'number' ? this.numeric(id) : this.map.add(id);
  }

  private numeric(n: number): number {
    if (n < DENSE_LIMIT) {
      if (n >= this.dense.length) this.growDense(n);
      const cached = this.dense[n]!;
      if (cached >= 0) return cached;
      const index = this.map.add(String(n));
      this.dense[n] = index;
      return index;
    }
    let index = this.sparse.get(n);
    if (index === undefined) {
      index = this.map.add(String(n));
      this.sparse.set(n, index);
    }
    return index;
  }

  private growDense(n: number): void {
    let size = this.dense.length;
    while (size <= n) size *= 2;
    const next = new Int32Array(Math.min(size, DENSE_LIMIT)).fill(-1);
    next.set(this.dense);
    this.dense = next;
  }
}

/**
 * A parsing thread's own ids, kept across the chunks it parses: indices in
 * order of first appearance on that thread, canonical decimal ids kept as
 * numbers (no string, no hashing), others as text. The reading thread maps
 * them to global indices with {@link IdInterner.internId} (see
 * interaction-collector.ts, ThreadIds).
 */
export class ChunkIds {
  /** Local index → id. */
  readonly ids: Array<string | number> = [];
  private dense = new Int32Array(1024).fill(-1);
  private readonly sparse = new Map<number, number>();
  private readonly texts = new Map<string, number>();

  intern(b: Buffer, s: number, e: number, quoted: number): number {
    const n = quoted === 2 ? -1 : canonicalInteger(b, s, e);
    if (n < 0) return this.add(this.texts, fieldText(b, s, e, quoted));
    if (n >= DENSE_LIMIT) return this.add(this.sparse, n);
    if (n >= this.dense.length) this.reserveDense(n);
    const cached = this.dense[n]!;
    if (cached >= 0) return cached;
    const index = this.ids.length;
    this.ids.push(n);
    this.dense[n] = index;
    return index;
  }

  /**
   * Canonical id → local index (-1: not met yet) for ids below
   * {@link DENSE_LIMIT}: the native chunk parser (native-chunk-parse.ts)
   * interns into it in place, then reports its new ids to {@link appendNumbers}.
   */
  get denseTable(): Int32Array {
    return this.dense;
  }

  /** Grows the dense table to hold id `n` (< DENSE_LIMIT). */
  reserveDense(n: number): void {
    let size = this.dense.length;
    while (size <= n) size *= 2;
    const next = new Int32Array(Math.min(size, DENSE_LIMIT)).fill(-1);
    next.set(this.dense);
    this.dense = next;
  }

  /** Appends canonical ids the native parser gave the next local indices, in that order. */
  appendNumbers(ids: Int32Array, count: number): void {
    for (let k = 0; k < count; k++) this.ids.push(ids[k]!);
  }

  private add<K extends string | number>(seen: Map<K, number>, id: K): number {
    let index = seen.get(id);
    if (index === undefined) {
      index = this.ids.length;
      this.ids.push(id);
      seen.set(id, index);
    }
    return index;
  }
}

/** The integer written in b[s, e) if it is 1-9 digits without a leading zero (or "0"), else -1. */
function canonicalInteger(b: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if (len < 1 || len > 9 || (b[s] === 48 && len > 1)) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
