/**
 * What travels through the queue: one BullMQ job per shard, its data (all a
 * worker needs, paths absolute) and what the worker returns. Shard job ids
 * are `<job>-<shard>`, so a resubmitted shard is the same job, never a second one.
 */
import type { ReadOptions } from '../data/read-delimited.js';

export const DEFAULT_QUEUE = 'mfrec';
/** Tries per shard before it is failed for good, with exponential backoff from BACKOFF_MS. */
export const ATTEMPTS = 3;
export const BACKOFF_MS = 1_000;

/** Where a recommend job's shards write: one CSV file per shard in a folder, or one staging table per shard. */
export type ShardDestination = { kind: 'dir'; dir: string } | { kind: 'postgres'; url: string; table: string };

export interface RecommendShard {
  kind: 'recommend';
  job: string;
  model: { path: string; checksum: string };
  k: number;
  filterSeen: boolean;
  /** CSV ids exactly as they are (no spreadsheet guard), as recommend --raw-ids. */
  rawIds: boolean;
  shard: { index: number; count: number };
  destination: ShardDestination;
}

export interface EvaluateShard {
  kind: 'evaluate';
  job: string;
  train: string;
  test: string;
  read: ReadOptions;
  model: string;
  k: number;
  seed?: number;
  threads?: number;
}

export interface TuneTrialShard {
  kind: 'tune-trial';
  job: string;
  train: string;
  read: ReadOptions;
  /** tune()'s options as given (JSON: no callbacks), the same in every trial of a search. */
  options: Record<string, unknown>;
  /** The configuration number and the hyperparameters it trains with (iterations set for its rung). */
  config: number;
  params: Record<string, number | string>;
  rung: number | null;
}

export type ShardData = RecommendShard | EvaluateShard | TuneTrialShard;

/** Where a worker ran a shard, for the manifest. */
export interface ShardRun {
  worker: string;
  seconds: number;
}

export interface RecommendShardResult extends ShardRun {
  users: number;
  rows: number;
  /** The shard's file, or its staging table. */
  output: string;
}

export function shardJobId(job: string, index: number): string {
  return `${job}-${index}`;
}
