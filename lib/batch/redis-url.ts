/**
 * The `--redis URL` of `mfrec batch` and `mfrec worker`: checked before
 * anything connects (a bad URL is one line naming the flag), reached once
 * with a short time-out (no server is one line, not an endless reconnect
 * loop), and shown in messages without its password.
 */
import type { RedisOptions } from 'bullmq';
import { ErrorCodes, MfrecError } from '../errors.js';

export interface RedisTarget {
  /** What BullMQ connects with (its workers need maxRetriesPerRequest: null). */
  options: RedisOptions;
  /** The URL for messages, without a password. */
  shown: string;
}

const PROBE_TIMEOUT_MS = 5_000;

/** Parses `redis://[user:password@]host[:port][/db]` (or rediss:// for TLS); ERR_MFREC_INVALID_ARGUMENT naming `flag` otherwise. */
export function parseRedisUrl(url: unknown, flag = '--redis'): RedisTarget {
  const bad = (why: string) =>
    new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Invalid ${flag} '${hidePassword(String(url))}': ${why} (expected redis://host:port[/db])`);
  if (typeof url !== 'string' || !/^rediss?:\/\//i.test(url)) throw bad('not a redis:// URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('not a valid URL');
  }
  if (parsed.hostname === '') throw bad('no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw bad(`database '${dbText}' is not a number`);
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    db: dbText === '' ? 0 : Number(dbText),
    maxRetriesPerRequest: null,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  const shown = new URL(url);
  shown.password = '';
  return { options, shown: shown.toString() };
}

function hidePassword(text: string): string {
  return text.replace(/^(\w+:\/\/[^:/@]*):[^@]*@/, '$1@');
}

/** Connects once without retrying and pings: ERR_MFREC_IO naming the URL and `flag` when Redis cannot be reached. */
export async function checkReachable(target: RedisTarget, flag = '--redis'): Promise<void> {
  // Loaded on first use: every command links this module through the CLI, few talk to Redis.
  const { Redis } = await import('ioredis');
  const client = new Redis({ ...target.options, lazyConnect: true, retryStrategy: () => null, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    let reason = (e as Error)?.message ?? String(e);
    if (target.options.password) reason = reason.split(target.options.password).join('…');
    throw new MfrecError(ErrorCodes.IO, `Cannot reach Redis at ${target.shown} (${flag}): ${reason}`, { cause: e });
  } finally {
    client.disconnect();
  }
}
