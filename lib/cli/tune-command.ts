/**
 * `mfrec tune TRAIN --model TYPE ...`: searches hyperparameters on a
 * validation split of TRAIN, retrains the best configuration on all of
 * TRAIN, and with --test measures that model on data the search never saw.
 * `--model all` does so for every family and keeps the best (tune-all-command.ts).
 */
import { Option, type Command } from 'commander';
import { writeFileAtomic } from '../persist/model-file.js';
import { defaultMetric, parseMetric } from '../tune/metric.js';
import { TUNABLE_MODELS, isRatingFamily, type TunableModel } from '../tune/parameters.js';
import { planSearch } from '../tune/plan.js';
import { trialToJson, tuneResultToJson, type TuneResult } from '../tune/results.js';
import { resolveSpace } from '../tune/space.js';
import { tune } from '../tune/tune.js';
import { describeValidation } from '../tune/validation-split.js';
import { warnTestPairsInTrain } from './held-out-check.js';
import { printJson, printTable } from './output.js';
import { intArg } from './parse.js';
import { createProgress } from './progress.js';
import { addReadFlags, readForModel, readOptionsFrom } from './read-flags.js';
import { runTuneAll } from './tune-all-command.js';
import {
  addValidationFlags,
  bestParams,
  checkTuneOutputs,
  checkValidationData,
  formatParams,
  measureOnTest,
  printTestReport,
  searchShape,
  spaceOf,
  validationOf,
  writeTuneReport,
  type TuneFlags,
} from './tune-shared.js';

export function registerTune(program: Command): void {
  const cmd = program
    .command('tune')
    .description('search hyperparameters on a validation split of TRAIN; retrain the best on all of TRAIN; optionally measure on --test')
    .argument('<train>', 'training interactions: delimited text, optionally .gz')
    .addOption(
      new Option('--model <type>', "model to tune, or 'all': every family, keeping the best").choices([...TUNABLE_MODELS, 'all']).makeOptionMandatory(),
    )
    .option('--test <file>', 'held-out interactions to measure the final model on (never used by the search)')
    .option('--metric <name>', 'objective: ndcg@K, precision@K, recall@K, map@K, hitrate@K, auc, or rmse/mae (explicit) (default: ndcg@10, rmse for explicit)')
    .option('--budget <n>', 'training budget in full-length trials (per family with --model all)', intArg(1, 100_000), 20)
    .addOption(new Option('--strategy <s>', 'random search, or successive halving on iterations').choices(['random', 'halving']).default('halving'))
    .option('--space <json>', 'ranges replacing the defaults, e.g. \'{"factors":{"min":16,"max":64},"iterations":30}\'')
    .option('--seed <n>', 'seed of the draws, the validation split and the models', intArg(0, 0xffffffff), 42)
    .option('--threads <n>', 'threads per training run (0 = all cores)', intArg(0, 256), 0)
    .option('--out <model>', 'save the final model (best configuration, trained on all of TRAIN)')
    .option('--trials <file>', 'write every trial and the best configuration as JSON')
    .option('--report <file>', 'with --test: an HTML report of the final model and the trials (metric against each hyperparameter)')
    .option('--fixed-defaults', 'start from the documented fixed defaults, not those adapted to the data (see docs/defaults.md)')
    .option('--json', 'machine-readable summary on stdout')
    .option('--quiet', 'no progress bar');
  addReadFlags(addValidationFlags(cmd));
  cmd.action(async (trainFile: string, flags: TuneFlags) =>
    flags.model === 'all' ? runTuneAll(trainFile, flags) : runTune(trainFile, { ...flags, model: flags.model }),
  );
}

async function runTune(trainFile: string, flags: TuneFlags & { model: TunableModel }): Promise<void> {
  await checkTuneOutputs(trainFile, flags);
  const space = spaceOf(flags.space);
  const validation = validationOf(flags);
  const metric = parseMetric(flags.metric ?? defaultMetric(flags.model), flags.model);
  // The plan depends on the options only: known before any data is read, it sizes the progress bar.
  const plan = planSearch(flags.strategy, flags.budget, resolveSpace(flags.model, space));
  const readOptions = readOptionsFrom(flags);
  const progress = createProgress(!flags.json && !flags.quiet);
  const train = (await readForModel(trainFile, readOptions, flags.model, progress)).interactions;
  checkValidationData(validation, train, trainFile);
  const testRead = flags.test === undefined ? undefined : (await readForModel(flags.test, readOptions, flags.model, progress)).interactions;
  if (testRead !== undefined && isRatingFamily(flags.model)) warnTestPairsInTrain(train, testRead, flags.test!);

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
      adaptDefaults: !flags.fixedDefaults,
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
  const test = testRead === undefined ? undefined : await measureOnTest(result, train, testRead, metric.kind === 'ranking' ? metric.k : 10, true);
  if (flags.report !== undefined && testRead !== undefined) {
    await writeTuneReport(flags.report, result, train, testRead, metric.kind === 'ranking' ? metric.k : 10);
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
  printTable([
    ['search', `${result.modelType}, ${searchShape(result)}, ${result.trials.length} trials in ${result.seconds.toFixed(1)} s`],
    ['validation', describeValidation(result.validation)],
    ['best', `${result.metric} ${result.best.score.toFixed(4)} (trial ${result.best.id}, configuration ${result.best.config})`],
    ['params', formatParams(bestParams(result))],
    ...(flags.out ? ([['saved', flags.out]] as Array<[string, string]>) : []),
    ...(flags.trials ? ([['trials', flags.trials]] as Array<[string, string]>) : []),
  ]);
  if (test !== undefined) printTestReport(test);
}
