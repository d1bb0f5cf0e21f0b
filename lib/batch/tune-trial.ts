/**
 * A worker's part of `mfrec batch tune`: one trial (a configuration at its
 * rung's iterations) scored by the same Objective as a local search, on the
 * same validation split (drawn from the search's seed), so a trial scores
 * what it would have scored in `mfrec tune`.
 */
import { hostname } from 'node:os';
import { readForModel } from '../cli/read-flags.js';
import { ErrorCodes, isMfrecError } from '../errors.js';
import { adaptedDefaults } from '../models/registry.js';
import { Objective } from '../tune/objective.js';
import { resolveTuneOptions } from '../tune/options.js';
import { validationSplits } from '../tune/validation-split.js';
import type { ShardRun, TuneTrialShard } from './jobs.js';

export interface TuneTrialResult extends ShardRun {
  /** null when training failed (diverged, out of memory): the trial is recorded with no score, as tune() does. */
  score: number | null;
  metrics: Record<string, number>;
  iterations: number;
  error: { code: string; message: string } | null;
}

/** Failures that condemn a configuration, not the search (as in tune.ts). */
const TRIAL_FAILURES: readonly string[] = [ErrorCodes.DIVERGED, ErrorCodes.OUT_OF_MEMORY];

/** The search a worker last scored for: its data and splits are read once for all its trials. */
let cached: { job: string; objective: Objective } | undefined;

async function objectiveFor(data: TuneTrialShard): Promise<Objective> {
  if (cached?.job === data.job) return cached.objective;
  cached = undefined;
  const o = resolveTuneOptions(data.options);
  const train = (await readForModel(data.train, data.read, o.family.type)).interactions;
  const base = o.adaptDefaults ? adaptedDefaults(o.family.traits, train) : {};
  const splits = validationSplits(train, o.metric.kind === 'rating', o.validation, o.seed);
  const objective = new Objective(splits, { family: o.family, metric: o.metric, threads: o.threads, seed: o.seed, base });
  cached = { job: data.job, objective };
  return objective;
}

export async function runTuneTrial(data: TuneTrialShard): Promise<TuneTrialResult> {
  const started = process.hrtime.bigint();
  const objective = await objectiveFor(data);
  const run = () => ({ worker: `${hostname()}:${process.pid}`, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  try {
    const m = await objective.measure(data.params);
    return { score: Number.isFinite(m.score) ? m.score : null, metrics: m.metrics, iterations: m.iterations, error: null, ...run() };
  } catch (e) {
    if (!isMfrecError(e) || !TRIAL_FAILURES.includes(e.code)) throw e;
    const iterations = typeof data.params.iterations === 'number' ? data.params.iterations : 0;
    return { score: null, metrics: {}, iterations, error: { code: e.code, message: e.message }, ...run() };
  }
}
