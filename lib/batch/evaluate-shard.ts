/**
 * A worker's part of `mfrec batch evaluate`: one model family trained with
 * its defaults on TRAIN and measured on TEST, by the same code as `mfrec
 * evaluate --model all` (compareModels), so the rows are those it prints.
 */
import { hostname } from 'node:os';
import { readForModel } from '../cli/read-flags.js';
import { compareModels, type ComparedModel } from '../eval/compare-models.js';
import type { ModelType } from '../models/registry.js';
import type { EvaluateShard, ShardRun } from './jobs.js';

export interface EvaluateShardResult extends ShardRun {
  /** The family's row, then the popularity baseline's (the same in every shard: the same data). */
  rows: ComparedModel[];
  users: number;
  droppedTestInteractions: number;
}

export async function runEvaluateShard(data: EvaluateShard): Promise<EvaluateShardResult> {
  const started = process.hrtime.bigint();
  const train = (await readForModel(data.train, data.read, data.model)).interactions;
  const test = (await readForModel(data.test, data.read, data.model)).interactions;
  const comparison = await compareModels(train, test, {
    k: data.k,
    models: [data.model as ModelType],
    ...(data.seed !== undefined ? { seed: data.seed } : {}),
    ...(data.threads !== undefined ? { threads: data.threads } : {}),
  });
  for (const model of Object.values(comparison.models)) await model?.dispose();
  return {
    rows: comparison.rows,
    users: comparison.users,
    droppedTestInteractions: comparison.droppedTestInteractions,
    worker: `${hostname()}:${process.pid}`,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
