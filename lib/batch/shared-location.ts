/**
 * An input or output as it goes into a shard, for a worker on another
 * machine: a file as an absolute path (workers see the same folders), a
 * PostgreSQL URL as it is but without its password. The queue keeps jobs
 * in Redis for days, readable by anyone who can reach it; workers give
 * their own password (PGPASSWORD or ~/.pgpass), the submitter uses the one
 * it was given.
 */
import path from 'node:path';
import { isPostgresUrl, parsePostgresUrl } from '../db/connection.js';

export function sharedLocation(location: string): string {
  // A URL is not a path: resolved, postgres://h/db would become <cwd>/postgres:/h/db.
  return isPostgresUrl(location) ? parsePostgresUrl(location).shown : path.resolve(location);
}
