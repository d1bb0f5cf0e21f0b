/**
 * Reads interactions from delimited text (CSV, TSV, `::`, blank-separated...),
 * plain or gzipped, streaming: memory grows with the number of interactions
 * (a few typed arrays), never with the size of the file. Large inputs are
 * parsed by several threads (see chunked-read.ts) with the same result.
 */
import { invalid } from '../validate.js';
import { fromBytes, ioError, openFile, type ByteSource } from './byte-source.js';
import { MIN_CHUNKS_FOR_THREADS, parseChunked } from './chunked-read.js';
import { IdInterner } from './field-parse.js';
import { InteractionCollector } from './interaction-collector.js';
import { Interactions, type Aggregate } from './interactions.js';
import { checkReadOptions, READ_OPTIONS, type BadLine, type ReadFormat, type ReadNote, type ReadOptions, type Settings } from './read-options.js';
import { resolveAggregate } from './aggregate-rule.js';
import { detectFormat, headThenRest, noValidLines, readHead, rulesOf } from './record-reader.js';

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
export async function parseInteractions(
  input: string | Uint8Array,
  options?: ReadOptions & { source?: string },
): Promise<ReadResult> {
  const settings = checkReadOptions('parseInteractions', options, [...READ_OPTIONS, 'source']);
  const source = options?.source ?? '<input>';
  if (typeof source !== 'string') throw invalid('a string', 'source', source);
  let bytes: Uint8Array;
  if (typeof input === 'string') bytes = Buffer.from(input, 'utf8');
  else if (input instanceof Uint8Array) bytes = input;
  else throw invalid('a string or a Uint8Array', 'input', input);
  return readSource(fromBytes(source, bytes), source, settings);
}

/**
 * Reads interactions from any source of bytes with readInteractions' parser
 * and rules (the database readers feed it a COPY stream). `where` names the
 * calling function in option errors.
 */
export async function readByteSource(where: string, open: () => Promise<ByteSource>, source: string, options?: ReadOptions): Promise<ReadResult> {
  const settings = checkReadOptions(where, options, READ_OPTIONS);
  return readSource(await open(), source, settings);
}

async function readSource(bytes: ByteSource, source: string, settings: Settings): Promise<ReadResult> {
  const chunks = bytes[Symbol.asyncIterator]();
  try {
    const head = await readHead(chunks);
    const { format, notes } = detectFormat(source, settings, head);
    const rules = rulesOf(format, settings);
    const collector = new InteractionCollector(source, rules, new IdInterner(settings.users), new IdInterner(settings.items));
    const short = bytes.size !== undefined && bytes.size < MIN_CHUNKS_FOR_THREADS * settings.chunkBytes;
    if (settings.threads > 1 && !short) {
      // After a head that is not all of it, a plain input is read straight into the chunks.
      const input = head.done ? { head: head.chunks, readAt: undefined, rest: undefined } : { head: head.chunks, readAt: bytes.readAt, rest: chunks };
      await parseChunked(input, collector, rules, { threads: settings.threads, chunkBytes: settings.chunkBytes, sizeHint: bytes.size });
    } else {
      const input = headThenRest(head, chunks);
      const splitter = collector.splitter();
      let seen = 0;
      for await (const chunk of input) {
        splitter.push(chunk);
        // Once the first chunk shows how many bytes a line takes, size the columns for the whole input.
        if (seen === 0 && bytes.size !== undefined && chunk.length > 0) {
          collector.data.reserve(Math.min(Math.ceil((collector.data.n * bytes.size * 1.02) / chunk.length) + 1024, 0x7fffffff));
        }
        seen += chunk.length;
      }
      splitter.end();
    }
    return result(collector, format, notes, settings);
  } catch (e) {
    throw ioError(source, e);
  } finally {
    await chunks.return?.();
    bytes.close();
  }
}

function result(collector: InteractionCollector, format: ReadFormat, notes: ReadNote[], settings: Settings): ReadResult {
  const d = collector.data;
  if (d.n === 0) throw noValidLines(collector.source, collector);
  const rule = resolveAggregate(settings.aggregate, format);
  const interactions = Interactions.fromIndices(
    settings.users,
    settings.items,
    d.u.subarray(0, d.n),
    d.i.subarray(0, d.n),
    d.v.subarray(0, d.n),
    d.t?.subarray(0, d.n),
    rule.aggregate,
  );
  const combined = d.n - interactions.nnz;
  if (combined > 0) {
    notes.push({
      kind: 'duplicates',
      message: `${collector.source}: ${combined} line(s) repeat an earlier (user, item) pair; combined by '${rule.aggregate}' (${rule.why})`,
    });
  }
  return {
    interactions,
    lines: collector.lines,
    skipped: collector.skipped,
    badLines: collector.badLines,
    format,
    aggregate: rule.aggregate,
    notes,
  };
}
