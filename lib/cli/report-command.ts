/**
 * `mfrec report --model-file MODEL --train TRAIN --test TEST [--trials FILE] [--out FILE]`:
 * an HTML report of a saved model on its training and held-out data, with
 * tuning trials when given. When the data do not belong to the model
 * (training data it was not trained on, held-out pairs it was trained on),
 * the report is still written, with a warning banner at its top, and each
 * warning is printed on stderr.
 */
import type { Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import { loadModel } from '../persist/load-model.js';
import { checkOutputPaths } from '../persist/output-paths.js';
import { readTextFile } from '../persist/read-text-file.js';
import { buildReportData, type ReportData } from '../report/report-data.js';
import type { Trial, TrialsInput } from '../report/trials.js';
import { writeReport } from '../report/write-report.js';
import { addModelFileFlag, type ModelFileFlags } from './model-file-flag.js';
import { printJson } from './output.js';
import { intArg } from './parse.js';
import { createProgress } from './progress.js';
import { addReadFlags, readForCli, readOptionsFrom, type ReadFlags } from './read-flags.js';

interface ReportFlags extends ReadFlags, ModelFileFlags {
  train: string;
  test: string;
  trials?: string;
  out: string;
  k: number;
  title?: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerReport(program: Command): void {
  const cmd = program.command('report').description('write a self-contained HTML report of a model: accuracy at k, distributions, examples, tuning trials');
  addModelFileFlag(cmd, 'model file written by mfrec train')
    .requiredOption('--train <file>', 'the training interactions')
    .requiredOption('--test <file>', 'held-out interactions (same format as --train)')
    .option('--trials <file>', 'tuning trials as JSON: an array of trials or { metric, trials }')
    .option('--out <file>', 'where to write the HTML', 'report.html')
    .option('--k <n>', 'cut-off of the summary, distributions and examples', intArg(1, 100), 10)
    .option('--title <text>', 'page heading')
    .option('--json', 'print a JSON summary instead of a sentence')
    .option('--quiet', 'no progress bars');
  addReadFlags(cmd);
  cmd.action(async (flags: ReportFlags) => {
    await checkOutputPaths(
      [{ flag: '--out', path: flags.out }],
      [
        { flag: '--model-file', path: flags.modelFile },
        { flag: '--train', path: flags.train },
        { flag: '--test', path: flags.test },
        { flag: '--trials', path: flags.trials },
      ],
    );
    const model = await loadModel(flags.modelFile);
    const readOptions = readOptionsFrom(flags);
    const progress = createProgress(!flags.json && !flags.quiet);
    const train = (await readForCli(flags.train, readOptions, progress)).interactions;
    // Held-out users and items the training data never saw cannot be ranked: dropped and counted.
    const { aligned: test, droppedEntries } = (await readForCli(flags.test, readOptions, progress)).interactions.alignTo(train);
    const trials = flags.trials === undefined ? undefined : await readTrials(flags.trials);
    const data = buildReportData({
      model,
      train,
      test,
      k: flags.k,
      ...(trials ? { trials } : {}),
      ...(flags.title ? { title: flags.title } : {}),
    });
    await writeReport(flags.out, data);
    printReportWarnings(data);
    if (flags.json) {
      return printJson({ out: flags.out, users: data.data.users, items: data.data.items, droppedTestInteractions: droppedEntries, warnings: data.warnings });
    }
    process.stdout.write(
      `Report written to ${flags.out}` + (droppedEntries ? ` (${droppedEntries} test interactions with unseen users or items dropped)` : '') + '\n',
    );
  });
}

/** The report's data warnings, one stderr line each: a report read later must not be the only place they show. */
function printReportWarnings(data: ReportData): void {
  for (const w of data.warnings) process.stderr.write(`mfrec: warning: ${w}\n`);
}

async function readTrials(file: string): Promise<TrialsInput | Trial[]> {
  // Trials of a search are kilobytes: 64 MiB bounds a wrong file (or /dev/zero) without limiting real ones.
  const text = await readTextFile(file, 'trials file', 64 * 1024 * 1024);
  try {
    return JSON.parse(text) as TrialsInput | Trial[];
  } catch (e) {
    throw new MfrecError(ErrorCodes.PARSE, `${file}: not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}
