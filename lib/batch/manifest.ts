/**
 * The manifest a batch job leaves when every shard is done: what was run
 * (job id, model path and checksum), where each shard's output is, how many
 * users and rows it holds, which worker wrote it and when. Written
 * atomically: a manifest is only ever complete.
 */
import { unlink } from 'node:fs/promises';
import { ErrorCodes, MfrecError } from '../errors.js';
import { writeFileAtomic } from '../persist/model-file.js';

export interface ManifestShard {
  /** 1-based, as `recommend --shard i/n`. */
  shard: number;
  users: number;
  rows: number;
  output: string;
  worker: string;
  seconds: number;
}

export interface RecommendManifest {
  format: 'mfrec-batch';
  version: 1;
  kind: 'recommend';
  job: string;
  queue: string;
  model: { path: string; sha256: string; bytes: number };
  k: number;
  filterSeen: boolean;
  /** A folder of part files, or a PostgreSQL table (URL without password). */
  output: { kind: 'dir'; dir: string } | { kind: 'postgres'; url: string; table: string };
  users: number;
  rows: number;
  shards: ManifestShard[];
  submittedAt: string;
  finishedAt: string;
  seconds: number;
}

export async function writeManifest(file: string, manifest: object): Promise<void> {
  await writeFileAtomic(file, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
}

/**
 * Removes an earlier job's manifest before this job's shards replace the
 * part files it lists: a manifest beside part files always describes them
 * (a job that fails leaves none).
 */
export async function removeManifest(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new MfrecError(ErrorCodes.IO, `Cannot remove the earlier manifest '${file}': ${(e as Error).message}`, { cause: e });
  }
}
