/**
 * `mfrec evaluate TRAIN --test TEST --model ...`: trains on TRAIN and measures
 * on TEST. Rating models: RMSE and MAE. Ranking models and popularity: ranking
 * metrics at k, always next to the popularity baseline from the same run.
 * `--model all`: every family with its defaults, one table (evaluate-all.ts).
 * `--model-file MODEL` instead of `--model`: a saved model (trained here or
 * imported, docs/import.md) measured the same way, without training.
 */
import { Option, type Command } from 'commander';
import type { Interactions } from '../data/interactions.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { compareRanking } from '../eval/compare-ranking.js';
import type { Recommender } from '../models/base/recommender.js';
import type { IterationReport } from '../models/base/training.js';
import { EVALUATED_TYPES, isRatingModel, listOf, MODEL_TYPES, type EvaluatedType, type ModelType, type RatingModel } from '../models/registry.js';
import { buildReportData } from '../report/report-data.js';
import { writeReport } from '../report/write-report.js';
import { warnTestPairsInTrain } from './held-out-check.js';
import { loadModel } from '../persist/load-model.js';
import { addModelFlags, createModel, familyFlagsGiven, type ModelFlags } from './model-flags.js';
import { printJson, printTable } from './output.js';
import { intArg } from './parse.js';
import { createProgress, type Progress } from './progress.js';
import { evaluateAll } from './evaluate-all.js';
import { addReadFlags, readForModel, readOptionsFrom, type ReadFlags } from './read-flags.js';

export interface EvaluateFlags extends ReadFlags, ModelFlags {
  test: string;
  model: EvaluatedType | 'all';
  modelFile?: string;
  k: number;
  json?: boolean;
  quiet?: boolean;
  report?: string;
}

const RANKING_METRICS = ['precision', 'recall', 'ndcg', 'map', 'auc', 'hitRate', 'coverage'] as const;

export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('train on TRAIN and measure on --test: RMSE/MAE (explicit), or ranking metrics next to popularity')
    .argument('<train>', 'training interactions')
    .requiredOption('--test <file>', 'held-out interactions (same format as TRAIN)')
    .addOption(new Option('--model <type>', "model, or 'all': every family with its defaults, in one table").choices([...EVALUATED_TYPES, 'all']))
    .option('--model-file <file>', 'measure this saved model (trained here or imported) instead of training one with --model')
    .option('--k <n>', 'ranking cut-off', intArg(1), 10)
    .option('--json', 'machine-readable output')
    .option('--quiet', 'no progress bars')
    .option(
      '--report <file>',
      'also write an HTML report (training curve; metric@k and distributions for ranking models; error histogram for rating models; with --model all, every row and the best ranking model)',
    );
  addModelFlags(cmd);
  addReadFlags(cmd);
  cmd.action(async (trainFile: string, flags: EvaluateFlags) => {
    if (flags.modelFile !== undefined) return evaluateSaved(trainFile, { ...flags, modelFile: flags.modelFile });
    if (flags.model === undefined) cmd.error("error: required option '--model <type>' not specified (or --model-file FILE: a saved model)");
    if (flags.model === 'all') return evaluateAll(trainFile, { ...flags, model: 'all' });
    if (flags.report && flags.model === 'popularity') {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--report needs a factor model (${listOf(MODEL_TYPES)}), not popularity`);
    }
    const progress = createProgress(!flags.json && !flags.quiet);
    const readOptions = readOptionsFrom(flags);
    const train = (await readForModel(trainFile, readOptions, flags.model, progress)).interactions;
    const testRead = (await readForModel(flags.test, readOptions, flags.model, progress)).interactions;
    if (flags.model !== 'popularity' && isRatingModel(flags.model)) return evaluateRatings({ ...flags, model: flags.model }, train, testRead, progress);
    return evaluateImplicit({ ...flags, model: flags.model }, train, testRead, progress);
  });
}

export async function fitWithProgress(model: Recommender, train: Interactions, progress: Progress) {
  const iterations: IterationReport[] = [];
  progress.start('training', model.params.iterations ?? 1);
  try {
    await model.fit(train, {
      onIteration: (r) => {
        iterations.push(r);
        progress.update(r.iteration);
      },
    });
  } finally {
    progress.stop();
  }
  return iterations;
}

/** `--model-file`: the saved model, measured as a freshly trained one of its type would be (no training, no iterations). */
async function evaluateSaved(trainFile: string, flags: EvaluateFlags & { modelFile: string }) {
  if (flags.model !== undefined) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'give --model (train one) or --model-file (a saved model), not both');
  const [familyFlag] = familyFlagsGiven(flags);
  if (familyFlag !== undefined)
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${familyFlag} does not apply to --model-file: the saved model is measured as it is`);
  const saved = await loadModel(flags.modelFile);
  const progress = createProgress(!flags.json && !flags.quiet);
  const readOptions = readOptionsFrom(flags);
  const train = (await readForModel(trainFile, readOptions, saved.type, progress)).interactions;
  const testRead = (await readForModel(flags.test, readOptions, saved.type, progress)).interactions;
  if (isRatingModel(saved.type)) return evaluateRatings({ ...flags, model: saved.type }, train, testRead, progress, saved as RatingModel);
  return evaluateImplicit({ ...flags, model: saved.type }, train, testRead, progress, saved);
}

async function evaluateRatings(flags: EvaluateFlags & { model: ModelType }, train: Interactions, test: Interactions, progress: Progress, saved?: RatingModel) {
  const model = saved ?? (createModel(flags.model, flags, train) as RatingModel);
  warnTestPairsInTrain(train, test, flags.test);
  const iterations = saved === undefined ? await fitWithProgress(model, train, progress) : [];
  const result = await model.evaluate(test);
  if (flags.report) await writeReport(flags.report, buildReportData({ model, train, test: test.alignTo(train).aligned, iterations, k: flags.k }));
  if (flags.json) return printJson({ model: flags.model, rmse: result.rmse, mae: result.mae, count: result.count, iterations });
  printTable([
    ['RMSE', result.rmse.toFixed(4)],
    ['MAE', result.mae.toFixed(4)],
    ['test ratings', result.count],
    [
      'training',
      saved === undefined ? `${iterations.length} iterations, ${iterations.reduce((s, r) => s + r.seconds, 0).toFixed(2)} s` : `none (${flags.modelFile})`,
    ],
  ]);
}

async function evaluateImplicit(
  flags: EvaluateFlags & { model: EvaluatedType },
  train: Interactions,
  testRead: Interactions,
  progress: Progress,
  saved?: Recommender,
) {
  // Held-out users and items the training data never saw cannot be ranked: they are dropped and reported.
  const { aligned: test, droppedEntries } = testRead.alignTo(train);
  const models: Record<string, Recommender> = {};
  let iterations: IterationReport[] = [];
  if (saved !== undefined) models[flags.model] = saved;
  else if (flags.model !== 'popularity') {
    const model = createModel(flags.model, flags, train);
    iterations = await fitWithProgress(model, train, progress);
    models[flags.model] = model;
  }
  const report = compareRanking(models, train, test, { k: flags.k });
  const model = models[flags.model];
  if (flags.report && model) await writeReport(flags.report, buildReportData({ model, train, test, iterations, k: flags.k }));
  if (flags.json) return printJson({ ...report, droppedTestInteractions: droppedEntries, iterations });
  const names = Object.keys(report.models);
  const line = (cells: string[]) => process.stdout.write(cells.map((c, j) => (j === 0 ? c.padEnd(12) : c.padStart(12))).join('') + '\n');
  line([`@${flags.k}`, ...names]);
  for (const m of RANKING_METRICS) line([m, ...names.map((n) => report.models[n]![m].toFixed(4))]);
  process.stdout.write(
    `${report.users} users evaluated` + (droppedEntries ? `; ${droppedEntries} test interactions with unseen users or items dropped` : '') + '\n',
  );
}
