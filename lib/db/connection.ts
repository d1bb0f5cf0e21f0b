/**
 * PostgreSQL connection strings as mfrec takes them (`postgres://user:pw@host:port/db?table=recs`):
 * the parts that are mfrec's own (`table`) are taken out before the rest goes
 * to the client, the password never appears in a message, and every failure
 * of the server or the client becomes one typed line naming the URL.
 */
import type pg from 'pg';
import { ErrorCodes, MfrecError } from '../errors.js';

const CONNECT_TIMEOUT_MS = 30_000;

/** URL parameters that mfrec reads itself; the client never sees them. */
const OWN_PARAMS = ['table'];

/** Whether `text` is a PostgreSQL connection URL rather than a file path. */
export function isPostgresUrl(text: unknown): text is string {
  return typeof text === 'string' && /^postgres(ql)?:\/\//i.test(text);
}

export interface PostgresTarget {
  /** What goes to the client: the URL without mfrec's own parameters. */
  connectionString: string;
  /** The URL for messages: no password (neither in the user part nor as `?password=`). */
  shown: string;
  /** The URL's `?table=` parameter, if any. */
  table: string | undefined;
  /** The password, if the URL has one: scrubbed from server and client messages too. */
  secret: string | undefined;
}

/** Splits a connection URL; ERR_MFREC_INVALID_ARGUMENT (password left out) when it is not one. */
export function parsePostgresUrl(url: string, what = 'the connection URL'): PostgresTarget {
  let parsed: URL;
  try {
    if (!isPostgresUrl(url)) throw new Error('not a postgres:// URL');
    parsed = new URL(url);
  } catch {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Invalid ${what} ${redactText(String(url))}: expected postgres://user@host:port/database`);
  }
  const table = parsed.searchParams.get('table') ?? undefined;
  for (const name of OWN_PARAMS) parsed.searchParams.delete(name);
  const connectionString = parsed.toString();
  const secret = parsed.password !== '' ? decodeURIComponent(parsed.password) : (parsed.searchParams.get('password') ?? undefined);
  const shownUrl = new URL(url);
  shownUrl.password = '';
  shownUrl.searchParams.delete('password');
  return { connectionString, shown: shownUrl.toString(), table, secret };
}

/** Best effort for a string that is not a valid URL: drops anything between `:` and `@` after the scheme. */
function redactText(text: string): string {
  return text.replace(/^(\w+:\/\/[^:/@]*):[^@]*@/, '$1@').replace(/([?&]password=)[^&]*/i, '$1…');
}

/**
 * Every postgres:// URL in `text` without its password: for messages that
 * quote what the user typed (a URL given where a file was expected).
 */
export function redactPasswords(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1@').replace(/(postgres(?:ql)?:\/\/\S*?[?&]password=)[^&\s]*/gi, '$1…');
}

/** SQLSTATE classes that mean the request itself is wrong (syntax, unknown table or column, bad value). */
const REQUEST_ERRORS = /^(42|22|0A)/;

/**
 * One line for a failure talking to `target`: ERR_MFREC_INVALID_ARGUMENT when
 * the server refused the SQL (bad syntax, a missing table or column),
 * ERR_MFREC_IO for the rest (no server, refused login, lost connection).
 */
export function databaseError(target: PostgresTarget, doing: string, e: unknown): MfrecError {
  if (e instanceof MfrecError) return e;
  const err = e as { message?: string; code?: string; position?: string };
  let reason = (err?.message ?? String(e)).split('\n')[0]!;
  if (target.secret) reason = reason.split(target.secret).join('…');
  const sqlState = typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : undefined;
  const code = sqlState !== undefined && REQUEST_ERRORS.test(sqlState) ? ErrorCodes.INVALID_ARGUMENT : ErrorCodes.IO;
  return new MfrecError(code, `Cannot ${doing} ${target.shown}: ${reason}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`, { cause: e });
}

/**
 * A connected client, with session settings that make the text COPY writes
 * readable by mfrec's parser whatever the server's defaults: ISO dates, UTC.
 */
export async function connect(target: PostgresTarget, doing: string): Promise<pg.Client> {
  // A server that never answers fails the job after 30 s (or the URL's connect_timeout, in seconds) instead of leaving it waiting.
  const seconds = Number(new URL(target.connectionString).searchParams.get('connect_timeout') ?? NaN);
  const connectionTimeoutMillis = seconds > 0 ? seconds * 1000 : CONNECT_TIMEOUT_MS;
  // Loaded on first use: every command links this module, few talk to PostgreSQL.
  const { default: postgres } = await import('pg');
  const client = new postgres.Client({ connectionString: target.connectionString, application_name: 'mfrec', connectionTimeoutMillis });
  // An error between queries (the server going away) must not be an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query("SET DateStyle TO 'ISO, YMD'; SET TimeZone TO 'UTC'; SET client_encoding TO 'UTF8'");
    return client;
  } catch (e) {
    await client.end().catch(() => undefined);
    throw databaseError(target, doing, e);
  }
}

/** A table name as given (`recs` or `schema.recs`), checked, with each part quoted for SQL. */
export interface TableName {
  schema: string | undefined;
  name: string;
  /** `"schema"."name"` or `"name"`. */
  sql: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
/** PostgreSQL cuts identifiers at 63 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Quotes an identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Checks a table name: one or two plain identifiers (letters, digits, `_`),
 * so that the names mfrec derives from it (its staging table) stay plain too.
 */
export function tableName(text: unknown, what: string): TableName {
  const parts = typeof text === 'string' ? text.split('.') : [];
  const ok = (parts.length === 1 || parts.length === 2) && parts.every((p) => IDENTIFIER.test(p) && Buffer.byteLength(p) <= MAX_IDENTIFIER_BYTES);
  if (!ok) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Invalid ${what} '${String(text)}': expected a table name (letters, digits, _), optionally schema.table`);
  }
  const [schema, name] = parts.length === 2 ? [parts[0], parts[1]!] : [undefined, parts[0]!];
  return { schema, name, sql: (schema ? `${quoteIdent(schema)}.` : '') + quoteIdent(name) };
}
