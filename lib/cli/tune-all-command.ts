/**
 * `mfrec tune TRAIN --model all`: searches every family of the registry over
 * its own default ranges, on one validation split and one ranking metric,
 * prints each family's best and keeps the best of all (saved with --out,
 * measured on --test).
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { MODEL_TYPES } from '../models/registry.js';
import { writeFileAtomic } from '../persist/model-file.js';
import { parseMetric } from '../tune/metric.js';
import { planSearch } from '../tune/plan.js';
import { trialToJson, tuneResultToJson } from '../tune/results.js';
import { resolveSpace } from '../tune/space.js';
import { tuneAll, type TuneAllResult } from '../tune/tune-all.js';
import { describeValidation } from '../tune/validation-split.js';
import { printJson, printTable } from './output.js';
import { createProgress } from './progress.js';
import { readForModels, readOptionsFrom } from './read-flags.js';
import {
  bestParams,
  checkTuneOutputs,
  checkValidationData,
  formatParams,
  measureOnTest,
  printTestReport,
  searchShape,
  validationOf,
  writeTuneReport,
  type TuneFlags,
} from './tune-shared.js';
import { printable } from '../text/printable.js';

const DEFAULT_METRIC = 'ndcg@10';

export async function runTuneAll(trainFile: string, flags: TuneFlags): Promise<void> {
  if (flags.space !== undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--space does not apply to --model all: each family is searched over its own default ranges');
  }
  await checkTuneOutputs(trainFile, flags);
  const metricName = flags.metric ?? DEFAULT_METRIC;
  const metric = parseMetric(metricName, MODEL_TYPES[0]!);
  if (metric.kind === 'rating') {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--metric ${metricName} does not apply to --model all: every family is compared on a ranking metric`);
  }
  const validation = validationOf(flags);
  const readOptions = readOptionsFrom(flags);
  const progress = createProgress(!flags.json && !flags.quiet);
  const trainRead = await readForModels(trainFile, readOptions, MODEL_TYPES, progress);
  const testRead = flags.test === undefined ? undefined : await readForModels(flags.test, readOptions, MODEL_TYPES, progress);
  const unfit = new Map([...trainRead.unfit, ...(testRead?.unfit ?? [])]);
  for (const [type, reason] of unfit) process.stderr.write(`mfrec: note: ${type} left out: ${printable(reason)}\n`);
  const models = MODEL_TYPES.filter((t) => !unfit.has(t));
  const train = trainRead.read.interactions;
  checkValidationData(validation, train, trainFile);
  const trials = models.reduce((n, t) => n + planSearch(flags.strategy, flags.budget, resolveSpace(t)).trials, 0);

  let done = 0;
  progress.start('tuning', trials);
  let result: TuneAllResult;
  try {
    result = await tuneAll(train, {
      models,
      metric: metric.name,
      budget: flags.budget,
      strategy: flags.strategy,
      validation,
      seed: flags.seed,
      threads: flags.threads,
      adaptDefaults: !flags.fixedDefaults,
      onTrial: (family) => progress.update(++done, family),
    });
  } finally {
    progress.stop();
  }

  const best = result.best;
  const k = metric.kind === 'ranking' ? metric.k : 10;
  if (flags.out !== undefined) await best.model.save(flags.out);
  if (flags.trials !== undefined) {
    const json = { format: 'mfrec-tune-all', version: 1, metric: result.metric, best: best.modelType, families: result.families.map(tuneResultToJson) };
    await writeFileAtomic(flags.trials, Buffer.from(JSON.stringify(json, null, 2) + '\n'));
  }
  const test = testRead === undefined ? undefined : await measureOnTest(best, train, testRead.read.interactions, k, false);
  if (flags.report !== undefined && testRead !== undefined) await writeTuneReport(flags.report, best, train, testRead.read.interactions, k);

  if (flags.json) {
    return printJson({
      model: 'all',
      metric: result.metric,
      direction: result.direction,
      budget: flags.budget,
      validation: best.validation,
      best: best.modelType,
      families: result.families.map((r) => ({
        model: r.modelType,
        strategy: r.strategy,
        trials: r.trials.length,
        seconds: r.seconds,
        best: trialToJson(r.best),
        finalParams: r.model.params,
      })),
      leftOut: Object.fromEntries(unfit),
      ...(test ? { test } : {}),
      ...(flags.out ? { out: flags.out } : {}),
      ...(flags.trials ? { trialsFile: flags.trials } : {}),
    });
  }
  printTable([
    ['validation', describeValidation(best.validation)],
    ...result.families.map((r): [string, string] => [
      r.modelType,
      `${result.metric} ${r.best.score.toFixed(4)}; ${searchShape(r)}, ${r.trials.length} trials in ${r.seconds.toFixed(1)} s; ${formatParams(bestParams(r))}`,
    ]),
    ['best', `${best.modelType} (${result.metric} ${best.best.score.toFixed(4)})`],
    ...(flags.out ? ([['saved', flags.out]] as Array<[string, string]>) : []),
    ...(flags.trials ? ([['trials', flags.trials]] as Array<[string, string]>) : []),
  ]);
  if (test !== undefined) printTestReport(test);
}
