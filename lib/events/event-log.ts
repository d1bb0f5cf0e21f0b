/**
 * A durable, append-only log of shop events in one folder (file
 * `events.log`, format in log-record.ts). `append` resolves only once its
 * batch is on disk (written, then fsync'd); concurrent appends queue behind
 * one writer and the batches waiting together share one fsync (group
 * commit). A crash (kill -9, power loss) can only tear the last,
 * unacknowledged write: `open` truncates such a torn tail and reports it in
 * `recovered`; damage anywhere else is a CORRUPT_FILE error naming the file
 * and offset, never a silent loss. One process has a folder open at a
 * time (log-lock.ts).
 */
import { mkdir, open as openFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid, knownOptions, integer } from '../validate.js';
import { lockFolder } from './log-lock.js';
import { checkHeader, decodePayload, encodeRecord, HEADER_BYTES, LOG_MAGIC, MAX_WRITE_BYTES } from './log-record.js';
import type { ShopEvent } from './shop-event.js';
import { type ShopEventInput, validateEvents } from './validate-events.js';

export const LOG_FILE_NAME = 'events.log';

/** Where an appended batch sits (read({ since: offset }) starts with it, read({ since: end }) after it), and the events as stored. */
export interface AppendResult {
  offset: number;
  end: number;
  events: ShopEvent[];
}

/** What open() cut off the end of the file: the torn last write of a crash. */
export interface Recovery {
  /** Offset the file was truncated to. */
  at: number;
  truncatedBytes: number;
  why: string;
}

/** One batch as read back: its events and where it starts and ends. */
export interface LogBatch {
  offset: number;
  end: number;
  events: ShopEvent[];
}

type RecordRead = { ok: true; events: ShopEvent[]; end: number } | { ok: false; why: string };

async function readExactly(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

/** Reads the record at `offset` of a file whose valid bytes end at `fileEnd`. */
async function readRecord(fh: FileHandle, offset: number, fileEnd: number): Promise<RecordRead> {
  if (fileEnd - offset < HEADER_BYTES) return { ok: false, why: 'incomplete record header' };
  const header = checkHeader(await readExactly(fh, HEADER_BYTES, offset));
  if (!header.ok) return header;
  const end = offset + HEADER_BYTES + header.payloadBytes;
  if (end > fileEnd) return { ok: false, why: `record of ${header.payloadBytes} bytes runs past the end of the file` };
  const decoded = decodePayload(await readExactly(fh, header.payloadBytes, offset + HEADER_BYTES), header.payloadCrc);
  return typeof decoded === 'string' ? { ok: false, why: decoded } : { ok: true, events: decoded, end };
}

async function syncDirectory(dir: string): Promise<void> {
  const d = await openFile(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

function ioError(file: string, what: string, e: unknown): MfrecError {
  return new MfrecError(ErrorCodes.IO, `${file}: cannot ${what}: ${(e as Error).message}`, { cause: e });
}

interface Pending {
  record: Buffer;
  events: ShopEvent[];
  resolve: (r: AppendResult) => void;
  reject: (e: Error) => void;
}

export class EventLog {
  private pending: Pending[] = [];
  private writing: Promise<void> | undefined;
  private closed = false;
  private syncCount = 0;
  /** Set when a failed write could not be undone: appending more could bury a half record. */
  private broken: MfrecError | undefined;

  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
    /** End of the durable (fsync'd) records: readers stop here, the next write starts here. */
    private durableEnd: number,
    /** What open() truncated, if the last run died mid-write. */
    readonly recovered: Recovery | undefined,
    private readonly unlock: () => Promise<void>,
  ) {}

  /** Opens (creating if needed) the log in folder `dir`, checking every record and truncating a torn tail. */
  static async open(dir: string): Promise<EventLog> {
    if (typeof dir !== 'string' || dir === '') throw invalid('a folder path', 'dir', dir);
    const folder = path.resolve(dir);
    const file = path.join(folder, LOG_FILE_NAME);
    try {
      await mkdir(folder, { recursive: true });
    } catch (e) {
      throw ioError(folder, 'create the event log folder', e);
    }
    const unlock = await lockFolder(folder);
    try {
      return await EventLog.openLocked(folder, file, unlock);
    } catch (e) {
      await unlock();
      throw e;
    }
  }

  private static async openLocked(folder: string, file: string, unlock: () => Promise<void>): Promise<EventLog> {
    let fh: FileHandle;
    try {
      fh = await openFile(file, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(file, 'open', e);
      try {
        fh = await openFile(file, 'wx+');
      } catch (e2) {
        throw ioError(file, 'create', e2);
      }
    }
    try {
      const size = (await fh.stat()).size;
      const head = await readExactly(fh, Math.min(size, LOG_MAGIC.length), 0);
      if (size < LOG_MAGIC.length) {
        // Empty, or its creation was cut short: start it (again).
        if (!head.equals(LOG_MAGIC.subarray(0, head.length)))
          throw new MfrecError(ErrorCodes.BAD_MAGIC, `${file}: not an mfrec event log (too short, wrong first bytes)`);
        await fh.truncate(0);
        await fh.write(LOG_MAGIC, 0, LOG_MAGIC.length, 0);
        await fh.sync();
        // The file's name must survive a crash too, not only its bytes (a new file, or one whose creation was cut short).
        await syncDirectory(folder);
        return new EventLog(file, fh, LOG_MAGIC.length, undefined, unlock);
      }
      if (!head.equals(LOG_MAGIC)) throw new MfrecError(ErrorCodes.BAD_MAGIC, `${file}: not an mfrec event log (wrong first bytes)`);
      const { end, recovery } = await EventLog.scan(fh, file, size);
      if (recovery !== undefined) {
        await fh.truncate(end);
        await fh.sync();
      }
      return new EventLog(file, fh, end, recovery, unlock);
    } catch (e) {
      await fh.close();
      throw e instanceof MfrecError ? e : ioError(file, 'read', e);
    }
  }

  /** Checks every record; a bad record within the last write's reach is a torn tail, elsewhere the log is corrupt. */
  private static async scan(fh: FileHandle, file: string, size: number): Promise<{ end: number; recovery?: Recovery }> {
    let offset = LOG_MAGIC.length;
    while (offset < size) {
      const r = await readRecord(fh, offset, size);
      if (r.ok) {
        offset = r.end;
        continue;
      }
      if (size - offset <= MAX_WRITE_BYTES) return { end: offset, recovery: { at: offset, truncatedBytes: size - offset, why: r.why } };
      throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: corrupt at offset ${offset}: ${r.why} (${size - offset} bytes follow it)`);
    }
    return { end: offset };
  }

  /** fsyncs done by appends since open: fewer than the batches when appends arrive together (group commit). */
  get syncs(): number {
    return this.syncCount;
  }

  /** Offset just past the last durable batch (what read({ since }) would resume from after reading everything). */
  get end(): number {
    return this.durableEnd;
  }

  /**
   * Appends one batch (1..10,000 events, checked: see validate-events.ts;
   * type defaults to 'view', time to now) as one record, and resolves once
   * it is on disk. Concurrent calls are written in call order.
   */
  append(events: readonly ShopEventInput[]): Promise<AppendResult> {
    let record: Buffer;
    let checked: ShopEvent[];
    try {
      if (this.closed) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${this.file}: the event log is closed`);
      if (this.broken) throw this.broken;
      checked = validateEvents(events, 'append');
      record = encodeRecord(checked);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ record, events: checked, resolve, reject });
      this.writing ??= this.writeLoop();
    });
  }

  /** Writes what is pending, group by group (one write and one fsync per group), until nothing is left. */
  private async writeLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const group: Pending[] = [];
      let bytes = 0;
      while (this.pending.length > 0 && (group.length === 0 || bytes + this.pending[0]!.record.length <= MAX_WRITE_BYTES)) {
        const p = this.pending.shift()!;
        group.push(p);
        bytes += p.record.length;
      }
      await this.writeGroup(group);
    }
    this.writing = undefined;
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    const start = this.durableEnd;
    try {
      if (this.broken) throw this.broken;
      const data = group.length === 1 ? group[0]!.record : Buffer.concat(group.map((p) => p.record));
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await this.fh.write(data, written, data.length - written, start + written);
        written += bytesWritten;
      }
      await this.fh.datasync();
      this.syncCount++;
    } catch (e) {
      const error = e instanceof MfrecError ? e : ioError(this.file, 'append', e);
      // Undo the partial write so that the next batch does not follow half a record.
      if (!this.broken) {
        try {
          await this.fh.truncate(start);
        } catch (e2) {
          this.broken = ioError(this.file, `undo a failed append (${error.message})`, e2);
        }
      }
      for (const p of group) p.reject(error);
      return;
    }
    let offset = start;
    for (const p of group) {
      const end = offset + p.record.length;
      p.resolve({ offset, end, events: p.events });
      offset = end;
    }
    this.durableEnd = offset;
  }

  /**
   * The durable batches from `since` (an offset from append() or a reader;
   * default, or 0, the first: a consumer that has read nothing yet, such as
   * a retrain loop's first run, starts at 0), up to the end at the time the iteration starts.
   * Reads one record at a time: memory stays bounded by the largest batch.
   */
  async *batches(options: { since?: number } = {}): AsyncGenerator<LogBatch> {
    const o = knownOptions('EventLog.read', options, ['since']);
    const stop = this.durableEnd;
    let offset = o.since === undefined || o.since === 0 ? LOG_MAGIC.length : integer('since', o.since, LOG_MAGIC.length, stop);
    const fh = await openFile(this.file, 'r').catch((e: unknown) => {
      throw ioError(this.file, 'open for reading', e);
    });
    try {
      const since = offset;
      while (offset < stop) {
        const r = await readRecord(fh, offset, stop);
        if (!r.ok) {
          // Every record was checked by open() or written by this log: a bad first one is a wrong `since`, not damage.
          if (offset === since && o.since !== undefined && o.since !== 0) {
            throw new MfrecError(
              ErrorCodes.INVALID_ARGUMENT,
              `${this.file}: since ${since} is not where a batch starts (${r.why}); use an offset the log gave`,
            );
          }
          throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${this.file}: corrupt at offset ${offset}: ${r.why}`);
        }
        yield { offset, end: r.end, events: r.events };
        offset = r.end;
      }
    } finally {
      await fh.close();
    }
  }

  /** The durable events from `since`, one by one; `reader.offset` is where to resume after the events taken so far. */
  read(options: { since?: number } = {}): EventReader {
    return new EventReader(this.batches(options), options.since === undefined || options.since === 0 ? LOG_MAGIC.length : options.since);
  }

  /** Waits for the appends in flight, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writing;
    await this.fh.close();
    await this.unlock();
  }
}

/**
 * The events of a log as an async iterable. `offset` moves past a batch
 * once its last event has been taken: resuming from it never skips an event
 * (a consumer that stopped mid-batch sees that batch again).
 */
export class EventReader implements AsyncIterable<ShopEvent> {
  constructor(
    private readonly source: AsyncGenerator<LogBatch>,
    private resumeAt: number,
  ) {}

  get offset(): number {
    return this.resumeAt;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ShopEvent> {
    for await (const batch of this.source) {
      const last = batch.events.length - 1;
      for (let i = 0; i <= last; i++) {
        // Before the last event is handed over: a consumer may stop right after taking it.
        if (i === last) this.resumeAt = batch.end;
        yield batch.events[i]!;
      }
    }
  }
}
