/**
 * `mfrec batch recommend`: the top-k lists of every user of a model, as
 * shards on the queue. The submitter checks everything it can before
 * submitting (the output, the model and its checksum), waits for the shards,
 * then for PostgreSQL swaps the shard tables in as the target table in one
 * transaction, and returns the manifest.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { isPostgresUrl, parsePostgresUrl, tableName } from '../db/connection.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { RecommendShard, RecommendShardResult, ShardDestination } from './jobs.js';
import { removeManifest, type ManifestShard, type RecommendManifest } from './manifest.js';
import { loadModelWithChecksum } from './model-checksum.js';
import { assembleShardTables } from './postgres-assemble.js';
import { shardSize } from './recommend-shard.js';
import type { RedisTarget } from './redis-url.js';
import { removeOtherParts, shardTable } from './shard-output.js';
import { sharedLocation } from './shared-location.js';
import { runShards, type ShardStatus } from './submit.js';

export interface RecommendJobOptions {
  model: string;
  k: number;
  shards: number;
  out: string;
  queue: string;
  /** How long Redis may be out of reach mid-job (ms). */
  redisWaitMs: number;
  filterSeen: boolean;
  rawIds: boolean;
  job?: string;
  /** The manifest file the job will write once done; for a folder, an earlier one there is removed first. */
  manifest?: string;
  /** Progress: a shard changed state or reported users done; `total` users in all. */
  onChange?: (shard: ShardStatus, all: readonly ShardStatus[], sizes: readonly number[]) => void;
}

/** A job id: letters, digits, `_` and `.` and `-` (BullMQ ids and file names alike). */
export function checkJobId(id: string, flag = '--job-id'): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(id)) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Invalid ${flag} '${id}': letters, digits, '_', '.', '-' (at most 100)`);
  }
  return id;
}

export function newJobId(kind: string): string {
  return `${kind}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
}

/** `--out` as a destination: a postgres://…?table=NAME URL (checked) or a folder (made if missing). */
async function destinationOf(out: string, shards: number): Promise<ShardDestination> {
  if (isPostgresUrl(out)) {
    const target = parsePostgresUrl(out, '--out URL');
    if (target.table === undefined) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Name the table in --out ${target.shown}: add ?table=NAME`);
    tableName(target.table, '--out table');
    // The longest derived name is checked now, not by a worker after the job is queued.
    tableName(shardTable(target.table, shards - 1, shards), `--out table (with its shard suffix)`);
    return { kind: 'postgres', url: sharedLocation(out), table: target.table };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(out)) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Invalid --out '${out}': a folder or postgres://…?table=NAME`);
  }
  const dir = path.resolve(out);
  const existing = await stat(dir).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `--out '${out}' is a file, not a folder: give a folder for the shards' files, or postgres://…?table=NAME`,
    );
  }
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new MfrecError(ErrorCodes.IO, `Cannot create --out folder '${out}': ${(e as Error).message}`, { cause: e });
  }
  return { kind: 'dir', dir };
}

export async function runRecommendJob(redis: RedisTarget, o: RecommendJobOptions): Promise<RecommendManifest> {
  const submittedAt = new Date();
  const job = o.job === undefined ? newJobId('recommend') : checkJobId(o.job);
  // The model first: a bad one must leave no --out folder behind.
  const modelPath = path.resolve(o.model);
  const { model, checksum, bytes } = await loadModelWithChecksum(modelPath, '--model file');
  const users = model.userIds.length;
  await model.dispose();
  const destination = await destinationOf(o.out, o.shards);
  const sizes = Array.from({ length: o.shards }, (_, i) => shardSize(users, i, o.shards));
  const shards: RecommendShard[] = sizes.map((_, index) => ({
    kind: 'recommend',
    job,
    model: { path: modelPath, checksum },
    k: o.k,
    filterSeen: o.filterSeen,
    rawIds: o.rawIds,
    shard: { index, count: o.shards },
    destination,
  }));
  // A table is swapped in whole at the end, an earlier manifest stays true until then; part files are replaced one by one.
  if (destination.kind === 'dir' && o.manifest !== undefined) await removeManifest(o.manifest);
  const results = (await runShards(redis, shards, {
    queue: o.queue,
    job,
    redisWaitMs: o.redisWaitMs,
    onChange: (s, all) => o.onChange?.(s, all, sizes),
  })) as RecommendShardResult[];
  const rows = results.reduce((n, r) => n + r.rows, 0);
  if (destination.kind === 'dir') await removeOtherParts(destination.dir, o.shards);
  if (destination.kind === 'postgres') {
    // The submitter's own URL: the one in the shards has no password.
    await assembleShardTables(
      o.out,
      destination.table,
      results.map((r) => r.output),
      rows,
    );
  }
  const finishedAt = new Date();
  const manifestShards: ManifestShard[] = results.map((r, i) => ({
    shard: i + 1,
    users: r.users,
    rows: r.rows,
    output: r.output,
    worker: r.worker,
    seconds: r.seconds,
  }));
  return {
    format: 'mfrec-batch',
    version: 1,
    kind: 'recommend',
    job,
    queue: o.queue,
    model: { path: modelPath, sha256: checksum, bytes },
    k: o.k,
    filterSeen: o.filterSeen,
    output: destination.kind === 'dir' ? destination : { kind: 'postgres', url: parsePostgresUrl(destination.url).shown, table: destination.table },
    users,
    rows,
    shards: manifestShards,
    submittedAt: submittedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - submittedAt.getTime()) / 1000,
  };
}
