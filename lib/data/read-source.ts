/**
 * The body of readInteractions: interactions from any source of bytes (a
 * file, bytes in memory, a database's COPY stream), parsed on one thread or
 * several. Kept apart from read-delimited.ts so that the public declarations
 * never mention Node's stream types.
 */
import { ioError, type ByteSource } from './byte-source.js';
import { MIN_CHUNKS_FOR_THREADS, parseChunked } from './chunked-read.js';
import { IdInterner } from './field-parse.js';
import { InteractionCollector } from './interaction-collector.js';
import { Interactions } from './interactions.js';
import { checkReadOptions, READ_OPTIONS, type ReadFormat, type ReadNote, type ReadOptions, type Settings } from './read-options.js';
import type { ReadResult } from './read-delimited.js';
import { resolveAggregate } from './aggregate-rule.js';
import { detectFormat, headThenRest, noValidLines, readHead, rulesOf } from './record-reader.js';

/**
 * Reads interactions from the bytes `open` gives, with readInteractions'
 * options (checked first, `where` naming the caller) and errors; `source`
 * names the input in messages.
 */
export async function readByteSource(where: string, open: () => Promise<ByteSource>, source: string, options?: ReadOptions): Promise<ReadResult> {
  const settings = checkReadOptions(where, options, READ_OPTIONS);
  return readSource(await open(), source, settings);
}

export async function readSource(bytes: ByteSource, source: string, settings: Settings): Promise<ReadResult> {
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
