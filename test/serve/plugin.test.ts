import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type ImplicitALS } from '../../lib/index.js';
import { mfrecFastify } from '../../lib/serve/plugin.js';
import { createServer } from '../../lib/serve/server.js';
import { ServiceRules } from '../../lib/serve/service-rules.js';
import { ModelHandle } from '../../lib/serve/model-handle.js';
import { nextEvent, tempDir, trainedAls } from './fixtures.js';

let app: FastifyInstance;
let handle: ModelHandle;
let model: ImplicitALS;
let file: string;

beforeAll(async () => {
  model = await trainedAls(3);
  file = path.join(tempDir(), 'm.mfrec');
  await model.save(file);
  handle = await ModelHandle.open(file);
  app = await createServer({ handle });
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

async function get(url: string) {
  const r = await app.inject({ method: 'GET', url });
  return {
    status: r.statusCode,
    body: r.headers['content-type']?.toString().startsWith('application/json') ? r.json() : r.body,
    type: r.headers['content-type'],
  };
}
async function post(url: string, payload: unknown) {
  const r = await app.inject({ method: 'POST', url, payload: payload as string, headers: { 'content-type': 'application/json' } });
  return { status: r.statusCode, body: r.json() };
}
const plain = (list: { item: unknown; score: number; source: string }[]) => list.map(({ item, score, source }) => ({ item, score, source }));

describe('GET /explain/:user/:item', () => {
  it("answers the model's explanation: the user's items that contribute most, summing with the rest to the score", async () => {
    const [top] = model.recommend('u3', { k: 1 });
    const r = await get(`/explain/u3/${String(top!.item)}?n=2`);
    expect(r.status).toBe(200);
    const alone = model.explain('u3', top!.item, { n: 2 });
    expect(r.body).toMatchObject({ user: 'u3', item: top!.item, historySize: alone.historySize, contributions: alone.contributions });
    expect(r.body.contributions).toHaveLength(2);
    const sum = r.body.base + r.body.rest + r.body.contributions.reduce((a: number, c: { contribution: number }) => a + c.contribution, 0);
    expect(sum).toBeCloseTo(r.body.score, 4);
    expect(r.body.model.version).toBe(handle.info.version);
  });

  it.each([
    ['/explain/u3/nothing', 404, ErrorCodes.UNKNOWN_ID],
    ['/explain/nobody/a0', 404, ErrorCodes.UNKNOWN_ID],
    ['/explain/u3/a0?n=0', 400, ErrorCodes.INVALID_ARGUMENT],
    ['/explain/u3/a0?m=2', 400, ErrorCodes.INVALID_ARGUMENT],
  ])('%s answers %i %s', async (url, status, code) => {
    const r = await get(url);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
  });
});

describe('GET /recommend/:user', () => {
  it("answers the model's recommendations with their source and the model's identity", async () => {
    const r = await get('/recommend/u3?k=5');
    expect(r.status).toBe(200);
    expect(r.body.user).toBe('u3');
    expect(r.body.items).toEqual(plain(model.recommend('u3', { k: 5 })));
    expect(r.body.items.every((i: { source: string }) => i.source === 'model')).toBe(true);
    expect(r.body.model).toEqual({ version: 1, checksum: handle.info.checksum, type: 'als', loadedAt: handle.info.loadedAt });
    expect((await get('/recommend/u3')).body.items).toHaveLength(10);
  });

  it('concurrent requests, ranked together by one batch call, get what each would get alone (scores to float rounding)', async () => {
    const users = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'nobody'];
    const answers = await Promise.all(users.map((u) => get(`/recommend/${u}?k=4`)));
    answers.forEach((r, i) => {
      expect(r.status).toBe(200);
      const alone = plain(model.recommend(users[i]!, { k: 4 }));
      expect(r.body.items.map((x: { item: unknown; source: string }) => [x.item, x.source])).toEqual(alone.map((x) => [x.item, x.source]));
      r.body.items.forEach((x: { score: number }, j: number) => expect(x.score).toBeCloseTo(alone[j]!.score, 5));
    });
  });

  it('microBatch must be a boolean', async () => {
    const bad = Fastify();
    await expect(bad.register(mfrecFastify, { handle, microBatch: 'yes' as unknown as boolean })).rejects.toThrow(/microBatch/);
    await bad.close();
  });

  it('an unknown user gets the popular items marked cold-start, never an error', async () => {
    const r = await get('/recommend/nobody?k=4');
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(4);
    expect(r.body.items.every((i: { source: string }) => i.source === 'cold-start')).toBe(true);
  });

  it.each([
    ['k=0', /k must be >= 1/],
    ['k=abc', /k must be integer/],
    ['k=5000', /k must be <= 1000/],
    ['kk=5', /must be equal to one of the allowed values/],
  ])('a bad query (%s) is a 400 naming the field', async (query, message) => {
    const r = await get(`/recommend/u3?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(r.body.error.message).toMatch(message);
  });
});

describe('POST /recommend', () => {
  it('an anonymous cart is folded in alone; its items are not recommended back', async () => {
    const r = await post('/recommend', { items: ['a0', 'a1'], k: 5 });
    expect(r.status).toBe(200);
    const expected = model.recommend('', { k: 5, recalculate: true, interactions: { items: ['a0', 'a1'], values: [1, 1] } });
    expect(r.body.items).toEqual(plain(expected));
    expect(r.body.items.map((i: { item: string }) => i.item)).not.toContain('a0');
    expect(r.body.user).toBeUndefined();
  });

  it("a known user's cart is added to their trained history: neither is recommended back", async () => {
    const history = model.trainedHistory('u25');
    expect(history.items.length).toBeGreaterThan(0);
    const r = await post('/recommend', { user: 'u25', items: ['a3', history.items[0]], k: 20 });
    expect(r.status).toBe(200);
    const values = history.values.slice();
    values[0]! += 1;
    const expected = model.recommend('u25', { k: 20, recalculate: true, interactions: { items: [...history.items, 'a3'], values: [...values, 1] } });
    expect(r.body.items).toEqual(plain(expected));
    const listed = r.body.items.map((i: { item: string }) => i.item);
    for (const item of [...history.items, 'a3']) expect(listed).not.toContain(item);
    // Not the cart alone: the history counts.
    const cartOnly = model.recommend('u25', { k: 20, recalculate: true, interactions: { items: ['a3', history.items[0]!] } });
    expect(r.body.items).not.toEqual(plain(cartOnly));
  });

  it('a user without a cart gets their recommendations; a cart of unknown items is a cold start', async () => {
    expect((await post('/recommend', { user: 'u3', k: 3 })).body.items).toEqual(plain(model.recommend('u3', { k: 3 })));
    expect((await post('/recommend', { user: 'u3', items: [], k: 3 })).body.items).toEqual(plain(model.recommend('u3', { k: 3 })));
    const r = await post('/recommend', { items: ['zz1', 'zz2'], k: 3 });
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { source: string }) => i.source)).toEqual(['cold-start', 'cold-start', 'cold-start']);
  });

  it('bad bodies are 400s: empty, misspelt field, wrong type, not JSON', async () => {
    for (const body of [{}, { user: 'u1', itemz: ['a1'] }, { items: 'a1,a2', k: 'many' }, { user: { id: 1 } }]) {
      const r = await post('/recommend', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    }
    const r = await post('/recommend', '{"user": ');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(ErrorCodes.PARSE);
  });
});

describe('POST /recommend/batch', () => {
  it("answers each user's list as a single call would, in order", async () => {
    const users = ['u1', 'u30', 'nobody'];
    const r = await post('/recommend/batch', { users, k: 4 });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { user: string }) => x.user)).toEqual(users);
    users.forEach((u, i) => expect(r.body.results[i].items).toEqual(plain(model.recommend(u, { k: 4 }))));
    expect(r.body.model.version).toBe(1);
  });

  it('an empty or too long list of users is a 400', async () => {
    expect((await post('/recommend/batch', { users: [] })).status).toBe(400);
    const many = await post('/recommend/batch', { users: Array.from({ length: 1001 }, (_, i) => `u${i}`) });
    expect(many.status).toBe(400);
    expect(many.body.error.message).toMatch(/users must NOT have more than 1000 items/);
  });
});

describe('GET /similar/:item and /items/:item', () => {
  it('similar items as similarItems gives them; an unknown item is a 404 UNKNOWN_ID', async () => {
    const r = await get('/similar/a0?k=3');
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual(plain(model.similarItems('a0', { k: 3 })));
    const missing = await get('/similar/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe(ErrorCodes.UNKNOWN_ID);
    expect(missing.body.error.message).toContain('nothing');
  });

  it('item metadata: a model without any is a 404 NO_METADATA; an unknown item a 404 UNKNOWN_ID', async () => {
    const r = await get('/items/a0');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('ERR_MFREC_NO_METADATA');
    expect((await get('/items/zzz')).body.error.code).toBe(ErrorCodes.UNKNOWN_ID);
  });

  it('an unknown route is a JSON 404', async () => {
    const r = await get('/recommendations/u1');
    expect(r.status).toBe(404);
    expect(r.body.error).toEqual({ code: 'ERR_MFREC_NOT_FOUND', message: 'No route GET /recommendations/u1' });
  });
});

describe('GET /health', () => {
  it('200 with the model once loaded', async () => {
    const r = await get('/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', model: { version: 1, type: 'als' }, refusals: 0 });
  });

  it('503 while the model is loading, 200 once it is; 503 with the reason when it cannot be loaded', async () => {
    let resolveHandle!: (h: ModelHandle) => void;
    const pending = new Promise<ModelHandle>((r) => (resolveHandle = r));
    const waiting = await createServer({ handle: pending });
    try {
      const before = await waiting.inject({ url: '/health' });
      expect(before.statusCode).toBe(503);
      expect(before.json().error.code).toBe(ErrorCodes.NOT_FITTED);
      expect((await waiting.inject({ url: '/recommend/u1' })).statusCode).toBe(503);
      resolveHandle(handle);
      await pending;
      expect((await waiting.inject({ url: '/health' })).statusCode).toBe(200);
      expect((await waiting.inject({ url: '/recommend/u1' })).statusCode).toBe(200);
    } finally {
      await waiting.close();
    }
    const opening = ModelHandle.open(path.join(tempDir(), 'missing.mfrec'));
    const failed = await createServer({ handle: opening });
    try {
      // The plugin's own handler was attached first, so it has run once this one does.
      await opening.catch(() => undefined);
      const r = await failed.inject({ url: '/health' });
      expect(r.statusCode).toBe(503);
      expect(r.json().error.message).toMatch(/No model could be loaded: Cannot read model file .*missing\.mfrec: no such file/);
    } finally {
      await failed.close();
    }
  });
});

/** Prometheus text: `name{labels} value` lines, parsed strictly (a malformed line fails the test). */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|\+Inf)$/.exec(line);
    expect(m, line).not.toBeNull();
    out.set(m![1]!, Number(m![2]));
  }
  return out;
}

describe('GET /metrics', () => {
  it('Prometheus text with request counts and latencies by route, the model version, reloads, refusals and event-loop delay', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'm.mfrec');
    await (await trainedAls(1)).save(f);
    const h = await ModelHandle.open(f);
    const server = await createServer({ handle: h });
    try {
      for (let i = 0; i < 3; i++) await server.inject({ url: `/recommend/u${i}` });
      await server.inject({ url: '/recommend/u1?k=0' });
      await server.inject({ url: '/similar/a1' });
      await (await trainedAls(2)).save(f);
      await h.reload();
      writeFileSync(f, readFileSync(f).subarray(0, 100));
      await h.reload().catch(() => undefined);
      const r = await server.inject({ url: '/metrics' });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      const m = parseMetrics(r.body);
      expect(m.get('mfrec_http_requests_total{route="/recommend/:user",method="GET",status="200"}')).toBe(3);
      expect(m.get('mfrec_http_requests_total{route="/recommend/:user",method="GET",status="400"}')).toBe(1);
      expect(m.get('mfrec_http_requests_total{route="/similar/:item",method="GET",status="200"}')).toBe(1);
      expect(m.get('mfrec_http_request_duration_seconds_count{route="/recommend/:user",method="GET"}')).toBe(4);
      expect(m.get('mfrec_http_request_duration_seconds_bucket{le="+Inf",route="/recommend/:user",method="GET"}')).toBe(4);
      expect(m.get('mfrec_model_version')).toBe(2);
      expect(m.get('mfrec_model_reloads_total')).toBe(1);
      expect(m.get('mfrec_model_refusals_total')).toBe(1);
      expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
      expect(m.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
    } finally {
      await server.close();
      await h.close();
    }
  });
});

describe('hot reload under load (real HTTP)', () => {
  it('models saved over the file while requests run: no request fails, later answers come from the new model; a corrupt file is refused while the old one serves', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'm.mfrec');
    await (await trainedAls(1)).save(f);
    const h = await ModelHandle.open(f, { watch: true, debounceMs: 10 });
    const server = await createServer({ handle: h });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    try {
      const statuses: number[] = [];
      const versions = new Set<number>();
      let stop = false;
      const client = async () => {
        // Bounded: at most 2,000 requests per client, and it stops once the reloads are done.
        for (let n = 0; n < 2000 && !stop; n++) {
          const res =
            n % 2 === 0
              ? await fetch(`${base}/recommend/u${n % 40}?k=5`)
              : await fetch(`${base}/recommend`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({ items: ['a1', 'b2'], k: 5 }),
                });
          statuses.push(res.status);
          versions.add(((await res.json()) as { model: { version: number } }).model.version);
        }
      };
      const clients = [client(), client(), client(), client()];
      for (let seed = 2; seed <= 4; seed++) {
        const reloaded = nextEvent(h, 'reload');
        await (await trainedAls(seed)).save(f);
        await reloaded;
        await new Promise((r) => setTimeout(r, 30));
      }
      const refused = nextEvent(h, 'refused');
      writeFileSync(f, 'not a model');
      await refused;
      await new Promise((r) => setTimeout(r, 30));
      stop = true;
      await Promise.all(clients);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(h.info.version).toBe(4);
      expect(versions.has(4)).toBe(true);
      const health = (await (await fetch(`${base}/health`)).json()) as { model: { version: number }; lastRefusal: { code: string } };
      expect(health.model.version).toBe(4);
      expect(health.lastRefusal.code).toBe(ErrorCodes.BAD_MAGIC);
    } finally {
      await server.close();
      await h.close();
    }
  });
});

describe('registering the plugin in an application', () => {
  it("serves its routes under a prefix, leaves the application's other routes and error handling alone, refuses a bad prefix", async () => {
    const own = Fastify();
    own.setErrorHandler((_e, _request, reply) => reply.code(418).send('application handler'));
    own.get('/boom', async () => {
      throw new Error('app error');
    });
    await own.register(mfrecFastify, { handle, prefix: '/api/v1' });
    try {
      expect((await own.inject({ url: '/api/v1/health' })).statusCode).toBe(200);
      expect((await own.inject({ url: '/api/v1/recommend/u3?k=2' })).json().items).toHaveLength(2);
      expect((await own.inject({ url: '/api/v1/similar/nothing' })).json().error.code).toBe(ErrorCodes.UNKNOWN_ID);
      expect((await own.inject({ url: '/health' })).statusCode).toBe(404);
      const boom = await own.inject({ url: '/boom' });
      expect([boom.statusCode, boom.body]).toEqual([418, 'application handler']);
    } finally {
      await own.close();
    }
    for (const prefix of ['api', '/api/', 5]) {
      const bad = Fastify();
      const e = await bad.register(mfrecFastify, { handle, prefix } as never).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect((e as { code?: string })?.code, String(prefix)).toBe(ErrorCodes.INVALID_ARGUMENT);
      await bad.close().catch(() => undefined);
    }
  });
});

describe('business rules', () => {
  it('a rules spec applies to recommend, cart, batch and similar; ServiceRules.set changes them while serving', async () => {
    const rules = new ServiceRules({ allowed: ['a1', 'a2', 'a3', 'b1'] });
    const ruled = await createServer({ handle, rules });
    try {
      const allowed = new Set(['a1', 'a2', 'a3', 'b1']);
      const only = (items: { item: string }[]) => items.length > 0 && items.every((i) => allowed.has(i.item));
      const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) =>
        (
          await ruled.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as string, headers: { 'content-type': 'application/json' } }) })
        ).json();
      expect(only((await call('GET', '/recommend/u3?k=10')).items)).toBe(true);
      expect((await call('GET', '/recommend/u3?k=10')).items).toEqual(
        plain(model.recommend('u3', { k: 10, rules: model.compileRules({ allowed: [...allowed] }) })),
      );
      expect(only((await call('POST', '/recommend', { items: ['b2'], k: 10 })).items)).toBe(true);
      expect(only((await call('POST', '/recommend/batch', { users: ['u1', 'u2'], k: 10 })).results[1].items)).toBe(true);
      expect(only((await call('GET', '/similar/a0?k=10')).items)).toBe(true);
      rules.set({ exclude: ['a1'] });
      const after = (await call('GET', '/recommend/u3?k=20')).items.map((i: { item: string }) => i.item);
      expect(after).not.toContain('a1');
      expect(after.some((i: string) => !allowed.has(i))).toBe(true);
    } finally {
      await ruled.close();
    }
  });
});

describe('a model saved with an approximate index', () => {
  it('answers recommend, cart and similar through the index (docs/approximate.md)', async () => {
    const indexed = await trainedAls(5);
    await indexed.buildIndex({ M: 8, efConstruction: 40, ef: 4, similar: true, seed: 1, threads: 1 });
    const dir = tempDir();
    const indexedFile = path.join(dir, 'indexed.mfrec');
    await indexed.save(indexedFile);
    const h = await ModelHandle.open(indexedFile);
    const served = await createServer({ handle: h });
    try {
      const json = async (method: 'GET' | 'POST', url: string, payload?: unknown) =>
        (
          await served.inject({
            method,
            url,
            ...(payload === undefined ? {} : { payload: payload as string, headers: { 'content-type': 'application/json' } }),
          })
        ).json();
      expect((await json('GET', '/recommend/u3?k=5')).items).toEqual(plain(indexed.recommend('u3', { k: 5, approximate: true })));
      expect((await json('POST', '/recommend', { user: 'u3', items: ['b1'], k: 5 })).items).toEqual(
        plain(indexed.recommend('u3', { k: 5, cart: ['b1'], approximate: true })),
      );
      expect((await json('GET', '/similar/a1?k=5')).items).toEqual(plain(indexed.similarItems('a1', { k: 5, approximate: true })));
    } finally {
      await served.close();
      await h.close();
    }
  });
});
