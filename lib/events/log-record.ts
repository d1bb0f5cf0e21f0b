/**
 * The event log's on-disk format. A log file starts with an 8-byte magic;
 * then one record per appended batch:
 *
 *   offset  size  field
 *   0       4     u32 LE   payload length in bytes (1..MAX_PAYLOAD_BYTES)
 *   4       4     u32 LE   CRC-32 of the payload
 *   8       4     u32 LE   CRC-32 of bytes 0..7 (the header's own check)
 *   12      n     payload: the batch as UTF-8 JSON [[user, item, type, time], ...]
 *
 * The header has its own check so that, on open, a length that can be
 * trusted (header check passes) tells a torn last write (record runs past
 * the end of the file) from a damaged record in the middle.
 */
import { crc32 } from 'node:zlib';
import type { ShopEvent } from './shop-event.js';

export const LOG_MAGIC = Buffer.from('MFEVLOG1', 'latin1');
export const HEADER_BYTES = 12;
/** Large enough for 10,000 events with 256-character ids; a larger length is damage. */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;
/**
 * Most bytes one write puts in the file (a group commit stops adding records
 * before this; a lone record may reach HEADER_BYTES + MAX_PAYLOAD_BYTES).
 * Only the last write can be torn by a crash, so on open only damage within
 * this many bytes of the end is taken for a torn tail.
 */
export const MAX_WRITE_BYTES = HEADER_BYTES + MAX_PAYLOAD_BYTES;

export function encodeRecord(events: readonly ShopEvent[]): Buffer {
  const payload = Buffer.from(JSON.stringify(events.map((e) => [e.user, e.item, e.type, e.time])), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload) >>> 0, 4);
  header.writeUInt32LE(crc32(header.subarray(0, 8)) >>> 0, 8);
  return Buffer.concat([header, payload]);
}

export type HeaderCheck = { ok: true; payloadBytes: number; payloadCrc: number } | { ok: false; why: string };

export function checkHeader(header: Buffer): HeaderCheck {
  if (crc32(header.subarray(0, 8)) >>> 0 !== header.readUInt32LE(8)) return { ok: false, why: 'record header checksum mismatch' };
  const payloadBytes = header.readUInt32LE(0);
  if (payloadBytes === 0 || payloadBytes > MAX_PAYLOAD_BYTES) return { ok: false, why: `record length ${payloadBytes} out of range` };
  return { ok: true, payloadBytes, payloadCrc: header.readUInt32LE(4) };
}

/** The batch in a payload whose checksum matched, or a reason it cannot be decoded. */
export function decodePayload(payload: Buffer, expectedCrc: number): ShopEvent[] | string {
  if (crc32(payload) >>> 0 !== expectedCrc) return 'record checksum mismatch';
  let rows: unknown;
  try {
    rows = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'record is not valid JSON';
  }
  if (!Array.isArray(rows)) return 'record is not a batch';
  const events: ShopEvent[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== 4) return 'record holds a malformed event';
    const [user, item, type, time] = row as unknown[];
    if ((typeof user !== 'string' && typeof user !== 'number') || (typeof item !== 'string' && typeof item !== 'number')) return 'record holds a malformed id';
    if (typeof type !== 'string' || typeof time !== 'number') return 'record holds a malformed event';
    events.push({ user, item, type, time });
  }
  return events;
}
