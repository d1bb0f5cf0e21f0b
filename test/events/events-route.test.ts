import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../lib/errors.js';
import { ExplicitMF, Interactions } from '../../lib/index.js';
import { EventLog } from '../../lib/events/event-log.js';
import type { ShopEvent } from '../../lib/events/shop-event.js';
import { ModelHandle } from '../../lib/serve/model-handle.js';
import { createServer } from '../../lib/serve/server.js';
import { nextEvent, savedAls, tempDir } from '../serve/fixtures.js';

interface Service {
  app: FastifyInstance;
  log: EventLog;
  handle: ModelHandle;
  dir: string;
  file: string;
}
const services: Service[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) {
    await s.app.close();
    await s.handle.close();
    await s.log.close();
  }
});

/** The service over the checkerboard ALS model (u0..u19 like a0..a9, u20..u39 like b0..b9) with an event log. */
async function service(): Promise<Service> {
  const dir = tempDir();
  const file = await savedAls(dir);
  const handle = await ModelHandle.open(file);
  const log = await EventLog.open(path.join(dir, 'events'));
  const app = await createServer({ handle, events: log });
  const s = { app, log, handle, dir, file };
  services.push(s);
  return s;
}
async function postEvents(app: FastifyInstance, payload: unknown) {
  const r = await app.inject({ method: 'POST', url: '/events', payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
  return { status: r.statusCode, body: r.json() };
}
async function recommend(app: FastifyInstance, user: string, k = 5) {
  const r = await app.inject({ method: 'GET', url: `/recommend/${user}?k=${k}` });
  expect(r.statusCode).toBe(200);
  return r.json() as { items: { item: string; source: string }[]; recentItems?: number };
}
async function logged(log: EventLog): Promise<ShopEvent[]> {
  const out: ShopEvent[] = [];
  for await (const e of log.read()) out.push(e);
  return out;
}

describe('POST /events', () => {
  it('answers 200 { accepted, offset, end } once the batch is in the log, with type and time filled in', async () => {
    const { app, log } = await service();
    const before = Date.now();
    const r = await postEvents(app, [
      { user: 'u1', item: 'a2', type: 'purchase', time: 1_700_000_000_000 },
      { user: 7, item: 'b1' },
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 2, offset: expect.any(Number), end: log.end });
    const events = await logged(log);
    expect(events[0]).toEqual({ user: 'u1', item: 'a2', type: 'purchase', time: 1_700_000_000_000 });
    // The id schema's coercion stores 7 as "7": the same id for every model (ids are keyed by their string form).
    expect(events[1]).toMatchObject({ user: '7', item: 'b1', type: 'view' });
    expect(events[1]!.time).toBeGreaterThanOrEqual(before);
  });

  it('answers 400 naming the bad event, and logs nothing of that batch', async () => {
    const { app, log } = await service();
    const bad: [unknown, RegExp][] = [
      [
        [
          { user: 'u1', item: 'a1' },
          { user: 'u1', item: 'a1', time: 'yesterday' },
        ],
        /body\/1\/time/,
      ],
      [[{ user: 'u1' }], /body\/0 must have required property 'item'/],
      [[{ user: 'u1', item: 'a1', type: 'a b' }], /body\/0\/type/],
      [[{ user: 'u1', item: 'a1', when: 1 }], /body\/0/],
      [[], /body must NOT have fewer than 1 items/],
      [{ user: 'u1', item: 'a1' }, /body must be array/],
    ];
    for (const [payload, message] of bad) {
      const r = await postEvents(app, payload);
      expect(r.status, JSON.stringify(payload)).toBe(400);
      expect(r.body.error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
      expect(r.body.error.message).toMatch(message);
    }
    // JSON has no Infinity, but 1e400 parses to it: refused like any non-number.
    const infinite = await app.inject({
      method: 'POST',
      url: '/events',
      payload: '[{"user":"u1","item":"a1","time":1e400}]',
      headers: { 'content-type': 'application/json' },
    });
    expect(infinite.statusCode).toBe(400);
    expect(infinite.json().error.message).toMatch(/body\/0\/time must be number/);
    const tooMany = await postEvents(
      app,
      Array.from({ length: 10_001 }, () => ({ user: 'u1', item: 'a1' })),
    );
    expect(tooMany.status).toBe(400);
    expect(await logged(log)).toEqual([]);
  });

  it("a user's posted events change their GET /recommend at once (a new user: from cold start to the model), until the next model swap", async () => {
    const { app, handle, file, dir } = await service();
    const newcomer = await recommend(app, 'newcomer');
    expect(newcomer.items.every((i) => i.source === 'cold-start')).toBe(true);
    const knownBefore = await recommend(app, 'u1', 3);
    expect(knownBefore.items.every((i) => i.item.startsWith('a'))).toBe(true);

    const ok = await postEvents(app, [
      ...['b0', 'b1', 'b2'].map((item) => ({ user: 'newcomer', item, type: 'cart' })),
      ...['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((item) => ({ user: 'u1', item, type: 'purchase' })),
    ]);
    expect(ok.status).toBe(200);

    const after = await recommend(app, 'newcomer');
    expect(after.recentItems).toBe(3);
    expect(after.items.every((i) => i.source === 'model')).toBe(true);
    expect(after.items.map((i) => i.item).filter((i) => i.startsWith('b')).length).toBeGreaterThanOrEqual(4);
    expect(after.items.map((i) => i.item)).not.toContain('b0');
    const knownAfter = await recommend(app, 'u1', 3);
    expect(knownAfter.recentItems).toBe(7);
    expect(knownAfter.items.map((i) => i.item)).not.toEqual(knownBefore.items.map((i) => i.item));
    expect(knownAfter.items.some((i) => i.item.startsWith('b'))).toBe(true);

    // A new model swapped in: the window starts afresh.
    copyFileSync(await savedAls(dir, 'other.mfrec', 2), file);
    const swapped = nextEvent(handle, 'reload');
    await handle.reload();
    await swapped;
    const fresh = await recommend(app, 'newcomer');
    expect(fresh.recentItems).toBeUndefined();
    expect(fresh.items.every((i) => i.source === 'cold-start')).toBe(true);
  });

  it('counts accepted events by type in GET /metrics (unknown types as other)', async () => {
    const { app } = await service();
    await postEvents(app, [
      { user: 'u1', item: 'a1', type: 'purchase' },
      { user: 'u1', item: 'a2', type: 'purchase' },
      { user: 'u2', item: 'a1' },
      { user: 'u2', item: 'a3', type: 'wishlist' },
    ]);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/mfrec_events_accepted_total\{type="purchase"\} 2/);
    expect(text).toMatch(/mfrec_events_accepted_total\{type="view"\} 1/);
    expect(text).toMatch(/mfrec_events_accepted_total\{type="other"\} 1/);
  });

  it('a rating model, which has no fold-in from events, answers GET /recommend from its training alone', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'explicit.mfrec');
    const ratings = Interactions.fromArrays(['u1', 'u1', 'u2', 'u2'], ['a', 'b', 'a', 'c'], { values: [5, 3, 4, 2] });
    const model = await new ExplicitMF({ factors: 2, iterations: 2, seed: 1 }).fit(ratings);
    await model.save(file);
    const handle = await ModelHandle.open(file);
    const log = await EventLog.open(path.join(dir, 'events'));
    const app = await createServer({ handle, events: log });
    services.push({ app, log, handle, dir, file });
    const before = await recommend(app, 'u1', 2);
    expect((await postEvents(app, [{ user: 'u1', item: 'c', type: 'purchase' }])).status).toBe(200);
    const after = await recommend(app, 'u1', 2);
    expect(after).toEqual(before);
    expect(after.recentItems).toBeUndefined();
  });

  it('is not served without an event log', async () => {
    const dir = tempDir();
    const handle = await ModelHandle.open(await savedAls(dir));
    const app = await createServer({ handle });
    try {
      const r = await postEvents(app, [{ user: 'u1', item: 'a1' }]);
      expect(r.status).toBe(404);
    } finally {
      await app.close();
      await handle.close();
    }
  });
});
