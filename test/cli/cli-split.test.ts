/** `mfrec split`: train and test files in the input's format, from the library's splits. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInteractions } from '../../lib/data/read-delimited.js';
import { perUserSplit, randomSplit } from '../../lib/data/split.js';
import { cliIn } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-split-'));
const mfrec = cliIn(dir);
const file = (name: string) => path.join(dir, name);
const read = (name: string) => readFileSync(file(name), 'utf8');
const dataLines = (text: string, header = true) =>
  text
    .trim()
    .split('\n')
    .slice(header ? 1 : 0);
const pairOf = (line: string, sep = ',') => line.split(sep).slice(0, 2).join(sep);

/** 60 users × 40 items at 30% density, ratings and distinct timestamps, a repeated pair, a quoted id with a comma. */
function writeShopFile(name: string): string[] {
  const lines = ['customer,product,rating,ts'];
  let s = 7;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  let t = 1_000_000;
  for (let u = 0; u < 60; u++) {
    for (let i = 0; i < 40; i++) if (rand() < 0.3) lines.push(`c${u},p${i},${1 + Math.floor(rand() * 5)},${(t += 1 + Math.floor(rand() * 50))}`);
  }
  lines.push(`c3,p1,4,${(t += 7)}`, `c3,p1,5,${(t += 7)}`, `c4,"p,7",3,${(t += 7)}`);
  writeFileSync(file(name), lines.join('\n') + '\n');
  return lines;
}

let input: string[];

beforeAll(() => {
  input = writeShopFile('shop.csv');
});

describe('mfrec split', () => {
  it("splits by user: every line lands once, as written, header in both files; the pairs are perUserSplit's", async () => {
    const r = await mfrec('split', 'shop.csv', '--out-dir', 'by-user', '--test-fraction', '0.25', '--seed', '5', '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ by: 'user', testFraction: 0.25, seed: 5, skippedLines: 0 });
    const train = read('by-user/train.csv');
    const test = read('by-user/test.csv');
    expect(train.split('\n')[0]).toBe(input[0]);
    expect(test.split('\n')[0]).toBe(input[0]);
    expect([...dataLines(train), ...dataLines(test)].sort()).toEqual(input.slice(1).sort());
    expect(summary.train.lines).toBe(dataLines(train).length);
    expect(summary.test.lines).toBe(dataLines(test).length);
    // No pair on both sides: the repeated pair's lines stay together.
    const trainPairs = new Set(dataLines(train).map((l) => pairOf(l)));
    for (const line of dataLines(test)) expect(trainPairs.has(pairOf(line))).toBe(false);
    // The same pairs as the library's split of the same data with the same seed.
    const data = (await readInteractions(file('shop.csv'))).interactions;
    const expected = perUserSplit(data, { testFraction: 0.25, seed: 5 }).test;
    const expectedPairs = [...expected.entries()].map((e) => `${e.user}|${e.item}`).sort();
    const got = (await readInteractions(file('by-user/test.csv'))).interactions;
    expect([...got.entries()].map((e) => `${e.user}|${e.item}`).sort()).toEqual(expectedPairs);
    // Every user with two pairs or more has one in test.
    const testUsers = new Set(dataLines(test).map((l) => l.split(',')[0]));
    for (let u = 0; u < data.nUsers; u++) {
      if (data.byUser.indptr[u + 1]! - data.byUser.indptr[u]! >= 2) expect(testUsers.has(String(data.users.id(u)))).toBe(true);
    }
    expect(readdirSync(file('by-user')).sort()).toEqual(['test.csv', 'train.csv']);
  });

  it('splits at random with a seed (the same seed gives the same files) and in time', async () => {
    expect((await mfrec('split', 'shop.csv', '--out-dir', 'r1', '--by', 'random', '--seed', '3', '--quiet')).code).toBe(0);
    expect((await mfrec('split', 'shop.csv', '--out-dir', 'r2', '--by', 'random', '--seed', '3', '--quiet')).code).toBe(0);
    expect((await mfrec('split', 'shop.csv', '--out-dir', 'r3', '--by', 'random', '--seed', '4', '--quiet')).code).toBe(0);
    expect(read('r1/test.csv')).toBe(read('r2/test.csv'));
    expect(read('r1/test.csv')).not.toBe(read('r3/test.csv'));
    const data = (await readInteractions(file('shop.csv'))).interactions;
    const expected = new Set([...randomSplit(data, { testFraction: 0.2, seed: 3 }).test.entries()].map((e) => `${e.user}|${e.item}`));
    const pairKey = (line: string) =>
      line
        .match(/^([^,]+),("[^"]*"|[^,]+)/)!
        .slice(1)
        .map((f) => f.replaceAll('"', ''))
        .join('|');
    expect(dataLines(read('r1/test.csv')).sort()).toEqual(
      input
        .slice(1)
        .filter((l) => expected.has(pairKey(l)))
        .sort(),
    );

    const t = await mfrec('split', 'shop.csv', '--out-dir', 'by-time', '--by', 'time', '--test-fraction', '0.3', '--json');
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ by: 'time', seed: null });
    // Distinct pairs except the repeated one (whose lines are the latest and go together): test is the latest 30%.
    const times = (text: string) => dataLines(text).map((l) => Number(l.split(',').at(-1)));
    const latestTrain = Math.max(...times(read('by-time/train.csv')));
    expect(Math.min(...times(read('by-time/test.csv')))).toBeGreaterThan(latestTrain);
  });

  it('writes files that evaluate reads back with the same flags', async () => {
    const e = await mfrec(
      'evaluate',
      'by-user/train.csv',
      '--test',
      'by-user/test.csv',
      '--model',
      'explicit',
      '--factors',
      '4',
      '--iterations',
      '5',
      '--json',
      '--threads',
      '1',
    );
    expect(e.code).toBe(0);
    const { count } = JSON.parse(e.stdout);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThanOrEqual(dataLines(read('by-user/test.csv')).length);
  });

  it('keeps a headerless, "::"-separated file as it is, and writes a gzipped input as plain text', async () => {
    writeFileSync(
      file('ratings.dat'),
      input
        .slice(1)
        .map((l) => l.replaceAll(',', '::'))
        .filter((l) => !l.includes('"'))
        .join('\n') + '\n',
    );
    const r = await mfrec('split', 'ratings.dat', '--out-dir', 'dat', '--quiet');
    expect(r.code).toBe(0);
    const all = [...dataLines(read('dat/train.dat'), false), ...dataLines(read('dat/test.dat'), false)];
    expect(all.sort()).toEqual(read('ratings.dat').trim().split('\n').sort());
    writeFileSync(file('shop.csv.gz'), gzipSync(read('shop.csv')));
    const g = await mfrec('split', 'shop.csv.gz', '--out-dir', 'gz', '--quiet', '--seed', '5', '--test-fraction', '0.25');
    expect(g.code).toBe(0);
    expect(read('gz/test.csv')).toBe(read('by-user/test.csv'));
  });

  it('with --skip-bad-lines, leaves the bad lines out of both files and counts them', async () => {
    writeFileSync(file('bad.csv'), 'user,item,rating\na,x,1\na,y,oops\na,z,3\nb,x,2\nb,y,4\nc,x,5\nc,y\n');
    const r = await mfrec('split', 'bad.csv', '--out-dir', 'bad-lines', '--skip-bad-lines', '--test-fraction', '0.5', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ skippedLines: 2, train: { lines: 3 }, test: { lines: 2 } });
    expect([...dataLines(read('bad-lines/train.csv')), ...dataLines(read('bad-lines/test.csv'))].sort()).toEqual(['a,x,1', 'a,z,3', 'b,x,2', 'b,y,4', 'c,x,5']);
    const strict = await mfrec('split', 'bad.csv', '--out-dir', 'strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/bad\.csv:3.*ERR_MFREC_PARSE/);
    expect(existsSync(file('strict'))).toBe(false);
  });

  it('refuses bad flags with typed errors and leaves no file behind', async () => {
    writeFileSync(file('no-time.csv'), 'user,item,rating\na,x,1\na,y,2\nb,x,3\nb,y,4\n');
    const noTime = await mfrec('split', 'no-time.csv', '--out-dir', 'nt', '--by', 'time');
    expect(noTime.code).toBe(1);
    expect(noTime.stderr).toMatch(/--by time needs a time column.*no-time\.csv.*--time-col.*ERR_MFREC_INVALID_ARGUMENT/);
    expect(noTime.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(file('nt'))).toBe(false);

    const seedInTime = await mfrec('split', 'shop.csv', '--out-dir', 'st', '--by', 'time', '--seed', '1');
    expect(seedInTime.code).toBe(1);
    expect(seedInTime.stderr).toMatch(/--seed does not apply to --by time.*ERR_MFREC_INVALID_ARGUMENT/);

    for (const bad of ['0', '1', '1.5', '-0.2', 'abc', '']) {
      const r = await mfrec('split', 'shop.csv', '--out-dir', 'bad', '--test-fraction', bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('--test-fraction');
    }
    const by = await mfrec('split', 'shop.csv', '--out-dir', 'bad', '--by', 'item');
    expect(by.code).toBe(2);
    const noDir = await mfrec('split', 'shop.csv');
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toContain('--out-dir');
    expect(existsSync(file('bad'))).toBe(false);

    // One pair per user: a split by user has nothing to put in test.
    writeFileSync(file('single.csv'), 'user,item\na,x\nb,y\nc,z\n');
    const single = await mfrec('split', 'single.csv', '--out-dir', 'single');
    expect(single.code).toBe(1);
    expect(single.stderr).toMatch(/leaves test empty.*ERR_MFREC_EMPTY_DATA/);

    const missing = await mfrec('split', 'nope.csv', '--out-dir', 'm');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv.*ERR_MFREC_IO/);

    const notDir = await mfrec('split', 'shop.csv', '--out-dir', 'shop.csv/sub');
    expect(notDir.code).toBe(1);
    expect(notDir.stderr).toMatch(/--out-dir shop\.csv\/sub.*ERR_MFREC_IO/);
  });

  it('never overwrites its input, and refuses a pipe instead of hanging on it', async () => {
    mkdirSync(file('in-place'));
    writeFileSync(file('in-place/train.csv'), read('shop.csv'));
    const r = await mfrec('split', 'in-place/train.csv', '--out-dir', 'in-place');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would overwrite the input.*ERR_MFREC_INVALID_ARGUMENT/);
    expect(read('in-place/train.csv')).toBe(read('shop.csv'));
    expect(readdirSync(file('in-place'))).toEqual(['train.csv']);

    execFileSync('mkfifo', [file('fifo.csv')]);
    const fifo = await mfrec('split', 'fifo.csv', '--out-dir', 'fifo');
    expect(fifo.code).toBe(1);
    expect(fifo.stderr).toMatch(/needs a regular file.*fifo\.csv.*ERR_MFREC_INVALID_ARGUMENT/);
  });

  it('replaces earlier outputs atomically, keeping their permission bits', async () => {
    const { chmodSync, statSync } = await import('node:fs');
    chmodSync(file('by-user/test.csv'), 0o600);
    const r = await mfrec('split', 'shop.csv', '--out-dir', 'by-user', '--test-fraction', '0.5', '--quiet');
    expect(r.code).toBe(0);
    expect(statSync(file('by-user/test.csv')).mode & 0o777).toBe(0o600);
    expect(readdirSync(file('by-user')).sort()).toEqual(['test.csv', 'train.csv']);
  });
});
