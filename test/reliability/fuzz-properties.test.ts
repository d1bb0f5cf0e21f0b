/**
 * Property-based fuzzing (fast-check) of the parsers written in TypeScript
 * and of the recommend API: the delimited reader on arbitrary and mutated
 * bytes, the model-file decoder on mutated files, recommend on arbitrary
 * options. Each property runs a bounded number of cases within a time limit
 * here; `MFREC_FUZZ_RUNS=<n>` (and optionally `MFREC_FUZZ_SECONDS=<s>`)
 * turns them into longer runs:
 *
 *   MFREC_FUZZ_RUNS=20000 MFREC_FUZZ_SECONDS=120 npx vitest run test/reliability/fuzz-properties.test.ts
 */
import { crc32, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImplicitALS, Interactions, MfrecError, parseInteractions, type RawId } from '../../lib/index.js';
import type { FactorModel } from '../../lib/models/base/factor-model.js';
import { decodeFactorModel, encodeFactorModel } from '../../lib/persist/factor-state.js';
import { decodeModelFile, encodeModelFile } from '../../lib/persist/model-file.js';
import { stateOf } from '../helpers/support.js';

const RUNS = Number(process.env.MFREC_FUZZ_RUNS ?? 300);
const SECONDS = Number(process.env.MFREC_FUZZ_SECONDS ?? 4);
const params = {
  numRuns: RUNS,
  interruptAfterTimeLimit: SECONDS * 1000,
  markInterruptAsFailure: false,
  seed: process.env.MFREC_FUZZ_SEED ? Number(process.env.MFREC_FUZZ_SEED) : undefined,
};
const timeout = (SECONDS + 30) * 1000;

/** The error code of a failure, 'ok' for success; anything but an MfrecError is rethrown (and fails the property). */
async function codeOf(call: () => unknown): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (e) {
    if (e instanceof MfrecError) return e.code;
    throw e;
  }
}

const READER_CODES = ['ok', 'ERR_MFREC_PARSE', 'ERR_MFREC_IO', 'ERR_MFREC_EMPTY_DATA', 'ERR_MFREC_INVALID_ARGUMENT'];
const FILE_CODES = ['ERR_MFREC_BAD_MAGIC', 'ERR_MFREC_UNSUPPORTED_VERSION', 'ERR_MFREC_CORRUPT_FILE'];

const VALID_CSV = ['user,item,rating,timestamp', 'u1,i1,5,1000', 'u1,"i,2",3.5,1001', 'u2,i1,1,2000-01-02', '"u ""3""",i3,4,1003', 'u4,i4,2,1004'].join('\n');

/** Edits that break delimited text in the ways real files break. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom('"', ',', '\n', '\r', '\t', ';', '|', '\0', '\uFEFF', '""', '\r\n', 'NaN', '1e999', '-', ' '),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Buffer, edits: Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const e of edits) {
    const at = b.length === 0 ? 0 : e.at % (b.length + 1);
    if (e.kind === 'flip' && b.length > 0) b[at % b.length] = e.byte;
    if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(e.text), b.subarray(at)]);
    if (e.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.length)]);
    if (e.kind === 'truncate') b = b.subarray(0, at);
    if (e.kind === 'duplicate') b = Buffer.concat([b.subarray(0, at + e.length), b.subarray(at)]);
  }
  return b;
}

describe('the delimited reader', () => {
  it(
    'on arbitrary bytes returns or fails with PARSE / IO / EMPTY_DATA / INVALID_ARGUMENT',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom<'fail' | 'skip'>('fail', 'skip'), async (bytes, onBadLine) => {
          expect(READER_CODES).toContain(await codeOf(() => parseInteractions(bytes, { onBadLine })));
        }),
        params,
      );
    },
    timeout,
  );

  it(
    'on mutated valid files (plain and gzipped) never fails any other way, and a success holds only finite values',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), async (edits, gz, skip) => {
          // Mutating the gzip stream itself exercises the decompressor's failures.
          const input = gz ? mutate(gzipSync(VALID_CSV), edits) : mutate(Buffer.from(VALID_CSV), edits);
          let result: Awaited<ReturnType<typeof parseInteractions>> | undefined;
          const code = await codeOf(async () => {
            result = await parseInteractions(input, { onBadLine: skip ? 'skip' : 'fail' });
          });
          expect(READER_CODES).toContain(code);
          if (result) {
            const values = result.interactions.byUser.values;
            for (let k = 0; k < values.length; k++) expect(Number.isFinite(values[k]!)).toBe(true);
            expect(result.interactions.nnz).toBeGreaterThan(0);
          }
        }),
        params,
      );
    },
    timeout,
  );
});

describe('the model-file decoder', () => {
  let bytes: Buffer;
  let model: ImplicitALS;
  beforeAll(async () => {
    const users: string[] = [];
    const items: string[] = [];
    for (let u = 0; u < 9; u++) for (let i = 0; i < 7; i++) if ((u * 3 + i) % 4 !== 0) users.push(`u${u}`), items.push(`i${i}`);
    model = await new ImplicitALS({ factors: 3, iterations: 2, threads: 1, seed: 3 }).fit(Interactions.fromArrays(users, items));
    bytes = encodeModelFile(encodeFactorModel({ type: 'als', params: { ...model.params }, state: stateOf(model), extra: {} }, '0.0.0'));
  });

  const flips = fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 8 });

  it(
    'on mutated files fails with BAD_MAGIC / UNSUPPORTED_VERSION / CORRUPT_FILE only, never succeeds with other bytes',
    async () => {
      await fc.assert(
        fc.asyncProperty(flips, fc.option(fc.nat()), async (edits, cut) => {
          let b = Buffer.from(bytes);
          for (const e of edits) b[e.at % b.length] = b[e.at % b.length]! ^ e.xor;
          if (cut !== null) b = b.subarray(0, cut % (b.length + 1));
          const same = b.equals(bytes);
          const code = await codeOf(() => decodeFactorModel(decodeModelFile(b, 'm'), 'm'));
          if (same) expect(code).toBe('ok');
          else expect(FILE_CODES).toContain(code);
        }),
        params,
      );
    },
    timeout,
  );

  it(
    'on mutated files with a recomputed checksum fails with a file code, or yields a model every read can use',
    async () => {
      await fc.assert(
        fc.asyncProperty(flips, async (edits) => {
          const b = Buffer.from(bytes);
          for (const e of edits) {
            const at = e.at % (b.length - 4);
            b[at] = b[at]! ^ e.xor;
          }
          b.writeUInt32LE(crc32(b.subarray(0, b.length - 4)) >>> 0, b.length - 4);
          let decoded: ReturnType<typeof decodeFactorModel> | undefined;
          const code = await codeOf(() => {
            decoded = decodeFactorModel(decodeModelFile(b, 'm'), 'm');
          });
          expect(['ok', ...FILE_CODES]).toContain(code);
          if (decoded) {
            // Flips inside float data give a different, but structurally sound, model: the kernels must serve it.
            const m = new ImplicitALS({ ...model.params });
            (m as unknown as { state: unknown }).state = decoded.state;
            for (const u of decoded.state.users.toArray().slice(0, 3)) {
              const recs = m.recommend(u, { k: 4 });
              expect(recs.length).toBeLessThanOrEqual(4);
            }
          }
        }),
        params,
      );
    },
    timeout,
  );
});

describe('recommend on arbitrary options', () => {
  let model: ImplicitALS;
  const itemIds = ['a', 'b', 'c', 'd', 'e', 'f', 7, 8];
  beforeAll(async () => {
    const users: RawId[] = [];
    const items: RawId[] = [];
    for (let u = 0; u < 10; u++) for (let i = 0; i < itemIds.length; i++) if ((u + i) % 3 !== 0) users.push(`u${u}`), items.push(itemIds[i]!);
    model = await new ImplicitALS({ factors: 3, iterations: 2, threads: 1, seed: 5 }).fit(Interactions.fromArrays(users, items));
  });

  const id = fc.oneof(fc.constantFrom<RawId>(...itemIds, 'zz', '7', 99, -0), fc.string({ maxLength: 3 }), fc.integer());
  const value = fc.oneof(fc.anything(), fc.integer({ min: -3, max: 20 }), fc.array(id, { maxLength: 10 }), fc.boolean(), fc.constantFrom('popular', 'error'));
  const options = fc.oneof(
    fc.dictionary(fc.constantFrom('k', 'filterSeen', 'exclude', 'candidates', 'coldStart', 'threads', 'filterseen', 'signal'), value, { maxKeys: 6 }),
    fc.anything(),
  );
  const user = fc.oneof(fc.constantFrom<unknown>('u1', 'u2', 'u9', 'stranger', 3), fc.anything());

  const check = (m: FactorModel, u: unknown, o: unknown) => {
    try {
      const recs = m.recommend(u as RawId, o as never);
      const k = (o as { k?: number } | undefined)?.k ?? 10;
      expect(recs.length).toBeLessThanOrEqual(k);
      const seen = new Set<string>();
      for (const r of recs) {
        expect(model.itemIds.map(String)).toContain(String(r.item));
        expect(seen.has(String(r.item))).toBe(false);
        seen.add(String(r.item));
        expect(Number.isNaN(r.score)).toBe(false);
      }
    } catch (e) {
      if (!(e instanceof MfrecError)) throw e;
      expect(['ERR_MFREC_INVALID_ARGUMENT', 'ERR_MFREC_UNKNOWN_OPTION', 'ERR_MFREC_UNKNOWN_ID']).toContain(e.code);
    }
  };

  it(
    'returns at most k distinct known items, or fails with INVALID_ARGUMENT / UNKNOWN_OPTION / UNKNOWN_ID',
    async () => {
      fc.assert(
        fc.property(user, options, (u, o) => check(model, u, o)),
        params,
      );
      await fc.assert(
        fc.asyncProperty(fc.array(user, { maxLength: 4 }), options, async (us, o) => {
          const code = await codeOf(() => model.recommendBatch(us as RawId[], o as never));
          expect(['ok', 'ERR_MFREC_INVALID_ARGUMENT', 'ERR_MFREC_UNKNOWN_OPTION', 'ERR_MFREC_UNKNOWN_ID']).toContain(code);
        }),
        params,
      );
    },
    timeout,
  );
});
