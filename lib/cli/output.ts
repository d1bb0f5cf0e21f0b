/**
 * Where the CLI writes: results to stdout (or --out, written atomically),
 * human text or --json, progress and messages to stderr.
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ErrorCodes, MfrecError } from '../errors.js';
import { removeStaleTemps, tempPathFor } from '../persist/temp-files.js';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Prints `label  value` rows aligned, for human output. */
export function printTable(rows: Array<[string, string | number]>): void {
  const width = Math.max(...rows.map(([l]) => l.length));
  for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
}

/**
 * Quotes a CSV field when it needs it (RFC 4180), and when blanks start or
 * end it: the reader trims unquoted fields, so only quotes keep them.
 */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]|^[ \t]|[ \t]$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A line-oriented CSV sink. To a file it writes a temporary file and renames
 * it on commit(), so a failed or killed run never leaves a file that looks
 * complete; to stdout it streams.
 */
export class CsvSink {
  private readonly stream: Writable;
  private readonly tmp: string | undefined;
  private readonly target: string | undefined;

  private constructor(stream: Writable, tmp?: string, target?: string) {
    this.stream = stream;
    this.tmp = tmp;
    this.target = target;
  }

  static open(out: string | undefined, header: string[]): CsvSink {
    let sink: CsvSink;
    if (out === undefined || out === '-') {
      sink = new CsvSink(process.stdout);
    } else {
      const tmp = tempPathFor(out);
      sink = new CsvSink(createWriteStream(tmp, { flags: 'wx' }), tmp, out);
    }
    sink.row(header);
    return sink;
  }

  /** Writes a row; resolves when the stream can take more (back-pressure). */
  row(fields: Array<string | number>): Promise<void> | void {
    const ok = this.stream.write(fields.map(csvField).join(',') + '\n');
    if (!ok) return once(this.stream, 'drain').then(() => undefined);
  }

  async commit(): Promise<void> {
    if (this.tmp === undefined) return;
    this.stream.end();
    await once(this.stream, 'finish');
    try {
      await rename(this.tmp, this.target!);
    } catch (e) {
      await this.abort();
      throw new MfrecError(ErrorCodes.IO, `Cannot write ${this.target}: ${(e as Error).message}`);
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
