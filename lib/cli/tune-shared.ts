/** What `mfrec tune` does the same for one family and for `--model all`: its flags, their reading, the test measurement and its printing. */
import { buildReportData } from '../report/report-data.js';
import { writeReport } from '../report/write-report.js';
import { checkOutputPaths } from '../persist/output-paths.js';
import type { Interactions } from '../data/interactions.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { compareRanking, type RankingComparison } from '../eval/compare-ranking.js';
import type { RatingModel } from '../models/registry.js';
import { isRatingFamily, type TunableModel } from '../tune/parameters.js';
import type { Strategy } from '../tune/plan.js';
import type { TuneResult } from '../tune/results.js';
import type { Range } from '../tune/space.js';
import type { ValidationOptions } from '../tune/validation-split.js';
import { printTable } from './output.js';
import { intArg, numberArg } from './parse.js';
import { printable } from '../text/printable.js';
import type { Command } from 'commander';
import type { ReadFlags } from './read-flags.js';

export interface TuneFlags extends ReadFlags {
  model: TunableModel | 'all';
  test?: string;
  metric?: string;
  budget: number;
  strategy: Strategy;
  folds?: number;
  validationFraction?: number;
  validationByTime?: boolean;
  space?: string;
  seed: number;
  threads: number;
  out?: string;
  trials?: string;
  report?: string;
  json?: boolean;
  quiet?: boolean;
  fixedDefaults?: boolean;
}

const RANKING_ROWS = ['precision', 'recall', 'ndcg', 'map', 'auc', 'hitRate', 'coverage'] as const;

/** The flags of how a search validates, shared by `mfrec tune` and `mfrec batch tune`. */
export function addValidationFlags(cmd: Command): Command {
  return cmd
    .option('--folds <k>', 'score configurations by k-fold cross-validation of TRAIN instead of one holdout', intArg(2, 20))
    .option(
      '--validation-fraction <x>',
      'share of TRAIN held out to validate on: at random, or the latest with --validation-by-time (default 0.2)',
      numberArg(0),
    )
    .option('--validation-by-time', 'validate on the latest share of TRAIN by timestamp instead of a random one (TRAIN needs a time column)');
}

export function validationOf(flags: TuneFlags): ValidationOptions {
  if (flags.folds !== undefined && flags.validationFraction !== undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--folds and --validation-fraction exclude each other: choose k-fold or a holdout');
  }
  if (flags.folds !== undefined && flags.validationByTime) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--folds and --validation-by-time exclude each other: choose k-fold or the latest share of TRAIN');
  }
  if (flags.folds !== undefined) return { kind: 'kfold', folds: flags.folds };
  const fraction = flags.validationFraction;
  // Checked here, not only by tune(), so the message names the flag.
  if (fraction !== undefined && !(fraction > 0 && fraction <= 0.9)) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--validation-fraction must be in (0, 0.9], got ${fraction}`);
  }
  const kind = flags.validationByTime ? 'time' : 'holdout';
  return fraction === undefined ? { kind } : { kind, testFraction: fraction };
}

/** --validation-by-time needs TRAIN's timestamps: refused by flag and file when it has none. */
export function checkValidationData(validation: ValidationOptions, train: Interactions, trainFile: string): void {
  if (validation.kind === 'time' && !train.hasTimestamps) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `--validation-by-time needs timestamps, and TRAIN ${printable(trainFile)} has no time column (name it with --time-col)`,
    );
  }
}

export function spaceOf(text: string | undefined): Partial<Record<string, Range>> | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Partial<Record<string, Range>>;
  } catch (e) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--space is not valid JSON: ${(e as Error).message}`);
  }
}

export function formatParams(params: Record<string, number | string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** The best trial's hyperparameters as trained, iterations included for a family that has them. */
export function bestParams(result: TuneResult): Record<string, number | string> {
  const p = result.best.params;
  return 'iterations' in p ? { ...p, iterations: result.best.iterations } : { ...p };
}

export type TestReport = { rmse: number; mae: number; count: number } | (RankingComparison & { droppedTestInteractions: number });

/** Rating models scored on rating error: RMSE and MAE. Ranking: metrics next to popularity, on the test set aligned to TRAIN's ids. */
export async function measureOnTest(result: TuneResult, train: Interactions, testRead: Interactions, k: number, byRatings: boolean): Promise<TestReport> {
  if (byRatings && isRatingFamily(result.modelType as TunableModel)) return (result.model as RatingModel).evaluate(testRead);
  const { aligned, droppedEntries } = testRead.alignTo(train);
  return { ...compareRanking({ [result.modelType]: result.model }, train, aligned, { k }), droppedTestInteractions: droppedEntries };
}

export function printTestReport(test: TestReport): void {
  process.stdout.write('\nfinal model on --test:\n');
  if ('rmse' in test) {
    printTable([
      ['RMSE', test.rmse.toFixed(4)],
      ['MAE', test.mae.toFixed(4)],
      ['test ratings', test.count],
    ]);
    return;
  }
  const names = Object.keys(test.models);
  const line = (cells: string[]) => process.stdout.write(cells.map((c, j) => (j === 0 ? c.padEnd(12) : c.padStart(12))).join('') + '\n');
  line([`@${test.k}`, ...names]);
  for (const m of RANKING_ROWS) line([m, ...names.map((n) => test.models[n]![m].toFixed(4))]);
  process.stdout.write(
    `${test.users} users evaluated` +
      (test.droppedTestInteractions ? `; ${test.droppedTestInteractions} test interactions with unseen users or items dropped` : '') +
      '\n',
  );
}

/** "halving (57×2 → 19×5 → 6×15 iterations)", or "random" for a one-shot family. */
export function searchShape(result: TuneResult): string {
  const rungs = result.plan.rungs.map((r) => `${r.configurations}×${r.iterations ?? '?'}`).join(' → ');
  return 'iterations' in result.best.params ? `${result.strategy} (${rungs} iterations)` : result.strategy;
}

/**
 * The checks both tune commands make before reading anything: --report needs
 * --test, and no output may overwrite an input or another output.
 */
export async function checkTuneOutputs(trainFile: string, flags: TuneFlags): Promise<void> {
  if (flags.report !== undefined && flags.test === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--report needs --test: the report measures the final model on held-out data');
  }
  await checkOutputPaths(
    [
      { flag: '--out', path: flags.out },
      { flag: '--trials', path: flags.trials },
      { flag: '--report', path: flags.report },
    ],
    [
      { flag: 'TRAIN', path: trainFile },
      { flag: '--test', path: flags.test },
    ],
  );
}

/**
 * The HTML report of a search's final model on the test part. Only the last
 * rung's trials are comparable (the same training length): they are the ones plotted.
 */
export async function writeTuneReport(file: string, result: TuneResult, train: Interactions, test: Interactions, k: number): Promise<void> {
  const lastRung = Math.max(-1, ...result.trials.map((t) => t.rung ?? -1));
  const trials = result.trials.filter((t) => (t.rung ?? -1) === lastRung && Number.isFinite(t.score));
  await writeReport(
    file,
    buildReportData({
      model: result.model,
      train,
      test: test.alignTo(train).aligned,
      trials: { metric: result.metric, higherIsBetter: result.direction === 'max', validation: result.validation, trials },
      k,
    }),
  );
}
