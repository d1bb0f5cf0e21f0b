import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, MfrecError } from '../../lib/errors.js';
import { EventLog, LOG_FILE_NAME } from '../../lib/events/event-log.js';
import { LOCK_FILE_NAME } from '../../lib/events/log-lock.js';
import { hostTag } from '../../lib/persist/temp-files.js';
import { HEADER_BYTES, LOG_MAGIC, MAX_WRITE_BYTES } from '../../lib/events/log-record.js';
import type { ShopEvent } from '../../lib/events/shop-event.js';
import type { ShopEventInput } from '../../lib/events/validate-events.js';

const logs: EventLog[] = [];
afterEach(async () => {
  await Promise.all(logs.splice(0).map((l) => l.close()));
});
function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'mfrec-events-'));
}
async function open(dir: string): Promise<EventLog> {
  const log = await EventLog.open(dir);
  logs.push(log);
  return log;
}
async function all(log: EventLog, since?: number): Promise<ShopEvent[]> {
  const out: ShopEvent[] = [];
  for await (const e of log.read(since === undefined ? {} : { since })) out.push(e);
  return out;
}
function batch(from: number, n: number, type = 'view'): ShopEvent[] {
  return Array.from({ length: n }, (_, i) => ({ user: `u${(from + i) % 7}`, item: `i${from + i}`, type, time: 1_700_000_000_000 + from + i }));
}
async function thrown(p: Promise<unknown>): Promise<MfrecError> {
  try {
    await p;
  } catch (e) {
    return e as MfrecError;
  }
  throw new Error('expected a rejection');
}

describe('EventLog', () => {
  it('round-trips batches across close and reopen, with offsets to resume from', async () => {
    const dir = tempDir();
    const log = await open(dir);
    const a = await log.append(batch(0, 3));
    const b = await log.append([{ user: 42, item: 'x', type: 'purchase', time: 5 }]);
    expect(a.offset).toBe(LOG_MAGIC.length);
    expect(b.offset).toBe(a.end);
    expect(log.end).toBe(b.end);
    await log.close();
    const again = await open(dir);
    expect(again.recovered).toBeUndefined();
    expect(await all(again)).toEqual([...batch(0, 3), { user: 42, item: 'x', type: 'purchase', time: 5 }]);
    expect(await all(again, b.offset)).toEqual([{ user: 42, item: 'x', type: 'purchase', time: 5 }]);
    expect(await all(again, b.end)).toEqual([]);
  });

  it('fills in a missing type (view) and time (now), and names the index and field of a bad event', async () => {
    const log = await open(tempDir());
    const before = Date.now();
    await log.append([{ user: 'u', item: 'i' }]);
    const [e] = await all(log);
    expect(e!.type).toBe('view');
    expect(e!.time).toBeGreaterThanOrEqual(before);
    const cases: [unknown[], RegExp][] = [
      [
        [
          { user: 'u', item: 'i' },
          { user: 'u', item: 'i', time: Infinity },
        ],
        /event 1: time must be a finite number/,
      ],
      [[{ user: '', item: 'i' }], /event 0: user must be/],
      [[{ user: 'u', item: null }], /event 0: item must be/],
      [[{ user: 'u', item: 'i', type: 'has space' }], /event 0: type must be/],
      [[{ user: 'u', item: 'i', tyme: 3 }], /event 0: unknown field "tyme"/],
      [[], /1\.\.10000 events, got 0/],
    ];
    for (const [events, message] of cases) {
      const err = await thrown(log.append(events as ShopEventInput[]));
      expect(err.code).toBe(ErrorCodes.INVALID_ARGUMENT);
      expect(err.message).toMatch(message);
    }
    expect(await all(log)).toHaveLength(1);
  });

  it('truncates a torn tail on open and reports it; the next append follows the last whole batch', async () => {
    const dir = tempDir();
    const log = await open(dir);
    const a = await log.append(batch(0, 5));
    const b = await log.append(batch(5, 5));
    await log.close();
    const file = path.join(dir, LOG_FILE_NAME);
    // The second batch cut mid-payload, as a crash during its write leaves it.
    truncateSync(file, b.end - 7);
    const reopened = await open(dir);
    expect(reopened.recovered).toMatchObject({ at: a.end, truncatedBytes: b.end - 7 - a.end });
    expect(reopened.recovered!.why).toMatch(/past the end of the file/);
    expect(statSync(file).size).toBe(a.end);
    expect(await all(reopened)).toEqual(batch(0, 5));
    await reopened.append(batch(100, 2));
    expect(await all(reopened)).toEqual([...batch(0, 5), ...batch(100, 2)]);
  });

  it('truncates a tail whose last record is whole but damaged, or only part of a header', async () => {
    const dir = tempDir();
    const log = await open(dir);
    const a = await log.append(batch(0, 2));
    const b = await log.append(batch(2, 2));
    await log.close();
    const file = path.join(dir, LOG_FILE_NAME);
    const bytes = readFileSync(file);
    bytes[b.end - 2] ^= 0xff;
    writeFileSync(file, bytes);
    const first = await open(dir);
    expect(first.recovered).toMatchObject({ at: a.end, why: 'record checksum mismatch' });
    await first.close();
    appendFileSync(file, Buffer.from([1, 2, 3]));
    const second = await open(dir);
    expect(second.recovered).toMatchObject({ at: a.end, truncatedBytes: 3, why: 'incomplete record header' });
    expect(await all(second)).toEqual(batch(0, 2));
  });

  it('refuses a log damaged in the middle with CORRUPT_FILE naming the file and offset, and changes nothing', async () => {
    const dir = tempDir();
    const log = await open(dir);
    const first = await log.append(batch(0, 10));
    // More than one write's worth of later records: this damage cannot be a torn last write.
    const big = Array.from({ length: 10_000 }, (_, i) => ({ user: `user-${i}`, item: `item-${'x'.repeat(40)}-${i}`, type: 'view', time: i }));
    while (log.end - first.end <= MAX_WRITE_BYTES) await log.append(big);
    await log.close();
    const file = path.join(dir, LOG_FILE_NAME);
    const bytes = readFileSync(file);
    bytes[first.offset + HEADER_BYTES + 3] ^= 0x01;
    writeFileSync(file, bytes);
    const err = await thrown(EventLog.open(dir));
    expect(err).toBeInstanceOf(MfrecError);
    expect(err.code).toBe(ErrorCodes.CORRUPT_FILE);
    expect(err.message).toContain(file);
    expect(err.message).toContain(`offset ${first.offset}`);
    expect(statSync(file).size).toBe(bytes.length);
  });

  it('starts again a log whose creation was cut short (fewer bytes than its magic)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, LOG_FILE_NAME), LOG_MAGIC.subarray(0, 3));
    const log = await open(dir);
    expect(log.end).toBe(LOG_MAGIC.length);
    await log.append(batch(0, 1));
    expect(await all(log)).toEqual(batch(0, 1));
  });

  it('refuses a file that is not an event log (BAD_MAGIC)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, LOG_FILE_NAME), 'user,item\nu1,i1\n');
    expect((await thrown(EventLog.open(dir))).code).toBe(ErrorCodes.BAD_MAGIC);
  });

  it('writes concurrent appends in call order, every batch whole and in place after reopen, queued batches sharing one fsync', async () => {
    const dir = tempDir();
    const log = await open(dir);
    const calls = Array.from({ length: 50 }, (_, c) => log.append(batch(c * 10, 10, c % 2 ? 'cart' : 'view')));
    const results = await Promise.all(calls);
    for (let c = 1; c < results.length; c++) expect(results[c]!.offset).toBe(results[c - 1]!.end);
    // The first batch is written alone; the 49 that queued meanwhile share the next fsync.
    expect(log.syncs).toBe(2);
    await log.close();
    const again = await open(dir);
    const expected = Array.from({ length: 50 }, (_, c) => batch(c * 10, 10, c % 2 ? 'cart' : 'view')).flat();
    expect(await all(again)).toEqual(expected);
    for (let c = 0; c < results.length; c++) {
      const got: ShopEvent[] = [];
      for await (const b of again.batches({ since: results[c]!.offset })) {
        got.push(...b.events);
        break;
      }
      expect(got).toEqual(batch(c * 10, 10, c % 2 ? 'cart' : 'view'));
    }
  });

  it('reader.offset resumes after the events taken, never skipping one', async () => {
    const log = await open(tempDir());
    await log.append(batch(0, 3));
    const second = await log.append(batch(3, 3));
    const reader = log.read();
    let taken = 0;
    for await (const _ of reader) if (++taken === 3) break;
    expect(reader.offset).toBe(second.offset);
    expect(await all(log, reader.offset)).toEqual(batch(3, 3));
  });

  it('since 0 is the start of the log, as a consumer that has read nothing asks for it (offsets 1 to 7 are inside the magic)', async () => {
    const log = await open(tempDir());
    await log.append(batch(0, 2));
    expect(await all(log, 0)).toEqual(batch(0, 2));
    const reader = log.read({ since: 0 });
    expect(reader.offset).toBe(LOG_MAGIC.length);
    for (const inside of [1, LOG_MAGIC.length - 1]) await expect(all(log, inside)).rejects.toThrow(/since/);
  });

  it('rejects appends after close, and a since outside the log or inside a batch', async () => {
    const log = await EventLog.open(tempDir());
    await log.append(batch(0, 1));
    await expect(all(log, log.end + 1)).rejects.toThrow(/since/);
    const midBatch = await thrown(all(log, LOG_MAGIC.length + 3));
    expect(midBatch.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(midBatch.message).toMatch(/since 11 is not where a batch starts/);
    await log.close();
    expect((await thrown(log.append(batch(0, 1)))).message).toMatch(/closed/);
  });

  it('lets one process have a folder open at a time: a second open is BUSY until the first closes', async () => {
    const dir = tempDir();
    const first = await EventLog.open(dir);
    const err = await thrown(EventLog.open(dir));
    expect(err.code).toBe(ErrorCodes.BUSY);
    expect(err.message).toMatch(/is open in this process already/);
    await first.close();
    expect(existsSync(path.join(dir, LOCK_FILE_NAME))).toBe(false);
    const second = await open(dir);
    await second.append(batch(0, 1));
  });

  it('takes over the lock of a dead process of this host, and refuses one from another host naming the lock file', async () => {
    const dir = tempDir();
    const lock = path.join(dir, LOCK_FILE_NAME);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(lock, `${hostTag()} ${deadPid}\n`);
    const log = await EventLog.open(dir);
    expect(readFileSync(lock, 'utf8')).toBe(`${hostTag()} ${process.pid}\n`);
    await log.close();
    const otherTag = hostTag() === '00000000' ? '11111111' : '00000000';
    writeFileSync(lock, `${otherTag} ${process.pid}\n`);
    const err = await thrown(EventLog.open(dir));
    expect(err.code).toBe(ErrorCodes.BUSY);
    expect(err.message).toContain('another host or container');
    expect(err.message).toContain(lock);
  });
});
