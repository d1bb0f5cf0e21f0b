/**
 * Works out the shape of a delimited file from its first lines: the
 * delimiter, whether the first line is a header, and which column holds the
 * user, the item, the value, the time and the interaction type.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { printable } from '../text/printable.js';
import { invalid } from '../validate.js';
import { parseNumberText } from './field-parse.js';
import type { Delimiter } from './delimiter.js';

/** A column named as in the header (case-insensitive) or by 0-based position. */
export type ColumnRef = string | number;

/** Resolved 0-based column positions; null when the file has no such column. */
export interface Columns {
  user: number;
  item: number;
  value: number | null;
  time: number | null;
  type: number | null;
}

/** Checked in this order; the first one that splits every sample line the same way wins. */
const CANDIDATES: readonly Delimiter[] = ['::', '\t', ',', ';', '|', ' '];

/** Header names recognised for each role, compared lowercased without spaces, '_' or '-'. */
const KNOWN_NAMES = {
  user: [
    'user',
    'userid',
    'uid',
    'customer',
    'customerid',
    'client',
    'clientid',
    'visitor',
    'visitorid',
    'member',
    'memberid',
    'account',
    'accountid',
    'buyer',
    'buyerid',
    'reviewer',
    'reviewerid',
    'person',
    'personid',
    'session',
    'sessionid',
    'visit',
    'visitid',
    'shopper',
    'shopperid',
    'cookie',
    'cookieid',
    'device',
    'deviceid',
  ],
  item: [
    'item',
    'itemid',
    'iid',
    'movie',
    'movieid',
    'product',
    'productid',
    'sku',
    'stockcode',
    'article',
    'articleid',
    'asin',
    'book',
    'bookid',
    'isbn',
    'track',
    'trackid',
    'song',
    'songid',
    'artist',
    'artistid',
    'content',
    'contentid',
    'video',
    'videoid',
    'offer',
    'offerid',
    'productcode',
    'itemcode',
    'variant',
    'variantid',
  ],
  value: ['rating', 'value', 'score', 'count', 'quantity', 'qty', 'weight', 'stars', 'plays', 'playcount', 'clicks', 'confidence', 'preference', 'amount'],
  time: [
    'timestamp',
    'time',
    'date',
    'datetime',
    'ts',
    'eventtime',
    'createdat',
    'invoicedate',
    'unixtime',
    'epoch',
    'orderedat',
    'orderdate',
    'purchasedat',
    'purchasedate',
    'eventdate',
    'occurredat',
  ],
  /** Names of an interaction type column: they tell a header, but the type column itself is never guessed. */
  type: ['event', 'eventtype', 'type', 'action', 'interaction', 'interactiontype', 'behavior', 'behaviour'],
} as const;

type NamedRole = keyof typeof KNOWN_NAMES;

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]/g, '');
}

/**
 * Splits one line of text (used on the sample lines and the header only; data
 * lines go through the byte splitter). Quotes follow RFC 4180.
 */
export function splitText(line: string, delimiter: Delimiter): string[] {
  return splitTextOpen(line, delimiter).fields;
}

/** {@link splitText}, saying whether the line ends inside a quoted field (open: true). */
function splitTextOpen(line: string, delimiter: Delimiter): { fields: string[]; open: boolean } {
  const fields: string[] = [];
  let open = false;
  const source = delimiter === ' ' ? line.replace(/^[ \t]+|[ \t]+$/g, '') : line;
  if (delimiter === ' ' && source === '') return { fields, open };
  let i = 0;
  for (;;) {
    let field = '';
    if (source[i] === '"') {
      i++;
      for (;;) {
        const close = source.indexOf('"', i);
        if (close < 0) {
          field += source.slice(i);
          i = source.length;
          open = true;
          break;
        }
        field += source.slice(i, close);
        i = close + 1;
        if (source[i] !== '"') break;
        field += '"';
        i++;
      }
      // Text after the closing quote up to the delimiter is kept, as spreadsheets do.
      const next = nextDelimiter(source, i, delimiter);
      field += source.slice(i, next);
      i = next;
    } else {
      const next = nextDelimiter(source, i, delimiter);
      field = source.slice(i, next);
      i = next;
    }
    fields.push(field);
    if (i >= source.length) return { fields, open };
    if (delimiter === ' ') {
      while (source[i] === ' ' || source[i] === '\t') i++;
    } else i += delimiter.length;
  }
}

function nextDelimiter(s: string, from: number, delimiter: Delimiter): number {
  if (delimiter === ' ') {
    for (let i = from; i < s.length; i++) if (s[i] === ' ' || s[i] === '\t') return i;
    return s.length;
  }
  const at = s.indexOf(delimiter, from);
  return at < 0 ? s.length : at;
}

/** Most sample lines a quoted field may join into one record (beyond, its quote is taken for a stray one). */
const MAX_SAMPLE_RECORD_LINES = 20;

/**
 * The sample's records split with `delimiter`: a line that ends inside a
 * quoted field (RFC 4180 line break) is joined with the next ones until the
 * quote closes, as the reader does. A quote that does not close within
 * MAX_SAMPLE_RECORD_LINES lines stays on its own line; a record still open
 * where the sample ends (cut by it) is left out with the lines after it,
 * unless it is the first. Blank records are dropped.
 */
export function sampleRecords(lines: readonly string[], delimiter: Delimiter): string[][] {
  const records: string[][] = [];
  for (let k = 0; k < lines.length; k++) {
    let text = lines[k]!;
    let split = splitTextOpen(text, delimiter);
    let j = k + 1;
    for (; split.open && j < lines.length && j - k <= MAX_SAMPLE_RECORD_LINES; j++) {
      const joined = `${text}\n${lines[j]}`;
      const next = splitTextOpen(joined, delimiter);
      if (next.open) {
        text = joined;
        continue;
      }
      split = next;
      k = j;
    }
    // Still open where the sample ends: the record was cut by the sample, and
    // every line after it may belong to it; it tells nothing.
    if (split.open && j === lines.length && k > 0) break;
    if (text.trim() !== '' || split.fields.length > 1) records.push(split.fields);
  }
  return records.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

/**
 * The delimiter that splits every sample record into the same number (>= 2) of
 * fields, trying `::`, tab, comma, semicolon, pipe, then runs of blanks; when
 * none is consistent, the one with the most fields on the fewest-field line.
 */
export function detectDelimiter(lines: readonly string[], source: string): Delimiter {
  let best: Delimiter | undefined;
  let bestMin = 1;
  for (const d of CANDIDATES) {
    const counts = sampleRecords(lines, d).map((r) => r.length);
    if (counts.length === 0) continue;
    const min = Math.min(...counts);
    if (min >= 2 && counts.every((c) => c === min)) return d;
    if (min > bestMin) [best, bestMin] = [d, min];
  }
  if (best) return best;
  throw new MfrecError(
    ErrorCodes.PARSE,
    `${source}: cannot tell the delimiter: no line has two or more fields separated by ',', tab, ';', '|', '::' or spaces: ` +
      printable(JSON.stringify(lines.find((l) => l.trim() !== '')?.slice(0, 200) ?? '')),
  );
}

function isNumeric(text: string): boolean {
  return !Number.isNaN(parseNumberText(text));
}

function knownRole(name: string): NamedRole | undefined {
  const n = normalizeName(name);
  for (const role of Object.keys(KNOWN_NAMES) as NamedRole[]) {
    if ((KNOWN_NAMES[role] as readonly string[]).includes(n)) return role;
  }
  return undefined;
}

/** The guess about a first line, and whether the evidence was clear. */
export interface HeaderGuess {
  header: boolean;
  /** False when the evidence is thin: the reader then says which choice it made. */
  sure: boolean;
}

/**
 * A first line is a header when it has no number and at least two known
 * column names (userId, session_id, sku, rating...: one is not enough,
 * "alice,book,view" is data), or when some column is numeric on every
 * following sample line but not on the first one ("rating" above "3.5").
 * Unsure: a header with no known name, or a first line taken as data that
 * holds a known name and no number.
 */
export function guessHeader(rows: readonly string[][]): HeaderGuess {
  const [first, ...rest] = rows;
  if (!first) return { header: false, sure: true };
  const named = first.filter((f) => knownRole(f) !== undefined).length;
  const numbers = first.some(isNumeric);
  if (named >= 2 && !numbers) return { header: true, sure: true };
  const numericBelow = rest.length > 0 && first.some((f, c) => !isNumeric(f) && rest.every((r) => r[c] !== undefined && isNumeric(r[c]!)));
  if (numericBelow) return { header: true, sure: named > 0 };
  return { header: false, sure: named === 0 || numbers };
}

/** What the caller asked for; undefined = detect, null = no such column. */
export interface ColumnRequest {
  userCol?: ColumnRef;
  itemCol?: ColumnRef;
  valueCol?: ColumnRef | null;
  timeCol?: ColumnRef | null;
  typeCol?: ColumnRef | null;
}

const OPTION_OF: Record<keyof Columns, keyof ColumnRequest> = {
  user: 'userCol',
  item: 'itemCol',
  value: 'valueCol',
  time: 'timeCol',
  type: 'typeCol',
};

/**
 * Resolves every role to a column position. With a header, roles the caller
 * did not set are found by name (see KNOWN_NAMES); a header with no known
 * user, item, value or time name falls back to positions. Without a header, user,
 * item, value and time default to positions 0, 1, 2 and 3 when the first
 * data line has that many fields and the caller did not give that position
 * another role. The interaction type column is never guessed.
 */
export function resolveColumns(names: readonly string[] | null, fieldCount: number, request: ColumnRequest): Columns {
  const explicit: Partial<Record<keyof Columns, number | null>> = {};
  for (const role of Object.keys(OPTION_OF) as (keyof Columns)[]) {
    const ref = request[OPTION_OF[role]];
    if (ref === undefined) continue;
    explicit[role] = ref === null ? null : position(ref, OPTION_OF[role], names, fieldCount);
  }
  const taken = new Set(Object.values(explicit).filter((c): c is number => c !== null && c !== undefined));
  const detected: Partial<Record<keyof Columns, number>> = {};
  if (names) {
    names.forEach((name, c) => {
      const role = knownRole(name);
      if (role && detected[role] === undefined && !taken.has(c)) detected[role] = c;
    });
  }
  // A header that names any role (even in a column the caller took for
  // another) is read by name: naming some columns never unnames the others.
  const byName = names !== null && names.some((n) => ['user', 'item', 'value', 'time'].includes(knownRole(n) ?? ''));
  const pick = (role: keyof Columns, fallback: number): number | null => {
    if (role in explicit) return explicit[role]!;
    if (byName) return detected[role] ?? null;
    if (fallback < fieldCount && !taken.has(fallback)) {
      taken.add(fallback);
      return fallback;
    }
    return null;
  };
  const user = pick('user', 0);
  const item = pick('item', 1);
  const columns = {
    user,
    item,
    value: pick('value', 2),
    time: pick('time', 3),
    type: 'type' in explicit ? explicit.type! : null,
  };
  for (const role of ['user', 'item'] as const) {
    if (columns[role] === null) {
      throw new MfrecError(
        ErrorCodes.INVALID_ARGUMENT,
        `Cannot tell which column holds the ${role}s; pass ${OPTION_OF[role]}` + (names ? `. The header's columns are: ${printable(names.join(', '))}` : ''),
      );
    }
  }
  const used = new Map<number, string>();
  for (const role of Object.keys(columns) as (keyof Columns)[]) {
    const c = columns[role];
    if (c === null) continue;
    const other = used.get(c);
    if (other) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Column ${c} cannot be both the ${other} and the ${role} column`);
    }
    used.set(c, role);
  }
  return columns as Columns;
}

function position(ref: ColumnRef, option: string, names: readonly string[] | null, fieldCount: number): number {
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0) throw invalid('a column name or a 0-based column position', option, ref);
    if (ref >= fieldCount) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Column ${ref} given for ${option} does not exist: the first line has ${fieldCount} column(s)`);
    }
    return ref;
  }
  if (typeof ref !== 'string' || ref === '') throw invalid('a column name or a 0-based column position', option, ref);
  if (!names) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `Column '${ref}' given for ${option} needs a header line, but the file has none; give a 0-based position instead`,
    );
  }
  let at = names.findIndex((n) => n.toLowerCase() === ref.toLowerCase());
  if (at < 0) at = names.findIndex((n) => normalizeName(n) === normalizeName(ref));
  if (at < 0) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `Unknown column '${printable(ref)}' for ${option}. The header's columns are: ${printable(names.join(', '))}`,
    );
  }
  return at;
}
