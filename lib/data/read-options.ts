/**
 * Options of the delimited-text readers (readInteractions, parseInteractions,
 * readRows): their documentation, their checks, and the checked settings the
 * readers work from.
 */
import { availableParallelism } from 'node:os';
import { ErrorCodes, MfrecError } from '../errors.js';
import { integer, invalid, knownOptions, number, oneOf } from '../validate.js';
import type { ColumnRef, Columns } from './detect-format.js';
import { IdMap } from './id-map.js';
import { AGGREGATES, type Aggregate } from './interactions.js';
import { DELIMITERS, type Delimiter } from './delimiter.js';
import { MAX_RECORD_BYTES } from './line-source.js';

export interface ReadOptions {
  /** Field delimiter; `' '` means runs of spaces and tabs. Default `'auto'`: detected from the first lines. */
  delimiter?: 'auto' | Delimiter;
  /**
   * Whether the first line names the columns. Default `'auto'`: it does when
   * it holds no number and two or more known column names (userId, session_id,
   * sku, rating, event_type...), or when a column that is numeric on the
   * following lines is not numeric on it. When the evidence is thin the
   * result's `notes` say which choice was made.
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
   * ISO-like date `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM|±HH]` (read as UTC,
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
  /**
   * How repeated (user, item) pairs combine (see {@link Interactions.fromIndices}).
   * Default `'auto'`: counts add up (`'sum'`) when there is no value column,
   * when the value column has a count-like name (count, quantity, qty, plays,
   * clicks...) or when there is a type column; any other values are taken
   * for ratings, which must stay on their scale: the latest one (`'last'`)
   * when there is a time column, else their `'mean'`. The result says which
   * rule was used and, in `notes`, how many lines it combined.
   */
  aggregate?: 'auto' | Aggregate;
  /** A bad line fails the read (`'error'`, default) or is skipped and counted (`'skip'`). */
  onBadLine?: 'error' | 'skip';
  /**
   * Id maps to extend in place (for instance a training set's, to read a test
   * file against it): known ids keep their index, new ids are appended.
   */
  users?: IdMap;
  items?: IdMap;
  /**
   * Parsing threads, the calling one included. Default 0: one per hardware
   * thread. With more than one, the input is cut at line ends into chunks of
   * `chunkBytes` that `threads - 1` worker threads parse (the calling thread
   * too when they are busy) while the calling thread reads (and gunzips) the
   * input and merges their results in file order: the result is identical to
   * a single-threaded read (same ids in the same order, same errors and line
   * numbers). 1 parses on the calling thread. Inputs shorter than 16 chunks
   * (128 MiB at the default chunk size) are always parsed on the calling
   * thread: on two cores a second thread only pays off on larger files.
   */
  threads?: number;
  /**
   * Bytes per chunk handed to a parsing thread, from 1 KiB to 16 MiB. Default
   * 8 MiB. Memory in flight is about 2 × threads chunks plus their parsed columns.
   */
  chunkBytes?: number;
  /**
   * Called as a file is read, with the bytes read so far and the file's size
   * on disk (for a gzipped file, its compressed bytes): for a progress bar.
   * Not called by parseInteractions (the input is already in memory).
   */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface BadLine {
  /** 1-based line number in the (uncompressed) input. */
  line: number;
  /** The line's beginning, at most ~200 characters. */
  text: string;
  reason: string;
}

/**
 * Something the reader decided or did that the caller should know about:
 * an unclear header guess, values changed by combining repeated pairs,
 * negative values... (the CLI prints them on stderr).
 */
export interface ReadNote {
  kind: 'header' | 'duplicates' | 'negative-values' | 'values';
  message: string;
}

/** What was detected or given about the input's layout. */
export interface ReadFormat {
  delimiter: Delimiter;
  header: boolean;
  /** The header's column names, or null without a header. */
  names: string[] | null;
  columns: Columns;
}

export const DEFAULT_TYPE_WEIGHTS: Readonly<Record<string, number>> = { view: 1, cart: 3, purchase: 5 };
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
const MIN_CHUNK_BYTES = 1024;

export const READ_OPTIONS = [
  'delimiter',
  'header',
  'userCol',
  'itemCol',
  'valueCol',
  'timeCol',
  'typeCol',
  'typeWeights',
  'aggregate',
  'onBadLine',
  'users',
  'items',
  'threads',
  'chunkBytes',
  'onProgress',
] as const;

/** Checked options with every default filled in. */
export interface Settings {
  delimiter: 'auto' | Delimiter;
  header: 'auto' | boolean;
  request: Pick<ReadOptions, 'userCol' | 'itemCol' | 'valueCol' | 'timeCol' | 'typeCol'>;
  typeWeights: Map<string, number> | undefined;
  aggregate: 'auto' | Aggregate;
  skipBad: boolean;
  users: IdMap;
  items: IdMap;
  /** Resolved: 1 or more. */
  threads: number;
  chunkBytes: number;
  onProgress: ReadOptions['onProgress'];
}

/** Checks `options` against {@link ReadOptions} plus the caller's own names in `known`. */
export function checkReadOptions(where: string, options: unknown, known: readonly string[]): Settings {
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
  const threads = o.threads === undefined ? 0 : integer('threads', o.threads, 0, 1024);
  const chunkBytes = o.chunkBytes === undefined ? DEFAULT_CHUNK_BYTES : integer('chunkBytes', o.chunkBytes, MIN_CHUNK_BYTES, MAX_RECORD_BYTES);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw invalid('a function', 'onProgress', o.onProgress);
  return {
    delimiter,
    header: o.header ?? 'auto',
    request: { userCol: o.userCol, itemCol: o.itemCol, valueCol: o.valueCol, timeCol: o.timeCol, typeCol: o.typeCol },
    typeWeights,
    aggregate: o.aggregate === undefined ? 'auto' : oneOf('aggregate', o.aggregate, ['auto', ...AGGREGATES]),
    skipBad: (o.onBadLine === undefined ? 'error' : oneOf('onBadLine', o.onBadLine, ['error', 'skip'] as const)) === 'skip',
    users: o.users ?? new IdMap(),
    items: o.items ?? new IdMap(),
    threads: threads === 0 ? availableParallelism() : threads,
    chunkBytes,
    onProgress: o.onProgress,
  };
}
