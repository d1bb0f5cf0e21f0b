/**
 * Flags that describe an input file's format, shared by train, evaluate,
 * tune, predict, report and recommend --history; and the one way the CLI
 * reads such a file: the reader's notes go to stderr, and its errors name
 * the CLI's flags (--user-col), not the library's options (userCol).
 */
import { Option, type Command, InvalidArgumentError } from 'commander';
import { readInteractions, type ReadNote, type ReadOptions, type ReadResult } from '../data/read-delimited.js';
import { readRows, type RowBatch } from '../data/read-rows.js';
import { isPostgresUrl } from '../db/connection.js';
import { readInteractionsFromPostgres, type PostgresSource } from '../db/postgres-source.js';
import { checkValuesFor } from '../data/value-checks.js';
import { MODELS, modelType, valueUseOf } from '../models/registry.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { printable } from '../text/printable.js';
import { columnArg } from './parse.js';
import type { Progress } from './progress.js';
import { withReadProgress } from './read-input.js';

export interface ReadFlags {
  delimiter?: string;
  header?: boolean;
  userCol?: string | number;
  itemCol?: string | number;
  valueCol?: string | number;
  timeCol?: string | number;
  typeCol?: string | number;
  typeWeights?: Record<string, number>;
  implicit?: boolean;
  aggregate?: 'auto' | 'sum' | 'mean' | 'last';
  skipBadLines?: boolean;
}

const DELIMITERS: Record<string, ReadOptions['delimiter']> = {
  auto: 'auto',
  ',': ',',
  comma: ',',
  tab: '\t',
  '\\t': '\t',
  ';': ';',
  semicolon: ';',
  '|': '|',
  pipe: '|',
  space: ' ',
  ' ': ' ',
  '::': '::',
};

/** `--type-weights view=1,cart=3,purchase=5` as an object; a usage error naming the flag otherwise. */
export function typeWeightsArg(value: string): Record<string, number> {
  const weights: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const pair of value.split(',')) {
    const m = /^\s*([^=]+?)\s*=\s*(\S+)\s*$/.exec(pair);
    const weight = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(weight)) {
      throw new InvalidArgumentError(`expected type=weight pairs separated by commas (view=1,cart=3,purchase=5), got '${value}'`);
    }
    weights[m[1]!] = weight;
  }
  return weights;
}

export function addReadFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--delimiter <d>', "field separator: auto, ',', tab, ';', '|', space, '::'").default('auto'))
    .option('--header', 'the first line is a header (default: detected)')
    .option('--no-header', 'the first line is data')
    .option('--user-col <col>', 'user column: header name or 0-based position', columnArg)
    .option('--item-col <col>', 'item column: header name or 0-based position', columnArg)
    .option('--value-col <col>', 'value (rating, count) column', columnArg)
    .option('--time-col <col>', 'timestamp column (numbers, or dates YYYY-MM-DD[ HH:MM:SS])', columnArg)
    .option('--type-col <col>', "interaction type column (view, cart, purchase...): each line weighs its type's weight", columnArg)
    .option('--type-weights <list>', 'weight of each interaction type (default view=1,cart=3,purchase=5)', typeWeightsArg)
    .option('--implicit', 'no value column: every line counts 1')
    .addOption(
      new Option('--aggregate <rule>', 'repeated (user, item) pairs: auto (counts add up, ratings keep the latest or the mean), sum, mean, last').choices([
        'auto',
        'sum',
        'mean',
        'last',
      ]),
    )
    .option('--skip-bad-lines', 'skip malformed lines (counted) instead of failing');
}

export function readOptionsFrom(flags: ReadFlags): ReadOptions {
  const name = flags.delimiter ?? 'auto';
  const delimiter = Object.hasOwn(DELIMITERS, name) ? DELIMITERS[name] : undefined;
  if (delimiter === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Unknown --delimiter '${flags.delimiter}': use auto, ',', tab, ';', '|', space or '::'`);
  }
  if (flags.typeWeights !== undefined && flags.typeCol === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--type-weights needs --type-col: the column that holds the interaction type');
  }
  const o: ReadOptions = { delimiter };
  if (flags.header !== undefined) o.header = flags.header;
  if (flags.userCol !== undefined) o.userCol = flags.userCol;
  if (flags.itemCol !== undefined) o.itemCol = flags.itemCol;
  if (flags.valueCol !== undefined) o.valueCol = flags.valueCol;
  if (flags.implicit) o.valueCol = null;
  if (flags.timeCol !== undefined) o.timeCol = flags.timeCol;
  if (flags.typeCol !== undefined) o.typeCol = flags.typeCol;
  if (flags.typeWeights !== undefined) o.typeWeights = { ...flags.typeWeights };
  if (flags.aggregate !== undefined) o.aggregate = flags.aggregate;
  if (flags.skipBadLines) o.onBadLine = 'skip';
  return o;
}

/** Library option names, as the CLI spells them. */
const FLAG_OF: Record<string, string> = {
  userCol: '--user-col',
  itemCol: '--item-col',
  valueCol: '--value-col',
  timeCol: '--time-col',
  typeCol: '--type-col',
  typeWeights: '--type-weights',
  onBadLine: '--skip-bad-lines',
};

/** Model options whose library names differ from their flags (the rest are spelled alike). */
const MODEL_FLAG_OF: Record<string, string> = {
  learningRate: '--learning-rate',
};

/**
 * A library message in the CLI's words: `pass userCol` → `pass --user-col`,
 * `header: false` → `--no-header`, `lower learningRate` → `lower --learning-rate`.
 */
export function inCliWords(message: string): string {
  return message
    .replace(/\b(userCol|itemCol|valueCol|timeCol|typeCol|typeWeights|onBadLine)\b/g, (name) => FLAG_OF[name]!)
    .replace(/\blearningRate\b(?!Decay)/g, (name) => MODEL_FLAG_OF[name]!)
    .replace(/\bheader: false\b/g, '--no-header')
    .replace(/\bheader: true\b/g, '--header')
    .replace(/\baggregate: (\w+)/g, '--aggregate $1')
    .replace(/\bpass aggregate\b/g, 'pass --aggregate');
}

function inCliError(e: unknown): unknown {
  if (!(e instanceof MfrecError)) return e;
  const message = inCliWords(e.message);
  return message === e.message ? e : new MfrecError(e.code, message, { cause: e });
}

/** Prints the reader's notes on stderr, one line each. */
export function printNotes(notes: readonly ReadNote[]): void {
  for (const note of notes) process.stderr.write(`mfrec: note: ${printable(inCliWords(note.message))}\n`);
}

/**
 * readInteractions for a CLI command: notes on stderr, errors in the CLI's
 * words. A `postgres://` FILE is read from the database (`from`: the query
 * or table; else the URL's `?table=`).
 */
export async function readForCli(file: string, options: ReadOptions, progress?: Progress, from?: PostgresSource): Promise<ReadResult> {
  const reading = progress === undefined || isPostgresUrl(file) ? undefined : withReadProgress(file, options, progress);
  let read: ReadResult;
  try {
    read = isPostgresUrl(file) ? await readInteractionsFromPostgres(file, from, options) : await readInteractions(file, reading?.options ?? options);
  } catch (e) {
    throw inCliError(e);
  } finally {
    reading?.done();
  }
  printNotes(read.notes);
  return read;
}

/** readRows for a CLI command, likewise. */
export async function* readRowsForCli(file: string, options: ReadOptions): AsyncGenerator<RowBatch, void, undefined> {
  try {
    const rows = readRows(file, options);
    for (let next = await rows.next(); ; next = await rows.next()) {
      if (next.done) {
        printNotes(next.value.notes);
        return;
      }
      yield next.value;
    }
  } catch (e) {
    throw inCliError(e);
  }
}

/**
 * Reads a file a model of type `model` will learn from (or be measured on):
 * as {@link readForCli}, then refuses a rating model without ratings and
 * warns on stderr about values the model would misread (negative values,
 * a value column of ids, prices or timestamps).
 */
export async function readForModel(file: string, options: ReadOptions, model: string, progress?: Progress, from?: PostgresSource): Promise<ReadResult> {
  const read = await readForCli(file, options, progress, from);
  printWarnings(valueNotes(read, file, model));
  return read;
}

/** The value checks of `model`'s use of the values: its warnings; throws (in the CLI's words) when the data cannot serve it. */
function valueNotes(read: ReadResult, file: string, model: string): ReadNote[] {
  // Popularity (and any name outside the registry) only counts interactions: nothing to check.
  const type = modelType(model);
  if (type === undefined) return [];
  const use = valueUseOf(MODELS[type]);
  try {
    return checkValuesFor(use, read, file);
  } catch (e) {
    throw inCliError(e);
  }
}

function printWarnings(notes: readonly ReadNote[]): void {
  for (const note of notes) process.stderr.write(`mfrec: warning: ${printable(inCliWords(note.message))}\n`);
}

/**
 * Reads a file that several model families will learn from (or be measured
 * on): the value checks of every family, each warning printed once. A family
 * the data cannot serve (a rating model without ratings) is returned in
 * `unfit` with the reason, instead of failing the read.
 */
export async function readForModels(
  file: string,
  options: ReadOptions,
  models: readonly string[],
  progress?: Progress,
): Promise<{ read: ReadResult; unfit: Map<string, string> }> {
  const read = await readForCli(file, options, progress);
  const unfit = new Map<string, string>();
  const seen = new Set<string>();
  for (const model of models) {
    let notes: ReadNote[];
    try {
      notes = valueNotes(read, file, model);
    } catch (e) {
      if (!(e instanceof MfrecError)) throw e;
      unfit.set(model, e.message);
      continue;
    }
    printWarnings(notes.filter((n) => !seen.has(n.message) && seen.add(n.message)));
  }
  return { read, unfit };
}
