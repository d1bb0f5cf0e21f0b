/**
 * The second pass of `mfrec split`: reads the file again with the parser and
 * the format of the first pass and copies every accepted line, exactly as
 * written, to the train or the test file, by the side its (user, item) pair
 * fell on in the split. The header line, when there is one, goes to both, so
 * each output reads back with the same flags as the input. All lines of a
 * pair go to the same side: no pair is in both files.
 */
import type { Split } from '../data/split.js';
import { ioError, openFile } from '../data/byte-source.js';
import { fieldText } from '../data/field-parse.js';
import { checkReadOptions, READ_OPTIONS, type ReadFormat, type ReadOptions } from '../data/read-options.js';
import { RecordReader, rulesOf, type RecordRules } from '../data/record-reader.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { AtomicFile } from './atomic-file.js';

const NEWLINE = Buffer.from('\n');

export interface CopiedLines {
  train: number;
  test: number;
}

/** Copies the lines of `file` to `outputs.train` and `outputs.test`; returns how many went to each. */
export async function copyLinesBySide(
  file: string,
  options: ReadOptions,
  format: ReadFormat,
  split: Split,
  outputs: { train: AtomicFile; test: AtomicFile },
): Promise<CopiedLines> {
  const settings = checkReadOptions('split', options, READ_OPTIONS);
  const bytes = await openFile(file, settings.onProgress);
  const chunks = bytes[Symbol.asyncIterator]();
  try {
    const sorter = new LineSorter(file, rulesOf(format, settings), split);
    const splitter = sorter.splitter();
    const flush = async () => {
      // The header is known once its line has been read, before any data line.
      if (sorter.header && !sorter.headerWritten) {
        await outputs.train.write(sorter.header);
        await outputs.test.write(sorter.header);
        sorter.headerWritten = true;
      }
      const [train, test] = sorter.take();
      if (train.length) await outputs.train.write(train);
      if (test.length) await outputs.test.write(test);
    };
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      splitter.push(next.value);
      await flush();
    }
    splitter.end();
    await flush();
    return { train: sorter.counts[0], test: sorter.counts[1] };
  } catch (e) {
    throw ioError(file, e);
  } finally {
    await chunks.return?.();
    bytes.close();
  }
}

/** Sorts accepted lines into train (0) and test (1), remembering each record's bytes as the parser hands it over. */
class LineSorter extends RecordReader {
  header: Buffer | undefined;
  headerWritten = false;
  readonly counts: [number, number] = [0, 0];
  private readonly pending: [Buffer[], Buffer[]] = [[], []];
  private buf: Buffer = NEWLINE;
  private start = 0;
  private end = 0;

  constructor(
    source: string,
    rules: RecordRules,
    private readonly split: Split,
  ) {
    super(source, rules);
  }

  override record(buf: Buffer, start: number, end: number, line: number, count: number): void {
    if (this.skipHeader) this.header = Buffer.concat([buf.subarray(start, end), NEWLINE]);
    this.buf = buf;
    this.start = start;
    this.end = end;
    super.record(buf, start, end, line, count);
  }

  protected accept(buf: Buffer, line: number, us: number, ue: number, uq: number, is: number, ie: number, iq: number): void {
    const { users, items } = this.split.test;
    const u = users.index(fieldText(buf, us, ue, uq));
    const i = items.index(fieldText(buf, is, ie, iq));
    if (u === undefined || i === undefined) {
      throw new MfrecError(ErrorCodes.IO, `${this.source}:${line}: the file changed while it was being split`);
    }
    const side = this.isTest(u, i) ? 1 : 0;
    // The record's bytes are copied before the next chunk is read (see flush).
    this.pending[side].push(this.buf.subarray(this.start, this.end), NEWLINE);
    this.counts[side]++;
  }

  /** The lines sorted since the last call, as one buffer per side. */
  take(): [Buffer, Buffer] {
    const out: [Buffer, Buffer] = [Buffer.concat(this.pending[0]), Buffer.concat(this.pending[1])];
    this.pending[0].length = 0;
    this.pending[1].length = 0;
    return out;
  }

  /** Binary search of item i in user u's row of the test set (rows hold sorted item indices). */
  private isTest(u: number, i: number): boolean {
    const m = this.split.test.byUser;
    if (u >= m.rows) return false;
    let lo = m.indptr[u]!;
    const end = m.indptr[u + 1]!;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (m.indices[mid]! < i) lo = mid + 1;
      else hi = mid;
    }
    return lo < end && m.indices[lo] === i;
  }
}
