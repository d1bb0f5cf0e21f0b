/**
 * Damaged event logs, generated: whatever bytes of a small log are changed,
 * cut or added at the end, open() either refuses it with a typed error or
 * gives back the batches it held, whole and unchanged, up to some point:
 * never an altered event, never an untyped crash.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, MfrecError } from '../../lib/errors.js';
import { EventLog, LOG_FILE_NAME } from '../../lib/events/event-log.js';
import type { ShopEvent } from '../../lib/events/shop-event.js';

const RUNS = Number(process.env.MFREC_FUZZ_RUNS ?? 150);

let original: Buffer;
const batches: ShopEvent[][] = [];

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-events-damage-'));
  const log = await EventLog.open(dir);
  for (let b = 0; b < 6; b++) {
    const batch = Array.from({ length: 3 + b }, (_, i) => ({
      user: `u${b}`,
      item: i === 0 ? b * 10 + i : `item-${b}-${i}`,
      type: i % 2 ? 'cart' : 'view',
      time: b * 100 + i,
    }));
    batches.push(batch);
    await log.append(batch);
  }
  await log.close();
  original = readFileSync(path.join(dir, LOG_FILE_NAME));
});

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
);

type Damage = { kind: 'flip'; at: number; mask: number } | { kind: 'cut'; at: number } | { kind: 'append'; bytes: Uint8Array };

function damaged(bytes: Buffer, d: Damage): Buffer {
  if (bytes.length === 0) return bytes;
  if (d.kind === 'flip') {
    const b = Buffer.from(bytes);
    b[d.at % b.length] ^= d.mask;
    return b;
  }
  if (d.kind === 'cut') return bytes.subarray(0, d.at % bytes.length);
  return Buffer.concat([bytes, Buffer.from(d.bytes)]);
}

describe('EventLog on damaged files', () => {
  it('refuses with a typed error or keeps a prefix of the batches, unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), async (changes) => {
        const bytes = changes.reduce(damaged, original);
        const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-events-damage-'));
        writeFileSync(path.join(dir, LOG_FILE_NAME), bytes);
        let log: EventLog;
        try {
          log = await EventLog.open(dir);
        } catch (e) {
          expect(e).toBeInstanceOf(MfrecError);
          expect([ErrorCodes.BAD_MAGIC, ErrorCodes.CORRUPT_FILE]).toContain((e as MfrecError).code);
          return;
        }
        try {
          const got: ShopEvent[][] = [];
          for await (const b of log.batches()) got.push(b.events);
          expect(got).toEqual(batches.slice(0, got.length));
          // The log stays writable after whatever open() cut.
          await log.append([{ user: 'after', item: 'x', type: 'view', time: 1 }]);
          const again: ShopEvent[][] = [];
          for await (const b of log.batches()) again.push(b.events);
          expect(again).toEqual([...got, [{ user: 'after', item: 'x', type: 'view', time: 1 }]]);
        } finally {
          await log.close();
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
