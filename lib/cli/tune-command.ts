/**
 * `mfrec tune TRAIN --model als|bpr|explicit ...`: searches hyperparameters
 * on a validation split of TRAIN, retrains the best configuration on all of
 * TRAIN, and with --test measures that model on data the search never saw.
 */
import { Option, type Command } from 'commander';
import type { Interactions } from '../data/interactions.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { compareRanking, type RankingComparison } from '../eval/compare-ranking.js';
import { buildReportData } from '../report/report-data.js';
import { writeReport } from '../report/write-report.js';
import { writeFileAtomic } from '../persist/model-file.js';
import { checkOutputPaths } from '../persist/output-paths.js';
import { defaultMetric, parseMetric } from '../tune/metric.js';
import { TUNABLE_MODELS, type TunableModel } from '../tune/parameters.js';
import { planSearch, type Strategy } from '../tune/plan.js';
import { trialToJson, tuneResultToJson, type TuneResult } from '../tune/results.js';
import { resolveSpace, type Range } from '../tune/space.js';
import { tune } from '../tune/tune.js';
import type { ValidationOptions } from '../tune/validation-split.js';
import { warnTestPairsInTrain } from './held-out-check.js';
import { printJson, printTable } from './output.js';
import { intArg, numberArg } from './parse.js';
import { createProgress } from './progress.js';
import { addReadFlags, readForModel, readOptionsFrom, type ReadFlags } from './read-flags.js';
import { isRatingModel, type RatingModel } from '../models/registry.js';

interface TuneFlags extends ReadFlags {
  model: TunableModel;
  test?: string;
  metric?: string;
  budget: number;
  strategy: Strategy;
  folds?: number;
  validationFraction?: number;
  space?: string;
  seed: number;
  threads: number;
  out?: string;
  trials?: string;
  report?: string;
  json?: boolean;
  quiet?: boolean;
}

const RANKING_ROWS = ['precision', 'recall', 'ndcg', 'map', 'auc', 'hitRate', 'coverage'] as const;

export function registerTune(program: Command): void {
  const cmd = program
    .command('tune')
    .description('search hyperparameters on a validation split of TRAIN; retrain the best on all of TRAIN; optionally measure on --test')
    .argument('<train>', 'training interactions: delimited text, optionally .gz')
    .addOption(new Option('--model <type>', 'model to tune').choices(TUNABLE_MODELS).makeOptionMandatory())
    .option('--test <file>', 'held-out interactions to measure the final model on (never used by the search)')
    .option('--metric <name>', 'objective: ndcg@K, precision@K, recall@K, map@K, hitrate@K, auc, or rmse/mae (explicit) (default: ndcg@10, rmse for explicit)')
    .option('--budget <n>', 'training budget in full-length trials', intArg(1, 100_000), 20)
    .addOption(new Option('--strategy <s>', 'random search, or successive halving on iterations').choices(['random', 'halving']).default('halving'))
    .option('--folds <k>', 'score configurations by k-fold cross-validation of TRAIN instead of one holdout', intArg(2, 20))
    .option('--validation-fraction <x>', 'holdout share of TRAIN (default 0.2)', numberArg(0))
    .option('--space <json>', 'ranges replacing the defaults, e.g. \'{"factors":{"min":16,"max":64},"iterations":30}\'')
    .option('--seed <n>', 'seed of the draws, the validation split and the models', intArg(0, 0xffffffff), 42)
    .option('--threads <n>', 'threads per training run (0 = all cores)', intArg(0, 256), 0)
    .option('--out <model>', 'save the final model (best configuration, trained on all of TRAIN)')
    .option('--trials <file>', 'write every trial and the best configuration as JSON')
    .option('--report <file>', 'with --test: an HTML report of the final model and the trials (metric against each hyperparameter)')
    .option('--json', 'machine-readable summary on stdout')
    .option('--quiet', 'no progress bar');
  addReadFlags(cmd);
  cmd.action(async (trainFile: string, flags: TuneFlags) => runTune(trainFile, flags));
}

function validationOf(flags: TuneFlags): ValidationOptions {
  if (flags.folds !== undefined && flags.validationFraction !== undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--folds and --validation-fraction exclude each other: choose k-fold or a holdout');
  }
  if (flags.folds !== undefined) return { kind: 'kfold', folds: flags.folds };
  return flags.validationFraction === undefined ? { kind: 'holdout' } : { kind: 'holdout', testFraction: flags.validationFraction };
}

function spaceOf(text: string | undefined): Partial<Record<string, Range>> | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Partial<Record<string, Range>>;
  } catch (e) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--space is not valid JSON: ${(e as Error).message}`);
  }
}

function formatParams(params: Record<string, number | string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

async function runTune(trainFile: string, flags: TuneFlags): Promise<void> {
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
  const space = spaceOf(flags.space);
  const validation = validationOf(flags);
  const metric = parseMetric(flags.metric ?? defaultMetric(flags.model), flags.model);
  // The plan depends on the options only: known before any data is read, it sizes the progress bar.
  const plan = planSearch(flags.strategy, flags.budget, resolveSpace(flags.model, space));
  const readOptions = readOptionsFrom(flags);
  const progress = createProgress(!flags.json && !flags.quiet);
  const train = (await readForModel(trainFile, readOptions, flags.model, progress)).interactions;
  const testRead = flags.test === undefined ? undefined : (await readForModel(flags.test, readOptions, flags.model, progress)).interactions;
  if (testRead !== undefined && isRatingModel(flags.model)) warnTestPairsInTrain(train, testRead, flags.test!);

  let bestScore = NaN;
  let bestRung: number | undefined;
  progress.start('tuning', plan.trials);
  let result: TuneResult;
  try {
    result = await tune(train, {
      model: flags.model,
      metric: metric.name,
      budget: flags.budget,
      strategy: flags.strategy,
      validation,
      seed: flags.seed,
      threads: flags.threads,
      ...(space ? { space } : {}),
      onTrial: (t) => {
        // Scores of different rungs are not comparable (shorter training): the best is shown per rung.
        if (t.rung !== bestRung) [bestScore, bestRung] = [NaN, t.rung];
        const better = metric.direction === 'max' ? t.score > bestScore : t.score < bestScore;
        if (Number.isNaN(bestScore) || better) bestScore = t.score;
        const rung = t.rung === undefined ? '' : ` in rung ${t.rung + 1}/${plan.rungs.length}`;
        progress.update(t.id + 1, `best ${metric.name} ${Number.isNaN(bestScore) ? '–' : bestScore.toFixed(4)}${rung}`);
      },
    });
  } finally {
    progress.stop();
  }

  if (flags.out !== undefined) await result.model.save(flags.out);
  if (flags.trials !== undefined) await writeFileAtomic(flags.trials, Buffer.from(JSON.stringify(tuneResultToJson(result), null, 2) + '\n'));
  const test = testRead === undefined ? undefined : await measureOnTest(result, train, testRead, metric.kind === 'ranking' ? metric.k : 10);
  if (flags.report !== undefined && testRead !== undefined) {
    // Only the last rung's trials are comparable (the same training length): they are the ones plotted.
    const lastRung = Math.max(-1, ...result.trials.map((t) => t.rung ?? -1));
    const trials = result.trials.filter((t) => (t.rung ?? -1) === lastRung && Number.isFinite(t.score));
    await writeReport(
      flags.report,
      buildReportData({
        model: result.model,
        train,
        test: testRead.alignTo(train).aligned,
        trials: { metric: result.metric, higherIsBetter: result.direction === 'max', trials },
        k: metric.kind === 'ranking' ? metric.k : 10,
      }),
    );
  }

  if (flags.json) {
    return printJson({
      model: result.modelType,
      metric: result.metric,
      direction: result.direction,
      strategy: result.strategy,
      budget: flags.budget,
      validation: result.validation,
      trials: result.trials.length,
      seconds: result.seconds,
      best: trialToJson(result.best),
      finalParams: result.model.params,
      ...(test ? { test } : {}),
      ...(flags.out ? { out: flags.out } : {}),
      ...(flags.trials ? { trialsFile: flags.trials } : {}),
    });
  }
  const v = result.validation;
  const rungs = result.plan.rungs.map((r) => `${r.configurations}×${r.iterations ?? '?'}`).join(' → ');
  printTable([
    ['search', `${result.modelType}, ${result.strategy} (${rungs} iterations), ${result.trials.length} trials in ${result.seconds.toFixed(1)} s`],
    ['validation', v.kind === 'holdout' ? `holdout ${v.testFraction} of TRAIN` : `${v.folds}-fold cross-validation of TRAIN`],
    ['best', `${result.metric} ${result.best.score.toFixed(4)} (trial ${result.best.id}, configuration ${result.best.config})`],
    ['params', formatParams({ ...result.best.params, iterations: result.best.iterations })],
    ...(flags.out ? ([['saved', flags.out]] as Array<[string, string]>) : []),
    ...(flags.trials ? ([['trials', flags.trials]] as Array<[string, string]>) : []),
  ]);
  if (test === undefined) return;
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

type TestReport = { rmse: number; mae: number; count: number } | (RankingComparison & { droppedTestInteractions: number });

/** Explicit: RMSE and MAE. Implicit: ranking metrics next to popularity, on the test set aligned to TRAIN's ids. */
async function measureOnTest(result: TuneResult, train: Interactions, testRead: Interactions, k: number): Promise<TestReport> {
  if (isRatingModel(result.modelType)) return (result.model as RatingModel).evaluate(testRead);
  const { aligned, droppedEntries } = testRead.alignTo(train);
  return { ...compareRanking({ [result.modelType]: result.model }, train, aligned, { k }), droppedTestInteractions: droppedEntries };
}
