/**
 * Where the CLI writes: results to stdout (or --out, written atomically),
 * human text or --json, progress and messages to stderr. Strings that came
 * from files reach a terminal with their control characters escaped.
 */
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { adoptModeAndOwner, replacedPath, writeError } from '../persist/atomic-write.js';
import { removeStaleTemps, tempPathFor } from '../persist/temp-files.js';
import { printable, printableJson } from '../text/printable.js';

export function printJson(value: unknown): void {
  process.stdout.write(printableJson(value, 2) + '\n');
}

/** Prints `label  value` rows aligned, for human output. */
export function printTable(rows: Array<[string, string | number]>): void {
  const width = Math.max(...rows.map(([l]) => l.length));
  for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)}  ${printable(String(value))}\n`);
}

/** Quotes a CSV field when it needs it (RFC 4180), and when blanks at its ends would be trimmed by a reader. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A number as a spreadsheet reads it: harmless even though it may start with + or -. */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or tab, CR) as a
 * formula: an id like `=HYPERLINK(...)` in a CSV we write would run when the
 * file is opened. As OWASP recommends, such an id is written with a leading
 * single quote, which shows it as text; `--raw-ids` writes ids exactly.
 */
export function isFormulaLike(s: string): boolean {
  return /^[=+\-@\t\r]/.test(s) && !PLAIN_NUMBER.test(s);
}

export const RAW_IDS_HELP =
  "write ids exactly as they are (by default an id starting with = + - @ gets a leading ' so that a spreadsheet shows it as text instead of running it)";

export interface CsvSinkOptions {
  /** Write ids exactly as they are, even those a spreadsheet would run as formulas. */
  rawIds?: boolean;
}

/**
 * A line-oriented CSV sink. To a file it writes a temporary file and renames
 * it on commit(), so a failed or killed run never leaves a file that looks
 * complete; to stdout it streams. Every write error is one `ERR_MFREC_IO`
 * line naming the path the user gave.
 */
export class CsvSink {
  private readonly stream: Writable;
  private readonly tmp: string | undefined;
  private readonly target: string | undefined;
  private readonly out: string | undefined;
  private readonly rawIds: boolean;
  /** A terminal gets control characters escaped; a pipe or file gets the ids as they are. */
  private readonly toTerminal: boolean;
  private failure: unknown;
  private guarded = 0;

  private constructor(stream: Writable, options: CsvSinkOptions, file?: { tmp: string; target: string; out: string }) {
    this.stream = stream;
    this.tmp = file?.tmp;
    this.target = file?.target;
    this.out = file?.out;
    this.rawIds = options.rawIds === true;
    this.toTerminal = file === undefined && process.stdout.isTTY === true;
    // Remembered and reported by the next row() or commit(): an 'error' event must never go unhandled.
    if (file !== undefined) stream.on('error', (e) => (this.failure ??= e));
  }

  /** Opens the output (`out` undefined or '-': stdout) and writes the header row. */
  static async open(out: string | undefined, header: string[], options: CsvSinkOptions = {}): Promise<CsvSink> {
    let sink: CsvSink;
    if (out === undefined || out === '-') {
      sink = new CsvSink(process.stdout, options);
    } else {
      let tmp: string | undefined;
      try {
        const target = await replacedPath(out);
        tmp = tempPathFor(target);
        const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
        sink = new CsvSink(handle.createWriteStream(), options, { tmp, target, out });
      } catch (e) {
        throw writeError(out, e);
      }
    }
    await sink.row(header);
    return sink;
  }

  private field(v: string | number): string {
    if (typeof v !== 'string') return csvField(v);
    let s = v;
    if (!this.rawIds && isFormulaLike(s)) {
      s = `'${s}`;
      this.guarded++;
    }
    return this.toTerminal ? printable(csvField(s)) : csvField(s);
  }

  /** Writes a row; resolves when the stream can take more (back-pressure). */
  row(fields: Array<string | number>): Promise<void> | void {
    if (this.failure !== undefined) throw writeError(this.out!, this.failure);
    const ok = this.stream.write(fields.map((f) => this.field(f)).join(',') + '\n');
    // once() rejects on 'error': a failing disk cannot leave us waiting for a drain that never comes.
    if (!ok)
      return once(this.stream, 'drain').then(
        () => undefined,
        (e: unknown) => Promise.reject(writeError(this.out ?? 'stdout', e)),
      );
  }

  async commit(): Promise<void> {
    if (this.guarded > 0) {
      const ids =
        this.guarded === 1
          ? '1 id starting with = + - @ (a spreadsheet formula) was'
          : `${this.guarded} ids starting with = + - @ (a spreadsheet formula) were`;
      process.stderr.write(`mfrec: ${ids} written with a leading ' ; --raw-ids writes them as they are\n`);
    }
    if (this.tmp === undefined) return;
    try {
      if (this.failure !== undefined) throw this.failure;
      // The file is closed before it is renamed; once() rejects if the last writes fail.
      const closed = once(this.stream, 'close');
      this.stream.end();
      await closed;
      await adoptModeAndOwner(this.tmp, this.target!);
      await rename(this.tmp, this.target!);
    } catch (e) {
      await this.abort();
      throw writeError(this.out!, e);
    }
    await removeStaleTemps(this.target!);
  }

  async abort(): Promise<void> {
    if (this.tmp === undefined) return;
    this.stream.destroy();
    await unlink(this.tmp).catch(() => undefined);
  }
}

/** Scores are float32: seven significant digits say all they hold. */
export function formatScore(score: number): number {
  return Number(score.toPrecision(7));
}
