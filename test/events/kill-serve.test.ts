/**
 * The "must show": `mfrec serve --events DIR` killed with SIGKILL in
 * the middle of a stream of POST /events loses no acknowledged event, and
 * the log it leaves opens and reads whole.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../lib/errors.js';
import { EventLog, LOG_FILE_NAME } from '../../lib/events/event-log.js';
import type { ShopEvent } from '../../lib/events/shop-event.js';
import { cliIn } from '../helpers/cli.js';
import { startServe, waitReady } from '../helpers/serve-process.js';
import { savedAls, tempDir } from '../serve/fixtures.js';

const CLIENTS = 4;
const PER_BATCH = 200;

/** Batch `seq` of client `c`: its events are named so that each one can be found in the log. */
function batchOf(c: number, seq: number): ShopEvent[] {
  return Array.from({ length: PER_BATCH }, (_, i) => ({ user: `c${c}`, item: `b${seq}-e${i}`, type: i % 3 ? 'view' : 'cart', time: seq * 1000 + i }));
}

describe('mfrec serve --events', () => {
  it('SIGKILL mid-stream loses no acknowledged event; the restarted service reopens the log and keeps appending', async () => {
    const dir = tempDir();
    const model = await savedAls(dir);
    const events = path.join(dir, 'events');
    const first = startServe(model, '--port', '0', '--events', events);
    const acked: { c: number; seq: number; offset: number }[] = [];
    let killed = false;
    try {
      const url = await first.url;
      await waitReady(url);
      // Clients post one batch after another until the service dies under them; the kill comes after 60 acknowledgements.
      const client = async (c: number) => {
        for (let seq = 0; ; seq++) {
          let r: Response;
          try {
            r = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batchOf(c, seq)) });
          } catch {
            return; // the connection died with the service: this batch was never acknowledged
          }
          expect(r.status).toBe(200);
          const body = (await r.json()) as { accepted: number; offset: number };
          expect(body.accepted).toBe(PER_BATCH);
          acked.push({ c, seq, offset: body.offset });
          if (acked.length === 60 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
      expect(await first.exit).toBeNull();
    } finally {
      first.child.kill('SIGKILL');
    }
    expect(killed).toBe(true);
    expect(acked.length).toBeGreaterThanOrEqual(60);

    // Restart on the same folder: it opens the log (cutting a torn tail if the kill left one) and takes events again.
    const second = startServe(model, '--port', '0', '--events', events);
    try {
      const url = await second.url;
      await waitReady(url);
      const r = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batchOf(9, 0)) });
      expect(r.status).toBe(200);
      second.child.kill('SIGTERM');
      expect(await second.exit).toBe(0);
    } finally {
      second.child.kill('SIGKILL');
    }

    const log = await EventLog.open(events);
    try {
      expect(log.recovered).toBeUndefined();
      const batches = new Map<number, ShopEvent[]>();
      for await (const b of log.batches()) batches.set(b.offset, b.events);
      // Every acknowledged batch is whole at the offset it was acknowledged with.
      for (const a of acked) expect(batches.get(a.offset), `client ${a.c} batch ${a.seq}`).toEqual(batchOf(a.c, a.seq));
      // Each client's batches are in the log in the order it sent them, and the restart's batch is last.
      const all = [...batches.values()];
      for (let c = 0; c < CLIENTS; c++) {
        const seqs = all.filter((b) => b[0]!.user === `c${c}`).map((b) => Number(String(b[0]!.item).split('-')[0]!.slice(1)));
        expect(seqs).toEqual(seqs.map((_, i) => i));
      }
      expect(all.at(-1)).toEqual(batchOf(9, 0));
    } finally {
      await log.close();
    }
  });

  it('a damaged log stops mfrec serve with a one-line typed error naming the flag and file', async () => {
    const dir = tempDir();
    const events = path.join(dir, 'events');
    mkdirSync(events);
    writeFileSync(path.join(events, LOG_FILE_NAME), 'not a log at all\n');
    const r = await cliIn(dir)('serve', await savedAls(dir), '--port', '0', '--events', events);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^mfrec: --events ${events}: .*events\\.log: not an mfrec event log .*\\[${ErrorCodes.BAD_MAGIC}\\]\\n$`));
  });
});
