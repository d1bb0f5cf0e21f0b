/**
 * Reads interactions from delimited text (CSV, TSV, `::`, blank-separated...),
 * plain or gzipped, streaming: memory grows with the number of interactions
 * (a few typed arrays), never with the size of the file. Large inputs are
 * parsed by several threads (see chunked-read.ts) with the same result.
 */
import { invalid } from '../validate.js';
import { fromBytes, openFile } from './byte-source.js';
import type { Aggregate, Interactions } from './interactions.js';
import { checkReadOptions, READ_OPTIONS, type BadLine, type ReadFormat, type ReadNote, type ReadOptions } from './read-options.js';
import { readSource } from './read-source.js';

export type { Delimiter } from './delimiter.js';
export type { ColumnRef, Columns } from './detect-format.js';
export type { BadLine, ReadFormat, ReadNote, ReadOptions } from './read-options.js';

export interface ReadResult {
  interactions: Interactions;
  /** Data lines read: non-empty lines other than the header, bad ones included. */
  lines: number;
  /** Bad lines skipped under `onBadLine: 'skip'`. */
  skipped: number;
  /** The first 10 bad lines. */
  badLines: BadLine[];
  /** What was detected or given. */
  format: ReadFormat;
  /** The rule that combined repeated (user, item) pairs (see ReadOptions.aggregate). */
  aggregate: Aggregate;
  /** What the caller should know: an unclear header guess, lines combined by `aggregate`... */
  notes: ReadNote[];
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
  const settings = checkReadOptions('readInteractions', options, READ_OPTIONS);
  if (typeof path !== 'string' || path === '') throw invalid('a file path', 'path', path);
  return readSource(await openFile(path, settings.onProgress), path, settings);
}

/**
 * Parses interactions from text or bytes in memory with the same parser as
 * {@link readInteractions} (gzipped bytes are recognised too). `source` names
 * the input in error messages (default `'<input>'`).
 */
export async function parseInteractions(input: string | Uint8Array, options?: ReadOptions & { source?: string }): Promise<ReadResult> {
  const settings = checkReadOptions('parseInteractions', options, [...READ_OPTIONS, 'source']);
  const source = options?.source ?? '<input>';
  if (typeof source !== 'string') throw invalid('a string', 'source', source);
  let bytes: Uint8Array;
  if (typeof input === 'string') bytes = Buffer.from(input, 'utf8');
  else if (input instanceof Uint8Array) bytes = input;
  else throw invalid('a string or a Uint8Array', 'input', input);
  return readSource(fromBytes(source, bytes), source, settings);
}
