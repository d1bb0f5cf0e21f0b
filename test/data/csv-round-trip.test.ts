/**
 * What mfrec's CSV writers write (lib/cli/output.ts), its reader reads back
 * identically: any id (blanks around it, delimiters, quotes, line breaks
 * inside) and any score, through format detection and RFC 4180 quoting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { csvField, formatScore } from '../../lib/cli/output.js';
import { readRows, type ReadRowsOptions } from '../../lib/data/read-rows.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-round-trip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNS = Number(process.env.MFREC_FUZZ_RUNS ?? 150);

/** Ids made of the characters that CSV writing and reading treat specially, and some that they do not. */
const id = fc
  .string({
    unit: fc.constantFrom(' ', '\t', ',', '"', '\r', '\n', ';', '|', ':', '=', '-', '.', '0', '7', 'a', 'Z', 'é', '\u00a0', '😀'),
    minLength: 1,
    maxLength: 8,
  })
  .filter((s) => s.trim() !== '' || s.length > 0);

const rows = fc.array(fc.tuple(id, id, fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })), { minLength: 1, maxLength: 40 });

let fileNo = 0;

/** Writes rows as CsvSink does (one `fields.map(csvField).join(',')` line each) and reads them back. */
async function roundTrip(header: string[], lines: Array<Array<string | number>>, options: ReadRowsOptions = {}) {
  const file = path.join(dir, `out-${fileNo++}.csv`);
  writeFileSync(file, [header, ...lines].map((fields) => fields.map(csvField).join(',') + '\n').join(''));
  const users: string[] = [];
  const items: string[] = [];
  const values: number[] = [];
  for await (const batch of readRows(file, options)) {
    users.push(...batch.users);
    items.push(...batch.items);
    values.push(...batch.values!);
  }
  return { users, items, values };
}

describe('CSV outputs read back by the reader', () => {
  it('recommend and predict outputs come back identical, format detected', async () => {
    await fc.assert(
      fc.asyncProperty(rows, async (rs) => {
        const scores = rs.map(([, , s]) => formatScore(Math.fround(s)));
        const recommend = await roundTrip(
          ['user', 'item', 'rank', 'score'],
          rs.map(([u, i], k) => [u, i, k + 1, scores[k]!]),
        );
        expect(recommend.users).toEqual(rs.map(([u]) => u));
        expect(recommend.items).toEqual(rs.map(([, i]) => i));
        expect(recommend.values).toEqual(scores.map((s) => Math.fround(s)));
        const predict = await roundTrip(
          ['user', 'item', 'prediction'],
          rs.map(([u, i], k) => [u, i, scores[k]!]),
          { valueCol: 'prediction' },
        );
        expect(predict.users).toEqual(rs.map(([u]) => u));
        expect(predict.items).toEqual(rs.map(([, i]) => i));
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps blanks around ids and quoted line breaks (the cases found by hand)', async () => {
    const r = await roundTrip(
      ['item', 'similar', 'rank', 'score'],
      [
        [' a ', '\tb', 1, 0.5],
        ['x\ny', 'p,"q"', 2, 0.25],
        ['c\r\n\r\nd', 'e ', 3, 0.125],
      ],
      {
        userCol: 'item',
        itemCol: 'similar',
        valueCol: 'score',
      },
    );
    expect(r.users).toEqual([' a ', 'x\ny', 'c\r\n\r\nd']);
    expect(r.items).toEqual(['\tb', 'p,"q"', 'e ']);
  });
});
