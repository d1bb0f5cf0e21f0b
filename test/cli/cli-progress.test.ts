/**
 * Progress while an input file is read: the reader's onProgress hook, and the
 * CLI's bar on a terminal (a pseudo-terminal made by util-linux `script`),
 * absent in pipes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInteractions } from '../../lib/data/read-delimited.js';
import { readRows } from '../../lib/data/read-rows.js';
import { ErrorCodes } from '../../lib/errors.js';
import { cliIn } from '../helpers/cli.js';
import { errorCode } from '../helpers/support.js';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-progress-'));
const mfrec = cliIn(dir);
const bin = path.resolve(__dirname, '..', '..', 'bin', 'mfrec.js');
const SCRIPT = '/usr/bin/script';

/** About 3.4 MB: several 1 MiB reads. */
const big = path.join(dir, 'big.csv');

beforeAll(() => {
  const lines = ['user,item,rating'];
  for (let k = 0; k < 250_000; k++) lines.push(`u${k % 4000},i${(k * 7) % 2500},${1 + (k % 5)}`);
  writeFileSync(big, lines.join('\n') + '\n');
  writeFileSync(path.join(dir, 'big.csv.gz'), gzipSync(lines.join('\n') + '\n'));
});

describe('the reader reports the bytes it has read', () => {
  it('readInteractions: growing counts that end at the file size, plain or gzipped (compressed bytes)', async () => {
    for (const name of ['big.csv', 'big.csv.gz']) {
      const file = path.join(dir, name);
      const calls: Array<[number, number]> = [];
      await readInteractions(file, { threads: 1, onProgress: (read, total) => calls.push([read, total]) });
      const size = statSync(file).size;
      expect(calls.length, name).toBeGreaterThan(name.endsWith('.gz') ? 0 : 3);
      for (let j = 1; j < calls.length; j++) expect(calls[j]![0]).toBeGreaterThanOrEqual(calls[j - 1]![0]);
      expect(calls.every(([, total]) => total === size)).toBe(true);
      expect(calls.at(-1)![0], name).toBe(size);
    }
  });

  it('readRows and the parallel reader report too; a non-function is a typed error', async () => {
    let last = 0;
    for await (const _ of readRows(big, { onProgress: (read) => (last = read) })) void _;
    expect(last).toBe(statSync(big).size);
    last = 0;
    await readInteractions(big, { threads: 2, chunkBytes: 64 * 1024, onProgress: (read) => (last = read) });
    expect(last).toBe(statSync(big).size);
    expect(await errorCode(() => readInteractions(big, { onProgress: 5 as never }))).toBe(ErrorCodes.INVALID_ARGUMENT);
  });
});

describe.skipIf(!existsSync(SCRIPT))('mfrec draws a read progress bar on a terminal only', () => {
  /** Runs mfrec with stdout and stderr on a pseudo-terminal; returns what the terminal showed. */
  async function onTerminal(...args: string[]): Promise<string> {
    const command = [process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ');
    const { stdout } = await run(SCRIPT, ['-qfec', command, '/dev/null'], { cwd: dir, env: { ...process.env, TERM: 'xterm' } });
    return stdout;
  }

  it('train shows the bytes read of its input, to 100%', async () => {
    const screen = await onTerminal('train', 'big.csv', '--model', 'als', '--factors', '2', '--iterations', '1', '--threads', '1', '--out', 'm.mfrec');
    expect(screen).toMatch(/reading\s+\[[^\]]*\] 100% big\.csv: 3\.\d of 3\.\d MB/);
    expect(screen).toMatch(/model\s+als → m\.mfrec/);
  });

  it('--quiet draws nothing, and neither does a pipe', async () => {
    const quiet = await onTerminal(
      'train',
      'big.csv',
      '--model',
      'als',
      '--factors',
      '2',
      '--iterations',
      '1',
      '--threads',
      '1',
      '--out',
      'q.mfrec',
      '--quiet',
    );
    expect(quiet).not.toContain('reading');
    const piped = await mfrec('train', 'big.csv', '--model', 'als', '--factors', '2', '--iterations', '1', '--threads', '1', '--out', 'p.mfrec');
    expect(piped.code).toBe(0);
    // Notes about the data may be printed; no bar is.
    expect(piped.stderr).not.toMatch(/reading|\r|\x1b\[/);
  });

  it('evaluate, report and split show it too', async () => {
    const split = await onTerminal('split', 'big.csv', '--out-dir', 'parts');
    expect(split).toMatch(/reading\s+\[[^\]]*\] 100%/);
    expect(split).toMatch(/splitting\s+\[[^\]]*\] 100%/);
    const evaluate = await onTerminal('evaluate', 'parts/train.csv', '--test', 'parts/test.csv', '--model', 'popularity', '--implicit');
    expect(evaluate.match(/reading\s+\[[^\]]*\] 100% t(rain|est)\.csv/g)).toHaveLength(2);
    await onTerminal('train', 'parts/train.csv', '--model', 'als', '--factors', '2', '--iterations', '1', '--threads', '1', '--out', 'r.mfrec', '--quiet');
    const report = await onTerminal('report', '--model-file', 'r.mfrec', '--train', 'parts/train.csv', '--test', 'parts/test.csv', '--out', 'r.html');
    expect(report.match(/reading\s+\[[^\]]*\] 100% t(rain|est)\.csv/g)).toHaveLength(2);
  });
});
