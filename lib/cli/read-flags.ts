/** Flags that describe an input file's format, shared by train, evaluate and predict. */
import { Option, type Command } from 'commander';
import type { ReadOptions } from '../data/read-delimited.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { columnArg } from './parse.js';

export interface ReadFlags {
  delimiter?: string;
  header?: boolean;
  userCol?: string | number;
  itemCol?: string | number;
  valueCol?: string | number;
  timeCol?: string | number;
  implicit?: boolean;
  aggregate?: 'sum' | 'mean' | 'last';
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

export function addReadFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--delimiter <d>', "field separator: auto, ',', tab, ';', '|', space, '::'").default('auto'))
    .option('--header', 'the first line is a header (default: detected)')
    .option('--no-header', 'the first line is data')
    .option('--user-col <col>', 'user column: header name or 0-based position', columnArg)
    .option('--item-col <col>', 'item column: header name or 0-based position', columnArg)
    .option('--value-col <col>', 'value (rating, count) column', columnArg)
    .option('--time-col <col>', 'timestamp column (numbers, or dates YYYY-MM-DD[ HH:MM:SS])', columnArg)
    .option('--implicit', 'no value column: every line counts 1')
    .addOption(new Option('--aggregate <rule>', 'duplicate (user, item) pairs').choices(['sum', 'mean', 'last']))
    .option('--skip-bad-lines', 'skip malformed lines (counted) instead of failing');
}

export function readOptionsFrom(flags: ReadFlags): ReadOptions {
  const name = flags.delimiter ?? 'auto';
  const delimiter = Object.hasOwn(DELIMITERS, name) ? DELIMITERS[name] : undefined;
  if (delimiter === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Unknown --delimiter '${flags.delimiter}': use auto, ',', tab, ';', '|', space or '::'`);
  }
  const o: ReadOptions = { delimiter };
  if (flags.header !== undefined) o.header = flags.header;
  if (flags.userCol !== undefined) o.userCol = flags.userCol;
  if (flags.itemCol !== undefined) o.itemCol = flags.itemCol;
  if (flags.valueCol !== undefined) o.valueCol = flags.valueCol;
  if (flags.implicit) o.valueCol = null;
  if (flags.timeCol !== undefined) o.timeCol = flags.timeCol;
  if (flags.aggregate !== undefined) o.aggregate = flags.aggregate;
  if (flags.skipBadLines) o.onBadLine = 'skip';
  return o;
}
