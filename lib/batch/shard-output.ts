/**
 * Where one shard of a recommend job writes, named by the shard alone so that
 * a retried shard replaces its own output instead of adding to it: a CSV
 * file `part-00002-of-00008.csv` (written under a temporary name and renamed
 * when complete), or a table `<table>__part2of8` (staged and swapped in by
 * one transaction). Either way a half-written shard is never visible.
 */
import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { openSink, type RowSink } from '../cli/open-sink.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { ShardDestination } from './jobs.js';

export const RECOMMEND_HEADER = ['user', 'item', 'rank', 'score', 'source'];

function partName(index: number, count: number): string {
  const width = Math.max(5, String(count).length);
  return `part-${String(index + 1).padStart(width, '0')}-of-${String(count).padStart(width, '0')}.csv`;
}

/**
 * Removes the part files in `dir` of jobs with another shard count than
 * `count` (an earlier run split otherwise): left there, a reader of
 * `part-*.csv` would get their users twice or stale. Called once the job's
 * own parts are all in place.
 */
export async function removeOtherParts(dir: string, count: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new MfrecError(ErrorCodes.IO, `Cannot list the --out folder '${dir}': ${(e as Error).message}`, { cause: e });
  }
  for (const name of names) {
    const m = /^part-\d+-of-(\d+)\.csv$/.exec(name);
    if (m === null || Number(m[1]) === count) continue;
    try {
      await unlink(path.join(dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new MfrecError(ErrorCodes.IO, `Cannot remove '${path.join(dir, name)}', a part file of an earlier job: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** The table of shard `index` of `count` beside `table` (same schema). */
export function shardTable(table: string, index: number, count: number): string {
  return `${table}__part${index + 1}of${count}`;
}

/** The shard's file path or table name, as the manifest lists it. */
export function shardLocation(destination: ShardDestination, index: number, count: number): string {
  return destination.kind === 'dir' ? path.join(destination.dir, partName(index, count)) : shardTable(destination.table, index, count);
}

/** Opens the shard's output; commit() makes it visible whole, abort() leaves what was there before. */
export async function openShardOutput(destination: ShardDestination, index: number, count: number, rawIds: boolean): Promise<RowSink> {
  const location = shardLocation(destination, index, count);
  if (destination.kind === 'dir') return openSink(location, RECOMMEND_HEADER, { rawIds });
  const url = new URL(destination.url);
  url.searchParams.set('table', location);
  return openSink(url.toString(), RECOMMEND_HEADER);
}
