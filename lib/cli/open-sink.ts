/**
 * Where a CLI command's result table goes: stdout or a file (CSV, written
 * atomically), or a PostgreSQL table when `--out` is `postgres://…?table=NAME`
 * (swapped in atomically, see postgres-sink.ts).
 */
import { isPostgresUrl } from '../db/connection.js';
import { PostgresTableWriter, type TableColumn } from '../db/postgres-sink.js';
import { CsvSink, type CsvSinkOptions } from './output.js';

/** What recommend and similar write, whichever the destination. */
export interface RowSink {
  row(fields: Array<string | number>): Promise<void> | void;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** SQL types of the columns the CLI writes. */
const COLUMN_TYPES: Record<string, TableColumn['type']> = {
  user: 'text',
  item: 'text',
  similar: 'text',
  source: 'text',
  rank: 'integer',
  score: 'real',
};

/** Opens `out` (undefined or '-': stdout) for rows with these columns; a database gets raw ids (no spreadsheet guard). */
export async function openSink(out: string | undefined, header: string[], options: CsvSinkOptions = {}): Promise<RowSink> {
  if (!isPostgresUrl(out)) return CsvSink.open(out, header, options);
  return PostgresTableWriter.open(
    out,
    header.map((name) => ({ name, type: COLUMN_TYPES[name] ?? 'text' })),
  );
}

/** `--out` as checkOutputPaths takes it: a database URL is no file path. */
export function fileOut(out: string | undefined): string | undefined {
  return isPostgresUrl(out) ? undefined : out;
}
