/**
 * `mfrec report --model MODEL --train TRAIN --test TEST [--trials FILE] [--out FILE]`:
 * an HTML report of a saved model on its training and held-out data, with
 * tuning trials when given.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import { loadModel } from '../persist/load-model.js';
import { buildReportData } from '../report/report-data.js';
import type { Trial, TrialsInput } from '../report/trials.js';
import { writeReport } from '../report/write-report.js';
import { printJson } from './output.js';
import { intArg } from './parse.js';
import { addReadFlags, readForCli, readOptionsFrom, type ReadFlags } from './read-flags.js';

interface ReportFlags extends ReadFlags {
  model: string;
  train: string;
  test: string;
  trials?: string;
  out: string;
  k: number;
  title?: string;
  json?: boolean;
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('write a self-contained HTML report of a model: accuracy at k, distributions, examples, tuning trials')
    .requiredOption('--model <file>', 'model file written by mfrec train')
    .requiredOption('--train <file>', 'the training interactions')
    .requiredOption('--test <file>', 'held-out interactions (same format as --train)')
    .option('--trials <file>', 'tuning trials as JSON: an array of trials or { metric, trials }')
    .option('--out <file>', 'where to write the HTML', 'report.html')
    .option('--k <n>', 'cut-off of the summary, distributions and examples', intArg(1, 100), 10)
    .option('--title <text>', 'page heading')
    .option('--json', 'print a JSON summary instead of a sentence');
  addReadFlags(cmd);
  cmd.action(async (flags: ReportFlags) => {
    const model = await loadModel(flags.model);
    const readOptions = readOptionsFrom(flags);
    const train = (await readForCli(flags.train, readOptions)).interactions;
    // Held-out users and items the training data never saw cannot be ranked: dropped and counted.
    const { aligned: test, droppedEntries } = (await readForCli(flags.test, readOptions)).interactions.alignTo(train);
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
    if (flags.json) return printJson({ out: flags.out, users: data.data.users, items: data.data.items, droppedTestInteractions: droppedEntries });
    process.stdout.write(
      `Report written to ${flags.out}` + (droppedEntries ? ` (${droppedEntries} test interactions with unseen users or items dropped)` : '') + '\n',
    );
  });
}

async function readTrials(file: string): Promise<TrialsInput | Trial[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new MfrecError(ErrorCodes.IO, `Cannot read trials file ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text) as TrialsInput | Trial[];
  } catch (e) {
    throw new MfrecError(ErrorCodes.PARSE, `${file}: not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}
