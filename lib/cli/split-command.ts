/**
 * `mfrec split FILE --out-dir DIR [--test-fraction 0.2] [--by user|random|time] [--seed N]`:
 * writes DIR/train.EXT and DIR/test.EXT for evaluate, tune and report. The
 * split is the library's (perUserSplit, randomSplit, timeSplit) on the
 * file's (user, item) pairs; the lines themselves are copied as written
 * (see split-lines.ts), header included. Both files are written under
 * temporary names and renamed into place only once both are complete.
 */
import type { Stats } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { ioError } from '../data/byte-source.js';
import type { Interactions } from '../data/interactions.js';
import { perUserSplit, randomSplit, timeSplit, type Split } from '../data/split.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { AtomicFile } from './atomic-file.js';
import { printJson, printTable } from './output.js';
import { fractionArg, intArg } from './parse.js';
import { createProgress } from './progress.js';
import { withReadProgress } from './read-input.js';
import { addReadFlags, readForCli, readOptionsFrom, type ReadFlags } from './read-flags.js';
import { copyLinesBySide } from './split-lines.js';

type SplitBy = 'user' | 'random' | 'time';

interface SplitFlags extends ReadFlags {
  outDir: string;
  testFraction: number;
  by: SplitBy;
  seed?: number;
  json?: boolean;
  quiet?: boolean;
}

const DEFAULT_SEED = 42;

export function registerSplit(program: Command): void {
  const cmd = program
    .command('split')
    .description('split FILE into DIR/train and DIR/test files (same format and header) for evaluate, tune and report')
    .argument('<file>', 'interactions: delimited text, optionally .gz (a regular file: it is read twice)')
    .requiredOption('--out-dir <dir>', 'folder of the two files (created if missing); they are named train and test, with the extension of FILE')
    .option('--test-fraction <x>', 'share of the (user, item) pairs that go to test, strictly between 0 and 1', fractionArg, 0.2)
    .addOption(
      new Option(
        '--by <how>',
        "user: that share of each user's pairs (users with one pair stay in train); random: of all pairs; time: the latest pairs (needs a time column)",
      )
        .choices(['user', 'random', 'time'])
        .default('user'),
    )
    .option('--seed <n>', `seed of the random draw (default ${DEFAULT_SEED}; not for --by time)`, intArg(0, 0xffffffff))
    .option('--json', 'machine-readable summary on stdout')
    .option('--quiet', 'no progress bars');
  addReadFlags(cmd);
  cmd.action(async (file: string, flags: SplitFlags) => runSplit(file, flags));
}

async function runSplit(file: string, flags: SplitFlags): Promise<void> {
  if (flags.by === 'time' && flags.seed !== undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--seed does not apply to --by time: a split in time draws nothing at random');
  }
  await checkRegularFile(file);
  const targets = outputNames(file, flags.outDir);
  await checkNotInput(file, Object.values(targets));

  const readOptions = readOptionsFrom(flags);
  const progress = createProgress(!flags.json && !flags.quiet);
  const read = await readForCli(file, readOptions, progress);
  if (flags.by === 'time' && read.format.columns.time === null) {
    const names = read.format.names ? ` (columns: ${read.format.names.join(', ')})` : '';
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--by time needs a time column, and none was found in ${file}${names}: name it with --time-col`);
  }
  const split = splitBy(read.interactions, flags);
  for (const side of ['train', 'test'] as const) {
    if (split[side].nnz === 0) {
      throw new MfrecError(
        ErrorCodes.EMPTY_DATA,
        `--test-fraction ${flags.testFraction} --by ${flags.by} leaves ${side} empty (${file} has ${read.interactions.nnz} user-item pairs)`,
      );
    }
  }

  try {
    await mkdir(flags.outDir, { recursive: true });
  } catch (e) {
    throw new MfrecError(ErrorCodes.IO, `Cannot create --out-dir ${flags.outDir}: ${(e as Error).message}`, { cause: e });
  }
  const outputs = { train: await AtomicFile.create(targets.train), test: undefined as AtomicFile | undefined };
  let lines: Awaited<ReturnType<typeof copyLinesBySide>>;
  try {
    outputs.test = await AtomicFile.create(targets.test);
    const copy = withReadProgress(file, readOptions, progress, 'splitting');
    try {
      lines = await copyLinesBySide(file, copy.options, read.format, split, { train: outputs.train, test: outputs.test });
    } finally {
      copy.done();
    }
    // Both passes must have seen the same lines: a file that changed in between gives no split at all.
    if (lines.train + lines.test !== read.lines - read.skipped) {
      throw new MfrecError(ErrorCodes.IO, `${file} changed while it was being split (${read.lines - read.skipped} lines, then ${lines.train + lines.test})`);
    }
    await outputs.train.finish();
    await outputs.test.finish();
    await outputs.train.commit();
    await outputs.test.commit();
  } catch (e) {
    await outputs.train.abort();
    await outputs.test?.abort();
    throw e;
  }
  report(flags, split, targets, lines, read.skipped);
}

function splitBy(data: Interactions, flags: SplitFlags): Split {
  const seed = flags.seed ?? DEFAULT_SEED;
  switch (flags.by) {
    case 'user':
      return perUserSplit(data, { testFraction: flags.testFraction, seed });
    case 'random':
      return randomSplit(data, { testFraction: flags.testFraction, seed });
    case 'time':
      return timeSplit(data, { testFraction: flags.testFraction });
  }
}

/** DIR/train.EXT and DIR/test.EXT, EXT being FILE's extension without .gz (outputs are plain text), .csv when it has none. */
function outputNames(file: string, dir: string): { train: string; test: string } {
  const base = path.basename(file).replace(/\.gz$/i, '');
  const ext = path.extname(base) || '.csv';
  return { train: path.join(dir, `train${ext}`), test: path.join(dir, `test${ext}`) };
}

/** The file is read twice (once to split, once to copy its lines): a pipe or a device cannot be. */
async function checkRegularFile(file: string): Promise<void> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (e) {
    throw ioError(file, e);
  }
  if (!info.isFile()) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `split reads its input twice and needs a regular file: ${file} is not one (a pipe or a device?); save it to a file first`,
    );
  }
}

/** An output that is the input itself would destroy the data being split. */
async function checkNotInput(file: string, targets: string[]): Promise<void> {
  const input = await stat(file);
  for (const target of targets) {
    const existing = await stat(target).catch(() => undefined);
    if (existing && existing.dev === input.dev && existing.ino === input.ino) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--out-dir would overwrite the input: ${target} is ${file}; choose another folder`);
    }
  }
}

function report(flags: SplitFlags, split: Split, targets: { train: string; test: string }, lines: { train: number; test: number }, skipped: number): void {
  const side = (data: Interactions, file: string, n: number) => ({ file, lines: n, pairs: data.nnz, users: activeRows(data), items: activeColumns(data) });
  const summary = {
    by: flags.by,
    testFraction: flags.testFraction,
    seed: flags.by === 'time' ? null : (flags.seed ?? DEFAULT_SEED),
    train: side(split.train, targets.train, lines.train),
    test: side(split.test, targets.test, lines.test),
    skippedLines: skipped,
  };
  if (flags.json) return printJson(summary);
  const describe = (s: typeof summary.train) => `${s.file}: ${s.lines} lines, ${s.pairs} user-item pairs of ${s.users} users and ${s.items} items`;
  const how = {
    user: `${flags.testFraction} of each user's pairs (seed ${summary.seed})`,
    random: `${flags.testFraction} of all pairs at random (seed ${summary.seed})`,
    time: `the latest ${flags.testFraction} of the pairs in time`,
  }[flags.by];
  printTable([
    ['train', describe(summary.train)],
    ['test', describe(summary.test)],
    ['split', how + (skipped ? `; ${skipped} bad lines skipped` : '')],
  ]);
}

function activeRows(data: Interactions): number {
  let n = 0;
  for (let u = 0; u < data.nUsers; u++) if (data.byUser.indptr[u + 1]! > data.byUser.indptr[u]!) n++;
  return n;
}

function activeColumns(data: Interactions): number {
  let n = 0;
  const m = data.byItem;
  for (let i = 0; i < data.nItems; i++) if (m.indptr[i + 1]! > m.indptr[i]!) n++;
  return n;
}
