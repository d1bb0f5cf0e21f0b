/** `--query` / `--table`: which rows of a `postgres://` input to read. */
import { isPostgresUrl } from '../db/connection.js';
import type { PostgresSource } from '../db/postgres-source.js';
import { ErrorCodes, MfrecError } from '../errors.js';

/** The source the flags name for `file`; undefined lets the URL's `?table=` decide. */
export function postgresSourceOf(file: string, flags: { query?: string; table?: string }): PostgresSource | undefined {
  const given = [flags.query !== undefined && '--query', flags.table !== undefined && '--table'].filter(Boolean);
  if (given.length === 0) return undefined;
  if (!isPostgresUrl(file)) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${given[0]} applies to a postgres:// input only, not to the file ${file}`);
  if (given.length > 1) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'Give --query or --table, not both');
  return flags.query !== undefined ? { query: flags.query } : { table: flags.table! };
}
