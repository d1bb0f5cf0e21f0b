import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShopEvent } from '../../lib/events/shop-event.js';
import { ModelHandle } from '../../lib/serve/model-handle.js';
import { recentEventsGate } from '../../lib/serve/recent-events-gate.js';
import { RetrainLoop, type RetrainDecision } from '../../lib/serve/retrain-loop.js';
import { createServer } from '../../lib/serve/server.js';
import { Rng } from '../../lib/random.js';
import { checkerboard } from '../helpers/implicit-data.js';
import { savedAls, tempDir } from './fixtures.js';

const handles: ModelHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

const T0 = Date.UTC(2026, 11, 1);
const MIN = 60_000;

/** Purchases, one a minute from T0 on, in the given order. */
function purchases(pairs: [string, string][], start = 0): ShopEvent[] {
  return pairs.map(([user, item], k) => ({ user, item, type: 'purchase', time: T0 + (start + k) * MIN }));
}

/** For each checkerboard user, up to `n` items of their group they have not bought: what they would buy next. */
function nextPurchases(n: number): [string, string][] {
  const data = checkerboard(1);
  const pairs: [string, string][] = [];
  for (let u = 0; u < 40; u++) {
    const user = `u${u}`;
    const seen = new Set<string>();
    const r = data.byUser;
    const row = data.users.index(user)!;
    for (let e = r.indptr[row]!; e < r.indptr[row + 1]!; e++) seen.add(String(data.items.id(r.indices[e]!)));
    const group = u < 20 ? 'a' : 'b';
    let taken = 0;
    for (let i = 0; i < 10 && taken < n; i++) if (!seen.has(`${group}${i}`)) pairs.push([user, `${group}${i}`]), taken++;
  }
  return pairs;
}

async function recommendSources(handle: ModelHandle, user: string): Promise<{ sources: string[]; items: string[] }> {
  const app = await createServer({ handle });
  try {
    const r = await app.inject({ method: 'GET', url: `/recommend/${user}?k=5` });
    const body = r.json() as { items: { item: string; source: string }[] };
    return { sources: body.items.map((i) => i.source), items: body.items.map((i) => i.item) };
  } finally {
    await app.close();
  }
}

describe('RetrainLoop', () => {
  it('folds a new user and a new item in with a partial run, passes the gate, swaps, and the user then gets model recommendations', async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const handle = await ModelHandle.open(file);
    handles.push(handle);
    expect((await recommendSources(handle, 'newbie')).sources.every((s) => s === 'cold-start')).toBe(true);

    // Ten "a" shoppers buy a new product; a new shopper buys four "a" products, then (most recent, held out) two more.
    const events = [
      ...purchases(Array.from({ length: 10 }, (_, u): [string, string] => [`u${u}`, 'a-new'])),
      ...purchases(
        [
          ['newbie', 'a0'],
          ['newbie', 'a1'],
          ['newbie', 'a2'],
          ['newbie', 'a3'],
        ],
        10,
      ),
      ...purchases(
        [
          ['newbie', 'a4'],
          ['newbie', 'a5'],
        ],
        20,
      ),
    ];
    const decisions: RetrainDecision[] = [];
    const loop = new RetrainLoop({ handle, events: async () => events, gate: recentEventsGate({ holdoutEvents: 2 }), log: (d) => decisions.push(d) });
    const decision = await loop.runOnce('partial');

    expect(decision).toMatchObject({ kind: 'partial', outcome: 'accepted', trained: 14, heldOut: 2 });
    // The new model finds the new shopper's next purchases; the running one could only offer popular items.
    const [, candidate, running] = /precision@10 (\d\.\d+) >= running model's (\d\.\d+)/.exec(decision.reason)!;
    expect(Number(candidate)).toBeGreaterThan(Number(running));
    expect(decisions).toEqual([decision]);
    expect(loop.decisions).toEqual([decision]);
    expect(handle.info.version).toBe(2);
    expect(handle.model.hasUser('newbie')).toBe(true);
    expect(handle.model.hasItem('a-new')).toBe(true);
    const after = await recommendSources(handle, 'newbie');
    expect(after.sources.every((s) => s === 'model')).toBe(true);
    // What the model learnt: the new shopper is an "a" shopper.
    expect(after.items.filter((i) => i.startsWith('a')).length).toBeGreaterThanOrEqual(4);
    expect(existsSync(`${file}.next`)).toBe(false);

    // The held-out events are the next run's news; nothing newer means a run that trains on them alone.
    const again = await loop.runOnce('partial');
    expect(again.trained + again.heldOut).toBe(2);

    // A restarted loop on the same file starts where the model's events end, not from the beginning.
    const asked: number[] = [];
    const restarted = new RetrainLoop({ handle, events: ({ since }) => (asked.push(since), events.filter((e) => e.time >= since)) });
    await restarted.runOnce('partial');
    // (From the first held-out event of the last accepted run: a5 if the second run was accepted, else a4.)
    expect(asked).toEqual([T0 + (again.outcome === 'accepted' ? 21 : 20) * MIN]);
    expect(existsSync(`${file}.events-from`)).toBe(true);
  });

  it('refuses a worse model (trained on shuffled events): the old model keeps serving and the decision is recorded', async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const handle = await ModelHandle.open(file);
    handles.push(handle);
    const before = handle.info;

    // Real purchases, their users and items shuffled: no pattern left to learn.
    const real = nextPurchases(4);
    const rng = new Rng(7);
    const items = real.map(([, i]) => i);
    for (let k = items.length - 1; k > 0; k--) {
      const j = Math.floor(rng.uniform() * (k + 1));
      [items[k], items[j]] = [items[j]!, items[k]!];
    }
    const shuffled = purchases(real.map(([u], k): [string, string] => [u, items[k]!]));
    // The most recent events, held out: each shopper's real next purchase.
    const recent = purchases(nextPurchases(1), shuffled.length);
    const loop = new RetrainLoop({ handle, events: async () => [...shuffled, ...recent], gate: recentEventsGate({ holdoutEvents: recent.length }) });

    const app = await createServer({ handle, retrainLoop: loop });
    try {
      const decision = await loop.runOnce('full');
      expect(decision).toMatchObject({ kind: 'full', outcome: 'refused', heldOut: recent.length, trained: shuffled.length });
      expect(decision.reason).toMatch(/precision@10 \d\.\d+ < running model's \d\.\d+/);
      expect(loop.decisions.at(-1)).toBe(decision);
      expect(handle.info).toEqual(before);
      expect(handle.model.hasUser('u0')).toBe(true);
      expect(existsSync(`${file}.next`)).toBe(false);
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/mfrec_retrain_refused_total\{kind="full"\} 1/);
      expect(metrics).toMatch(/mfrec_retrain_last_decision_timestamp_seconds \d+/);
      expect(metrics).not.toMatch(/mfrec_retrain_accepted_total\{/);
    } finally {
      await app.close();
    }
  });
});

describe('RetrainLoop and the handle', () => {
  it("puts the previous file back when the handle's own gate refuses the new model, so a restart serves the same model", async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const before = readFileSync(file);
    const handle = await ModelHandle.open(file, { gate: () => ({ accept: false, reason: 'frozen' }) });
    handles.push(handle);
    const events = [
      ...purchases([
        ['newbie', 'a0'],
        ['newbie', 'a1'],
        ['newbie', 'a2'],
      ]),
      ...purchases([['newbie', 'a3']], 10),
    ];
    const loop = new RetrainLoop({ handle, events: () => events, gate: recentEventsGate({ holdoutEvents: 1 }) });
    const decision = await loop.runOnce('partial');
    expect(decision).toMatchObject({ outcome: 'refused' });
    expect(decision.reason).toMatch(/frozen/);
    expect(handle.info.version).toBe(1);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['m.mfrec']);
  });
});

describe('RetrainLoop runs and options', () => {
  it('runs on its timer, and records a source that fails as a failed run', async () => {
    const dir = tempDir();
    const handle = await ModelHandle.open(await savedAls(dir, 'm.mfrec', 1));
    handles.push(handle);
    let calls = 0;
    const loop = new RetrainLoop({
      handle,
      partialEvery: 1000,
      events: async () => {
        calls++;
        if (calls === 1) return [];
        throw new Error('log unreadable');
      },
    });
    const decisions: RetrainDecision[] = [];
    loop.on('decision', (d: RetrainDecision) => decisions.push(d));
    loop.start();
    try {
      await new Promise<void>((resolve) => loop.on('decision', () => decisions.length === 2 && resolve()));
    } finally {
      loop.stop();
    }
    expect(decisions[0]).toMatchObject({ kind: 'partial', outcome: 'skipped', trained: 0 });
    expect(decisions[1]).toMatchObject({ kind: 'partial', outcome: 'failed', reason: 'cannot read the events: log unreadable' });
    expect(handle.info.version).toBe(1);
  });

  it('refuses bad options with typed errors naming them', async () => {
    const dir = tempDir();
    const handle = await ModelHandle.open(await savedAls(dir, 'm.mfrec', 1));
    handles.push(handle);
    const events = () => [];
    const bad = (options: object, name: string, code = 'ERR_MFREC_INVALID_ARGUMENT') =>
      expect(() => new RetrainLoop({ handle, events, ...options })).toThrow(expect.objectContaining({ code, message: expect.stringContaining(name) }));
    bad({ handle: {} }, 'handle');
    bad({ events: [] }, 'events');
    bad({ partialEvery: -1 }, 'partialEvery');
    bad({ fullEvery: 2 ** 31 }, 'fullEvery');
    bad({ halfLifeDays: -3 }, 'halfLifeDays');
    bad({ niceness: 20 }, 'niceness');
    bad({ partialEvry: 5 }, 'partialEvery', 'ERR_MFREC_UNKNOWN_OPTION');
    writeFileSync(`${handle.file}.events-from`, '{"eventsFrom":"yesterday"}');
    expect(() => new RetrainLoop({ handle, events })).toThrow(
      expect.objectContaining({ code: 'ERR_MFREC_CORRUPT_FILE', message: expect.stringContaining('m.mfrec.events-from') }),
    );
    expect(() => recentEventsGate({ margin: 2 })).toThrow(expect.objectContaining({ message: expect.stringContaining('margin') }));
    expect(() => recentEventsGate({ holdoutEvents: 0 })).toThrow(expect.objectContaining({ message: expect.stringContaining('holdoutEvents') }));
  });
});
