/**
 * `mfrec import FILE|DIR --out MODEL [--format npz|spark] [--model als|bpr]
 * [--user-ids F] [--item-ids F] [--interactions F] [fold-in settings]`:
 * a factor model trained elsewhere (docs/import.md) written as an mfrec
 * model file, which recommend, similar, serve and report then read.
 */
import { Option, type Command } from 'commander';
import type { ImportFactorModelOptions } from '../import/import-factor-model.js';
import { checkOutputPaths } from '../persist/output-paths.js';
import { printJson, printTable } from './output.js';
import { intArg, numberArg } from './parse.js';
import { createProgress } from './progress.js';
import { addReadFlags, readForCli, readOptionsFrom, type ReadFlags } from './read-flags.js';

interface ImportFlags extends ReadFlags {
  out: string;
  format?: 'npz' | 'spark';
  model?: 'als' | 'bpr';
  userIds?: string;
  itemIds?: string;
  interactions?: string;
  regularization?: number;
  alpha?: number;
  scaleRegularization?: boolean;
  learningRate?: number;
  iterations?: number;
  json?: boolean;
  quiet?: boolean;
}

export function registerImport(program: Command): void {
  const cmd = program
    .command('import')
    .description("turn a factor model trained elsewhere into an mfrec model file: Python implicit's saved ALS/BPR (.npz) or a Spark ALSModel directory")
    .argument('<source>', 'the .npz file or the Spark model directory')
    .requiredOption('--out <model>', 'where to write the mfrec model file')
    .addOption(new Option('--format <format>', 'npz or spark (default: spark for a directory, npz for a file)').choices(['npz', 'spark']))
    .addOption(new Option('--model <type>', 'als or bpr (default: what the file says)').choices(['als', 'bpr']))
    .option('--user-ids <file>', '.npz: the user id of each factor row, one per line (default: row numbers 0, 1, …)')
    .option('--item-ids <file>', '.npz: the item id of each factor row, one per line')
    .option('--interactions <file>', 'the interactions the model was trained on: what filterSeen leaves out and cold start counts (read with the flags below)')
    .option('--regularization <x>', "fold-in λ (default: the file's; Spark 0.1)", numberArg(0))
    .option('--alpha <x>', "ALS fold-in confidence slope (default: the .npz's alpha − 1; Spark 1)", numberArg(0))
    .option('--scale-regularization', 'ALS fold-in λ·(1 + n) (default for Spark)')
    .option('--no-scale-regularization', 'ALS fold-in λ as is (default for .npz)')
    .option('--learning-rate <x>', "BPR fold-in step (default: the file's)", numberArg(0))
    .option('--iterations <n>', "BPR fold-in epochs (default: the file's)", intArg(1))
    .option('--json', 'machine-readable output')
    .option('--quiet', 'no progress bars');
  addReadFlags(cmd);
  cmd.action(async (source: string, flags: ImportFlags) => {
    const inputs = [{ flag: 'SOURCE', path: source }];
    for (const [flag, file] of [
      ['--user-ids', flags.userIds],
      ['--item-ids', flags.itemIds],
      ['--interactions', flags.interactions],
    ] as const) {
      if (file !== undefined) inputs.push({ flag, path: file });
    }
    await checkOutputPaths([{ flag: '--out', path: flags.out }], inputs);
    const options: ImportFactorModelOptions = { params: foldInParams(flags) };
    if (flags.format !== undefined) options.format = flags.format;
    if (flags.model !== undefined) options.model = flags.model;
    if (flags.userIds !== undefined) options.userIds = flags.userIds;
    if (flags.itemIds !== undefined) options.itemIds = flags.itemIds;
    if (flags.interactions !== undefined) {
      const progress = createProgress(!flags.json && !flags.quiet);
      options.interactions = (await readForCli(flags.interactions, readOptionsFrom(flags), progress)).interactions;
    }
    // Loaded here: the readers of other formats (and their decompressors) are not needed by other commands.
    const { importFactorModel } = await import('../import/import-factor-model.js');
    const model = await importFactorModel(source, options);
    await model.save(flags.out);
    const size = model.trainingSize;
    const summary = {
      model: model.type,
      factors: model.factors,
      users: size.users,
      items: size.items,
      seenInteractions: size.interactions,
      ...(options.interactions === undefined ? {} : { skippedInteractions: options.interactions.byUser.indices.length - size.interactions }),
      params: model.params,
      out: flags.out,
    };
    if (flags.json) return printJson(summary);
    printTable(Object.entries(summary).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]));
  });
}

/** The fold-in settings given on the command line, over those of the file. */
function foldInParams(flags: ImportFlags): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (flags.regularization !== undefined) params.regularization = flags.regularization;
  if (flags.alpha !== undefined) params.alpha = flags.alpha;
  if (flags.scaleRegularization !== undefined) params.scaleRegularization = flags.scaleRegularization;
  if (flags.learningRate !== undefined) params.learningRate = flags.learningRate;
  if (flags.iterations !== undefined) params.iterations = flags.iterations;
  return params;
}
