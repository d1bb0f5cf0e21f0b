/**
 * Bad input everywhere it enters mfrec, beyond what the per-model tests and
 * the conformance suite already pin (see docs/reliability.md for the table of
 * entry points × fault classes and where each cell is tested).
 *
 * Two layers: a sweep that hands every public function garbage in every
 * argument position and every option (the only acceptable outcomes are a
 * result or an MfrecError: never a TypeError, RangeError or crash), and
 * pinned cases for the gaps, each with its exact code.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip, crc32, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BPR,
  BPR_DEFAULTS,
  ExplicitMF,
  EXPLICIT_MF_DEFAULTS,
  IdMap,
  ImplicitALS,
  IMPLICIT_ALS_DEFAULTS,
  Interactions,
  MfrecError,
  Popularity,
  compareRanking,
  crossValidate,
  evaluateRanking,
  kFold,
  loadModel,
  mae,
  parseInteractions,
  perUserSplit,
  popularityScorer,
  randomSplit,
  readInteractions,
  readOnlineRetail,
  rmse,
  timeSplit,
} from '../../lib/index.js';
import { decodeFactorModel } from '../../lib/persist/factor-state.js';
import { decodeModelFile, encodeModelFile } from '../../lib/persist/model-file.js';
import { RECOMMEND_OPTION_NAMES } from '../../lib/models/base/recommend-options.js';
import { errorCode } from '../helpers/support.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-bad-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Values of the wrong kind, for any argument or option. */
const GARBAGE: unknown[] = [
  undefined,
  null,
  NaN,
  Infinity,
  -Infinity,
  -1,
  0,
  1.5,
  2 ** 53,
  -(2 ** 31),
  '',
  'x',
  true,
  {},
  [],
  [NaN],
  [null],
  Symbol('s'),
  10n,
  () => 1,
  new Float64Array(3),
  new Int32Array(3),
  new Uint8Array(2),
  new Map(),
  Object.create(null),
];

const describeValue = (v: unknown): string =>
  typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'function'
    ? typeof v
    : ArrayBuffer.isView(v)
      ? v.constructor.name
      : (JSON.stringify(v) ?? String(v));

/** Runs a call; a thrown or rejected value that is not an MfrecError is reported. */
async function typedOutcome(call: () => unknown): Promise<string> {
  try {
    const r = call();
    if (r && typeof (r as Promise<unknown>).then === 'function') await r;
    if (r && typeof (r as AsyncIterator<unknown>)[Symbol.asyncIterator] === 'function') {
      for await (const _ of r as AsyncIterable<unknown>) break;
    }
    return 'ok';
  } catch (e) {
    return e instanceof MfrecError ? e.code : `untyped ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
  }
}

function ratings(): Interactions {
  const users: string[] = [];
  const items: string[] = [];
  const values: number[] = [];
  const times: number[] = [];
  for (let u = 0; u < 12; u++) {
    for (let i = 0; i < 8; i++) {
      if ((u + i) % 3 === 0) continue;
      users.push(`u${u}`);
      items.push(`i${i}`);
      values.push(1 + ((u * i) % 5));
      times.push(u * 100 + i);
    }
  }
  return Interactions.fromArrays(users, items, { values, timestamps: times });
}

const fast = { factors: 4, iterations: 2, threads: 1, seed: 1 } as const;

interface EntryPoint {
  name: string;
  /** Valid arguments; each position is then replaced by every garbage value. */
  args: () => unknown[];
  call: (...args: unknown[]) => unknown;
  /** Option objects (by argument position) whose every key is also swept. */
  options?: Record<number, readonly string[]>;
  /** The outcome of the valid call when it is a typed failure by design. */
  validOutcome?: string;
}

/** Garbage strings as paths stay inside the test folder (a sweep must not litter the working directory). */
const inDir = (f: unknown): unknown => (typeof f === 'string' && f !== '' && !path.isAbsolute(f) ? path.join(dir, f) : f);

describe('the sweep: garbage in every argument and option of every public function', async () => {
  const data = ratings();
  const explicit = await new ExplicitMF(fast).fit(data);
  const als = await new ImplicitALS(fast).fit(data);
  const bpr = await new BPR(fast).fit(data);
  const popularity = new Popularity().fit(data);
  const saved = path.join(dir, 'sweep.mfrec');
  await als.save(saved);
  const csv = path.join(dir, 'sweep.csv');
  writeFileSync(csv, 'user,item,rating\na,b,5\nc,d,3\n');
  const recommendOptions = [...RECOMMEND_OPTION_NAMES];

  const entryPoints: EntryPoint[] = [
    {
      name: 'Interactions.fromArrays',
      args: () => [['a', 'b'], ['x', 'y'], { values: [1, 2], timestamps: [1, 2], aggregate: 'sum' }],
      call: (...a) => Interactions.fromArrays(...(a as Parameters<typeof Interactions.fromArrays>)),
      options: { 2: ['values', 'timestamps', 'aggregate', 'users', 'items'] },
    },
    {
      name: 'Interactions.fromSparse',
      args: () => [data.users, data.items, data.byUser],
      call: (...a) => Interactions.fromSparse(...(a as Parameters<typeof Interactions.fromSparse>)),
      options: { 2: ['rows', 'cols', 'indptr', 'indices', 'values'] },
    },
    {
      name: 'new ExplicitMF',
      args: () => [{ ...EXPLICIT_MF_DEFAULTS }],
      call: (o) => new ExplicitMF(o as never),
      options: { 0: Object.keys(EXPLICIT_MF_DEFAULTS) },
    },
    {
      name: 'new ImplicitALS',
      args: () => [{ ...IMPLICIT_ALS_DEFAULTS }],
      call: (o) => new ImplicitALS(o as never),
      options: { 0: Object.keys(IMPLICIT_ALS_DEFAULTS) },
    },
    { name: 'new BPR', args: () => [{ ...BPR_DEFAULTS }], call: (o) => new BPR(o as never), options: { 0: Object.keys(BPR_DEFAULTS) } },
    { name: 'ExplicitMF.fit', args: () => [data, {}], call: (d, c) => new ExplicitMF(fast).fit(d as never, c as never) },
    { name: 'ImplicitALS.fit', args: () => [data, {}], call: (d, c) => new ImplicitALS(fast).fit(d as never, c as never) },
    { name: 'BPR.fit', args: () => [data, {}], call: (d, c) => new BPR(fast).fit(d as never, c as never) },
    { name: 'Popularity.fit', args: () => [data], call: (d) => new Popularity().fit(d as never) },
    ...[explicit, als, bpr].flatMap((m): EntryPoint[] => [
      { name: `${m.type}.recommend`, args: () => ['u1', { k: 3 }], call: (u, o) => m.recommend(u as never, o as never), options: { 1: recommendOptions } },
      {
        name: `${m.type}.recommendBatch`,
        args: () => [['u1', 'u2'], { k: 3 }],
        call: (u, o) => m.recommendBatch(u as never, o as never),
        options: { 1: recommendOptions },
      },
      {
        name: `${m.type}.recommendAll`,
        args: () => [{ k: 3, blockSize: 4 }],
        call: (o) => m.recommendAll(o as never),
        options: { 0: [...recommendOptions, 'blockSize'] },
      },
      {
        name: `${m.type}.similarItems`,
        args: () => ['i1', { k: 3 }],
        call: (i, o) => m.similarItems(i as never, o as never),
        options: { 1: ['k', 'candidates'] },
      },
      {
        name: `${m.type}.similarItemsBatch`,
        args: () => [['i1'], { k: 3 }],
        call: (i, o) => m.similarItemsBatch(i as never, o as never),
        options: { 1: ['k', 'candidates', 'threads'] },
      },
      { name: `${m.type}.similarUsers`, args: () => ['u1', { k: 3 }], call: (u, o) => m.similarUsers(u as never, o as never), options: { 1: ['k'] } },
      { name: `${m.type}.userVector`, args: () => ['u1'], call: (u) => m.userVector(u as never) },
      { name: `${m.type}.itemVector`, args: () => ['i1'], call: (i) => m.itemVector(i as never) },
      { name: `${m.type}.scoreItems`, args: () => ['u1'], call: (u) => m.scoreItems(u as never) },
      { name: `${m.type}.save`, args: () => [path.join(dir, `${m.type}.mfrec`)], call: (f) => m.save(inDir(f) as never) },
    ]),
    { name: 'ExplicitMF.predict', args: () => ['u1', 'i1'], call: (u, i) => explicit.predict(u as never, i as never) },
    { name: 'ExplicitMF.predictMany', args: () => [['u1'], ['i1']], call: (u, i) => explicit.predictMany(u as never, i as never) },
    { name: 'ExplicitMF.evaluate', args: () => [data], call: (d) => explicit.evaluate(d as never) },
    {
      name: 'ImplicitALS.recalculateUser',
      args: () => [{ items: ['i1', 'i2'], values: [1, 2] }],
      call: (h) => als.recalculateUser(h as never),
      options: { 0: ['items', 'values'] },
    },
    {
      name: 'ImplicitALS.recalculateItem',
      args: () => [{ users: ['u1'], values: [1] }],
      call: (h) => als.recalculateItem(h as never),
      options: { 0: ['users', 'values'] },
    },
    { name: 'ImplicitALS.partialFitUsers', args: () => [data, {}], call: (d, c) => als.partialFitUsers(d as never, c as never) },
    { name: 'ImplicitALS.partialFitItems', args: () => [data, {}], call: (d, c) => als.partialFitItems(d as never, c as never) },
    {
      name: 'Popularity.recommend',
      args: () => ['u1', { k: 3 }],
      call: (u, o) => popularity.recommend(u as never, o as never),
      options: { 1: ['k', 'filterSeen', 'exclude', 'candidates'] },
    },
    { name: 'Popularity.recommendBatch', args: () => [['u1'], { k: 3 }], call: (u, o) => popularity.recommendBatch(u as never, o as never) },
    { name: 'Popularity.popularity', args: () => ['i1'], call: (i) => popularity.popularity(i as never) },
    { name: 'loadModel', args: () => [saved], call: (f) => loadModel(inDir(f) as never) },
    {
      name: 'readInteractions',
      args: () => [csv, {}],
      call: (f, o) => readInteractions(inDir(f) as never, o as never),
      options: { 1: ['delimiter', 'header', 'userCol', 'itemCol', 'valueCol', 'timeCol', 'onBadLine', 'aggregate'] },
    },
    { name: 'parseInteractions', args: () => ['u,i,r\na,b,1\n', {}], call: (t, o) => parseInteractions(t as never, o as never) },
    {
      name: 'readOnlineRetail',
      args: () => [path.join(dir, 'missing.csv'), {}],
      call: (f, o) => readOnlineRetail(inDir(f) as never, o as never),
      validOutcome: 'ERR_MFREC_IO',
    },
    {
      name: 'randomSplit',
      args: () => [data, { testFraction: 0.2, seed: 1 }],
      call: (d, o) => randomSplit(d as never, o as never),
      options: { 1: ['testFraction', 'seed'] },
    },
    { name: 'kFold', args: () => [data, { folds: 3, seed: 1 }], call: (d, o) => kFold(d as never, o as never), options: { 1: ['folds', 'seed'] } },
    {
      name: 'perUserSplit',
      args: () => [data, { testFraction: 0.2, seed: 1, minTrain: 1 }],
      call: (d, o) => perUserSplit(d as never, o as never),
      options: { 1: ['testFraction', 'seed', 'minTrain'] },
    },
    { name: 'timeSplit', args: () => [data, { testFraction: 0.2 }], call: (d, o) => timeSplit(d as never, o as never), options: { 1: ['at', 'testFraction'] } },
    {
      name: 'rmse',
      args: () => [
        [1, 2],
        [1, 3],
      ],
      call: (a, b) => rmse(a as never, b as never),
    },
    {
      name: 'mae',
      args: () => [
        [1, 2],
        [1, 3],
      ],
      call: (a, b) => mae(a as never, b as never),
    },
    {
      name: 'evaluateRanking',
      args: () => {
        const s = randomSplit(data, { testFraction: 0.3, seed: 2 });
        return [popularityScorer(s.train), s.train, s.test, { k: 3 }];
      },
      call: (f, tr, te, o) => evaluateRanking(f as never, tr as never, te as never, o as never),
      options: { 3: ['k'] },
    },
    {
      name: 'compareRanking',
      args: () => {
        const s = randomSplit(data, { testFraction: 0.3, seed: 2 });
        return [{ als }, s.train, s.test, { k: 3 }];
      },
      call: (m, tr, te, o) => compareRanking(m as never, tr as never, te as never, o as never),
    },
    {
      name: 'crossValidate',
      args: () => [() => new ExplicitMF({ ...fast, iterations: 1 }), data, { folds: 2 }],
      call: (c, d, o) => crossValidate(c as never, d as never, o as never),
      options: { 2: ['folds', 'seed'] },
    },
  ];

  it.each(entryPoints.map((e) => [e.name, e] as const))('%s', async (_name, entry) => {
    const untyped: string[] = [];
    const tally = new Map<string, number>();
    const count = (o: string) => tally.set(o.startsWith('untyped') ? 'untyped' : o, (tally.get(o.startsWith('untyped') ? 'untyped' : o) ?? 0) + 1);
    const expectOk = await typedOutcome(() => entry.call(...entry.args()));
    expect(expectOk, 'the valid call').toBe(entry.validOutcome ?? 'ok');
    for (let pos = 0; pos < entry.args().length + 1; pos++) {
      for (const g of GARBAGE) {
        const args = entry.args();
        args[pos] = g;
        const o = await typedOutcome(() => entry.call(...args));
        count(o);
        if (o.startsWith('untyped')) untyped.push(`argument ${pos} = ${describeValue(g)}: ${o}`);
      }
    }
    for (const [pos, keys] of Object.entries(entry.options ?? {})) {
      for (const key of keys) {
        for (const g of GARBAGE) {
          const args = entry.args();
          args[Number(pos)] = { ...(args[Number(pos)] as object), [key]: g };
          const o = await typedOutcome(() => entry.call(...args));
          count(o);
          if (o.startsWith('untyped')) untyped.push(`option ${key} = ${describeValue(g)}: ${o}`);
        }
      }
    }
    expect(untyped).toEqual([]);
    if (process.env.MFREC_TALLY) process.stderr.write(`sweep ${entry.name}: ${JSON.stringify(Object.fromEntries(tally))}\n`);
  });
});

describe('pinned gaps', () => {
  it('Interactions.fromArrays refuses id maps that are not IdMaps', async () => {
    expect(await errorCode(() => Interactions.fromArrays(['a'], ['b'], { users: {} as never }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(() => Interactions.fromArrays(['a'], ['b'], { items: ['x'] as never }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });

  it('Interactions.fromSparse checks shape, row pointers and column indices before any kernel sees them', async () => {
    const users = new IdMap(['a', 'b']);
    const items = new IdMap(['x', 'y', 'z']);
    const ok = { rows: 2, cols: 3, indptr: Int32Array.of(0, 1, 3), indices: Int32Array.of(2, 0, 1), values: Float32Array.of(1, 1, 1) };
    expect(Interactions.fromSparse(users, items, ok).nnz).toBe(3);
    const bad: Array<[string, object]> = [
      ['column index out of range', { ...ok, indices: Int32Array.of(3, 0, 1) }],
      ['negative column index', { ...ok, indices: Int32Array.of(-1, 0, 1) }],
      ['unsorted row', { ...ok, indices: Int32Array.of(2, 1, 0) }],
      ['duplicate in a row', { ...ok, indices: Int32Array.of(2, 1, 1) }],
      ['decreasing row pointers', { ...ok, indptr: Int32Array.of(0, 3, 1), indices: Int32Array.of(0, 1, 2) }],
      ['row pointers past nnz', { ...ok, indptr: Int32Array.of(0, 1, 4) }],
      ['row pointers not from 0', { ...ok, indptr: Int32Array.of(1, 1, 3) }],
      ['more rows than the user map', { ...ok, rows: 3, indptr: Int32Array.of(0, 1, 3, 3) }],
      ['more columns than the item map', { ...ok, cols: 4 }],
      ['fractional rows', { ...ok, rows: 1.5 }],
      ['values of the wrong type', { ...ok, values: Float64Array.of(1, 1, 1) }],
      ['values too short', { ...ok, values: Float32Array.of(1, 1) }],
      ['indptr of the wrong type', { ...ok, indptr: [0, 1, 3] }],
      ['timestamps too short', { ...ok, timestamps: new Float64Array(1) }],
    ];
    for (const [what, m] of bad) expect(await errorCode(() => Interactions.fromSparse(users, items, m as never)), what).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(() => Interactions.fromSparse({} as never, items, ok))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });

  it('Interactions.fromIndices refuses indices outside the id maps', async () => {
    const users = new IdMap(['a']);
    const items = new IdMap(['x']);
    const one = Float32Array.of(1);
    expect(Interactions.fromIndices(users, items, Int32Array.of(0), Int32Array.of(0), one, undefined).nnz).toBe(1);
    expect(await errorCode(() => Interactions.fromIndices(users, items, Int32Array.of(1), Int32Array.of(0), one, undefined))).toBe(
      'ERR_MFREC_INVALID_ARGUMENT',
    );
    expect(await errorCode(() => Interactions.fromIndices(users, items, Int32Array.of(0), Int32Array.of(-1), one, undefined))).toBe(
      'ERR_MFREC_INVALID_ARGUMENT',
    );
    expect(await errorCode(() => Interactions.fromIndices(users, items, Int32Array.of(0), Int32Array.of(0, 0), one, undefined))).toBe(
      'ERR_MFREC_INVALID_ARGUMENT',
    );
    expect(await errorCode(() => Interactions.fromIndices(users, items, Int32Array.of(0), Int32Array.of(0), new Float32Array(2), undefined))).toBe(
      'ERR_MFREC_INVALID_ARGUMENT',
    );
  });

  it('a huge factor count is refused before allocating, with the size it would need', async () => {
    // 70 000 users × 65 536 factors = 4.6e9 floats: more than one Float32Array can hold.
    const users = Array.from({ length: 70_000 }, (_, u) => u);
    const data = Interactions.fromArrays(
      users,
      users.map((u) => u % 3),
    );
    const ratings = Interactions.fromArrays(
      users,
      users.map((u) => u % 3),
      { values: users.map(() => 3) },
    );
    for (const model of [
      new BPR({ factors: 65536, iterations: 1 }),
      new ImplicitALS({ factors: 65536, iterations: 1 }),
      new ExplicitMF({ factors: 65536, iterations: 1 }),
    ]) {
      const e = await model.fit(model instanceof ExplicitMF ? ratings : data).catch((x: unknown) => x);
      expect(e, model.type).toBeInstanceOf(MfrecError);
      expect((e as MfrecError).code).toBe('ERR_MFREC_OUT_OF_MEMORY');
      expect((e as MfrecError).message).toMatch(/needs [\d,]+ bytes \([\d.]+ [KMGT]iB\)/);
      expect(model.isFitted).toBe(false);
    }
    // One bound for every family, the native kernels' own: beyond it, a typed error before any work.
    for (const make of [() => new ExplicitMF({ factors: 65537 }), () => new ImplicitALS({ factors: 65537 }), () => new BPR({ factors: 65537 })]) {
      expect(make).toThrow(/factors/);
    }
  });

  it('a single user, a single item, and a 1 × 1 matrix train and answer', async () => {
    const shapes: Array<[string, Interactions]> = [
      ['one user', Interactions.fromArrays(['u', 'u', 'u'], ['a', 'b', 'c'], { values: [5, 3, 1] })],
      ['one item', Interactions.fromArrays(['u', 'v', 'w'], ['a', 'a', 'a'], { values: [5, 3, 1] })],
      ['one interaction', Interactions.fromArrays(['u'], ['a'], { values: [4] })],
    ];
    for (const [what, data] of shapes) {
      for (const model of [new ExplicitMF(fast), new ImplicitALS(fast), new BPR(fast)]) {
        await model.fit(data);
        const recs = model.recommend('u', { k: 5, filterSeen: false });
        expect(recs.length, `${model.type} on ${what}`).toBe(data.nItems);
        for (const r of recs) expect(Number.isFinite(r.score), `${model.type} on ${what}`).toBe(true);
        expect(model.recommend('u', { k: 5 }).length).toBe(data.nItems - data.byUser.indptr[1]!);
        expect(model.similarItems('a', { k: 3 }).length).toBe(data.nItems - 1);
      }
    }
  });

  it('NaN and Infinity values never reach training', async () => {
    for (const v of [NaN, Infinity, -Infinity]) {
      expect(await errorCode(() => Interactions.fromArrays(['u', 'v'], ['a', 'b'], { values: [1, v] }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(() => Interactions.fromArrays(['u', 'v'], ['a', 'b'], { timestamps: [1, v] }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await errorCode(() => Interactions.fromArrays(['u', v], ['a', 'b']))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    }
  });
});

describe('files', () => {
  it('binary garbage in a CSV fails as a parse error or as no data, never anything else', async () => {
    let seed = 7;
    const byte = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const codes = new Set<string>();
    for (let trial = 0; trial < 40; trial++) {
      const bytes = Buffer.from(Array.from({ length: 64 + trial * 50 }, byte));
      const file = path.join(dir, `garbage-${trial}.csv`);
      writeFileSync(file, bytes);
      const code = await errorCode(readInteractions(file));
      codes.add(code);
      expect(['ERR_MFREC_PARSE', 'ERR_MFREC_EMPTY_DATA', 'ERR_MFREC_IO', 'no error']).toContain(code);
    }
    expect(codes.has('ERR_MFREC_PARSE')).toBe(true);
  });

  it('NUL bytes and invalid UTF-8 inside ids are data, not a crash', async () => {
    const text = Buffer.concat([
      Buffer.from('user,item,rating\n'),
      Buffer.from([0x61, 0x00, 0x62]),
      Buffer.from(',x,5\n'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(',y,3\n'),
    ]);
    const r = await parseInteractions(text);
    expect(r.interactions.nnz).toBe(2);
    expect(r.interactions.users.toArray()[0]).toBe('a\u0000b');
  });

  it('a ~20 MB line streamed through gzip is refused as too long without buffering the file', async () => {
    const file = path.join(dir, 'long-line.csv.gz');
    const gzip = createGzip();
    const out = gzip.pipe(createWriteStream(file));
    gzip.write('user,item,rating\na,b,1\nc,');
    const chunk = 'x'.repeat(1 << 20);
    for (let k = 0; k < 20; k++) if (!gzip.write(chunk)) await new Promise((r) => gzip.once('drain', r));
    gzip.end(',2\nd,e,3\n');
    await finished(out);
    const e = await readInteractions(file).catch((x: unknown) => x);
    expect((e as MfrecError).code).toBe('ERR_MFREC_PARSE');
    expect((e as MfrecError).message).toMatch(/:3: line longer than 16777216 bytes/);
    const skipped = await readInteractions(file, { onBadLine: 'skip' });
    expect(skipped.interactions.nnz).toBe(2);
  });

  it('gzip that ends early, at every tenth of its length, fails with ERR_MFREC_IO', async () => {
    const gz = gzipSync(Array.from({ length: 20_000 }, (_, k) => `${k},${k % 97},${k % 5}`).join('\n'));
    for (let tenth = 1; tenth < 10; tenth++) {
      const file = path.join(dir, `cut-${tenth}.csv.gz`);
      writeFileSync(file, gz.subarray(0, Math.floor((gz.length * tenth) / 10)));
      expect(await errorCode(readInteractions(file)), `cut at ${tenth}/10`).toBe('ERR_MFREC_IO');
    }
  });

  describe('model files', async () => {
    const data = ratings();
    const model = await new ExplicitMF(fast).fit(data);
    const file = path.join(dir, 'real.mfrec');
    await model.save(file);
    const bytes = await readFile(file);
    const decode = (b: Uint8Array) => decodeFactorModel(decodeModelFile(b, 'm'), 'm');

    /** A mutated file with its checksum recomputed: only the structural checks stand between it and the kernels. */
    const resealed = (b: Buffer): Buffer => {
      const c = Buffer.from(b);
      c.writeUInt32LE(crc32(c.subarray(0, c.length - 4)) >>> 0, c.length - 4);
      return c;
    };

    it('every flipped byte of a real trained model file is caught on load', async () => {
      const seen = new Map<string, number>();
      for (let k = 0; k < bytes.length; k++) {
        const copy = Buffer.from(bytes);
        copy[k] = copy[k]! ^ 0x01;
        const code = await errorCode(() => decode(copy));
        seen.set(code, (seen.get(code) ?? 0) + 1);
      }
      expect([...seen.keys()].sort()).toEqual(['ERR_MFREC_BAD_MAGIC', 'ERR_MFREC_CORRUPT_FILE', 'ERR_MFREC_UNSUPPORTED_VERSION']);
      expect([...seen.values()].reduce((a, b) => a + b)).toBe(bytes.length);
      // Through loadModel, on disk, for a sample of positions.
      for (const k of [0, 9, 13, 100, bytes.length >> 1, bytes.length - 1]) {
        const copy = Buffer.from(bytes);
        copy[k] = copy[k]! ^ 0x80;
        const f = path.join(dir, `flipped-${k}.mfrec`);
        await writeFile(f, copy);
        expect(['ERR_MFREC_BAD_MAGIC', 'ERR_MFREC_CORRUPT_FILE', 'ERR_MFREC_UNSUPPORTED_VERSION']).toContain(await errorCode(loadModel(f)));
      }
    });

    it('wrong magic, wrong version, truncation, and a header claiming more data than the file holds', async () => {
      const magic = Buffer.from(bytes);
      magic.write('MFRECXXX', 0, 'latin1');
      expect(await errorCode(() => decode(magic))).toBe('ERR_MFREC_BAD_MAGIC');
      const csv = Buffer.from('user,item,rating\n1,2,3\n');
      expect(await errorCode(() => decode(csv))).toBe('ERR_MFREC_BAD_MAGIC');
      for (const v of [0, 2, 0xffffffff]) {
        const versioned = Buffer.from(bytes);
        versioned.writeUInt32LE(v, 8);
        expect(await errorCode(() => decode(resealed(versioned))), `version ${v}`).toBe('ERR_MFREC_UNSUPPORTED_VERSION');
      }
      for (const n of [8, 16, 19, 20, bytes.length >> 1, bytes.length - 1]) {
        expect(['ERR_MFREC_BAD_MAGIC', 'ERR_MFREC_CORRUPT_FILE']).toContain(await errorCode(() => decode(bytes.subarray(0, n))));
      }
      const longHeader = Buffer.from(bytes);
      longHeader.writeUInt32LE(bytes.length * 2, 12);
      expect(await errorCode(() => decode(resealed(longHeader)))).toBe('ERR_MFREC_CORRUPT_FILE');
      // A block table that points past the end, with a valid checksum.
      const contents = decodeModelFile(bytes, 'm');
      const grown = encodeModelFile(contents);
      const headerLength = grown.readUInt32LE(12);
      const json = grown.toString('utf8', 16, 16 + headerLength);
      const lengthened = json.replace(
        /"name":"userFactors","dtype":"f32","length":(\d+)/,
        (_m, n: string) => `"name":"userFactors","dtype":"f32","length":${Number(n) * 1000}`,
      );
      expect(lengthened).not.toBe(json);
      const patched = Buffer.from(grown);
      patched.write(lengthened.padEnd(headerLength, ' '), 16, headerLength, 'utf8');
      expect(lengthened.length).toBeLessThanOrEqual(headerLength + 3);
      if (lengthened.length <= headerLength) expect(await errorCode(() => decode(resealed(patched)))).toBe('ERR_MFREC_CORRUPT_FILE');
    });

    it('a resealed file whose header lies about sizes, ids or indices is CORRUPT_FILE, never a model', async () => {
      const contents = decodeModelFile(bytes, 'm');
      const lies: Array<[string, (c: typeof contents) => void]> = [
        ['factor count', (c) => (c.header.factors = 5)],
        ['zero factors', (c) => (c.header.factors = 0)],
        ['an extra user', (c) => (c.header.users = [...(c.header.users as string[]), 'extra'])],
        ['duplicate items', (c) => (c.header.items = (c.header.items as string[]).map(() => 'same'))],
        ['ids of the wrong type', (c) => (c.header.users = (c.header.users as string[]).map(() => ({})))],
        ['no params', (c) => (c.header.params = null)],
        ['an item index out of range', (c) => (c.blocks.seenIndices![0] = 999)],
        ['row pointers out of order', (c) => (c.blocks.seenIndptr![1] = -5)],
        ['a missing block', (c) => delete c.blocks.itemFactors],
        ['a block of the wrong type', (c) => (c.blocks.userFactors = new Float64Array(c.blocks.userFactors!.length))],
      ];
      for (const [what, lie] of lies) {
        const c = decodeModelFile(bytes, 'm');
        lie(c);
        const file = path.join(dir, 'lying.mfrec');
        await writeFile(file, encodeModelFile(c));
        expect(await errorCode(loadModel(file)), what).toBe('ERR_MFREC_CORRUPT_FILE');
      }
      expect(Object.keys(contents.blocks).length).toBeGreaterThan(0);
    });
  });

  it('loadModel on a directory, a missing file, an empty file', async () => {
    expect(await errorCode(loadModel(dir))).toBe('ERR_MFREC_IO');
    expect(await errorCode(loadModel(path.join(dir, 'nope.mfrec')))).toBe('ERR_MFREC_IO');
    const empty = path.join(dir, 'empty.mfrec');
    writeFileSync(empty, '');
    expect(await errorCode(loadModel(empty))).toBe('ERR_MFREC_BAD_MAGIC');
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });
});
