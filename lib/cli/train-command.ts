/** `mfrec train FILE --model explicit|als|bpr ... --out MODEL` */
import { Option, type Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import { ItemItemModel } from '../models/item-item/item-item-model.js';
import type { IterationReport } from '../models/base/training.js';
import { addModelFlags, createModel, type ModelFlags, type TrainableType } from './model-flags.js';
import { checkOutputPaths } from '../persist/output-paths.js';
import { printJson, printTable } from './output.js';
import { createProgress } from './progress.js';
import { addReadFlags, readForModel, readOptionsFrom, type ReadFlags } from './read-flags.js';
import { isRatingModel, listOf, MODEL_TYPES } from '../models/registry.js';
import { postgresSourceOf } from './postgres-input.js';
import { intArg } from './parse.js';
import type { BuildIndexOptions } from '../models/base/ann-index.js';
import { readItemMetadataFile } from './item-metadata-file.js';

interface TrainFlags extends ReadFlags, ModelFlags {
  model: TrainableType;
  out: string;
  validation?: string;
  json?: boolean;
  quiet?: boolean;
  timings?: boolean;
  query?: string;
  table?: string;
  index?: 'hnsw';
  indexM?: number;
  indexEfConstruction?: number;
  indexEf?: number;
  indexSimilar?: boolean;
  itemMetadata?: string;
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model on an interactions file and save it')
    .argument('<file>', 'interactions: delimited text, optionally .gz, or postgres://user@host:port/db (with --query or --table)')
    .addOption(new Option('--model <type>', 'model').choices(MODEL_TYPES).makeOptionMandatory())
    .requiredOption('--out <model>', 'where to write the model file')
    .option('--validation <file>', 'explicit model: validation ratings, reported each epoch and used for early stopping')
    .option('--json', 'machine-readable summary on stdout')
    .option('--quiet', 'no progress bars')
    .option('--timings', 'print the seconds of each phase: read, layout, epochs, save (--json always has them as phases)')
    .option('--query <sql>', 'with a postgres:// FILE: the SQL query whose rows are the interactions')
    .option('--table <name>', 'with a postgres:// FILE: the table whose rows are the interactions')
    .addOption(
      new Option('--index <kind>', 'factor models: also build an approximate top-k index, saved with the model (docs/approximate.md)').choices(['hnsw']),
    )
    .option('--index-m <n>', 'with --index: links per node', intArg(2, 256))
    .option('--index-ef-construction <n>', 'with --index: candidates kept while building', intArg(1, 1 << 20))
    .option('--index-ef <n>', 'with --index: default ef of approximate queries', intArg(1, 1 << 20))
    .option('--index-similar', 'with --index: also index cosine neighbours for similar --approximate')
    .option('--item-metadata <file>', 'item metadata saved in the model: .csv/.tsv with an item (or id) column, or .jsonl objects with an item field');
  addModelFlags(cmd);
  addReadFlags(cmd);
  cmd.action(async (file: string, flags: TrainFlags) => {
    // Before hours of training: an unwritable --out, or one naming an input, fails now.
    await checkOutputPaths(
      [{ flag: '--out', path: flags.out }],
      [
        { flag: 'FILE', path: file },
        { flag: '--validation', path: flags.validation },
        { flag: '--item-metadata', path: flags.itemMetadata },
      ],
    );
    // Read before training: a bad line fails in seconds, not after the fit.
    const metadata = flags.itemMetadata === undefined ? undefined : await readItemMetadataFile(flags.itemMetadata);
    const progress = createProgress(!flags.json && !flags.quiet);
    // Built now to refuse bad flags before reading; rebuilt below with the defaults adapted to the data read.
    const probe = createModel(flags.model, flags);
    checkIndexFlags(flags, probe instanceof ItemItemModel);
    const readOptions = readOptionsFrom(flags);
    const readStarted = performance.now();
    const data = await readForModel(file, readOptions, flags.model, progress, postgresSourceOf(file, flags));
    const model = createModel(flags.model, flags, data.interactions);
    const validation = flags.validation ? (await readForModel(flags.validation, readOptions, flags.model, progress)).interactions : undefined;
    const readSeconds = (performance.now() - readStarted) / 1000;
    if (validation && !isRatingModel(flags.model)) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--validation applies to rating models only (--model ${listOf(MODEL_TYPES.filter(isRatingModel))})`);
    }
    const iterations: IterationReport[] = [];
    progress.start('training', model.params.iterations ?? 1);
    const started = Date.now();
    try {
      await model.fit(data.interactions, {
        ...(validation ? { validation } : {}),
        onIteration: (r) => {
          iterations.push(r);
          const detail =
            r.validationRmse !== undefined ? `val RMSE ${r.validationRmse.toFixed(4)}` : r.trainRmse !== undefined ? `RMSE ${r.trainRmse.toFixed(4)}` : '';
          progress.update(r.iteration, detail);
        },
      });
    } finally {
      progress.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    let index: Record<string, unknown> | undefined;
    if (flags.index !== undefined) {
      const indexStarted = Date.now();
      progress.start('building index', 1);
      await model.buildIndex(indexOptions(flags));
      progress.stop();
      index = { ...model.indexInfo, seconds: (Date.now() - indexStarted) / 1000 };
    }
    if (metadata !== undefined) model.setItemMetadata(metadata);
    const saveStarted = performance.now();
    await model.save(flags.out);
    const phases = phaseSeconds(readSeconds, seconds, iterations, (performance.now() - saveStarted) / 1000);
    const summary = {
      model: flags.model,
      out: flags.out,
      users: data.interactions.nUsers,
      items: data.interactions.nItems,
      interactions: data.interactions.nnz,
      skippedLines: data.skipped,
      ...(metadata !== undefined ? { itemMetadata: metadata.length } : {}),
      seconds,
      params: model.params,
      ...(model instanceof ItemItemModel ? { fittedParams: model.fittedParams, autoChoice: model.autoChoice } : {}),
      iterations,
      ...(index ? { index } : {}),
      phases,
    };
    if (flags.json) return printJson(summary);
    printTable([
      ['model', `${flags.model} → ${flags.out}`],
      [
        'data',
        `${summary.users} users, ${summary.items} items, ${summary.interactions} interactions${data.skipped ? ` (${data.skipped} bad lines skipped)` : ''}`,
      ],
      ['trained', `${iterations.length} iteration${iterations.length === 1 ? '' : 's'} in ${seconds.toFixed(2)} s`],
      ...(index
        ? [['index', `hnsw (M ${String(index.M)}, ef ${String(index.ef)}) built in ${(index.seconds as number).toFixed(2)} s`] as [string, string]]
        : []),
      ...lastMetrics(iterations),
      ...chosenOptions(model),
      ...(flags.timings ? [['phases', phasesLine(phases)] as [string, string]] : []),
    ]);
  });
}

const INDEX_DETAIL_FLAGS = [
  ['indexM', '--index-m'],
  ['indexEfConstruction', '--index-ef-construction'],
  ['indexEf', '--index-ef'],
  ['indexSimilar', '--index-similar'],
] as const;

/** --index-* flags need --index, and item-to-item models need no index: refused before reading the data. */
function checkIndexFlags(flags: TrainFlags, itemToItem: boolean): void {
  if (flags.index === undefined) {
    const stray = INDEX_DETAIL_FLAGS.find(([key]) => flags[key] !== undefined);
    if (stray) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${stray[1]} applies with --index hnsw only`);
  } else if (itemToItem) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--index: a ${flags.model} model needs no index (its ranking reads only the neighbours of a history)`);
  }
}

function indexOptions(flags: TrainFlags): BuildIndexOptions {
  return {
    ...(flags.indexM !== undefined ? { M: flags.indexM } : {}),
    ...(flags.indexEfConstruction !== undefined ? { efConstruction: flags.indexEfConstruction } : {}),
    ...(flags.indexEf !== undefined ? { ef: flags.indexEf } : {}),
    ...(flags.indexSimilar ? { similar: true } : {}),
  };
}

/** What an item-to-item model's 'auto' options came to, and what the other candidates scored. */
function chosenOptions(model: unknown): Array<[string, string]> {
  if (!(model instanceof ItemItemModel) || model.autoChoice.length === 0 || model.fittedParams === undefined) return [];
  const chosen = Object.keys(model.autoChoice[0]!.params);
  const values = chosen.map((key) => `${key} ${String(model.fittedParams![key])}`).join(', ');
  const best = Math.max(...model.autoChoice.map((c) => c.ndcg));
  return [['chosen on validation', `${values} (NDCG@10 ${best.toFixed(4)}, best of ${model.autoChoice.length})`]];
}

function lastMetrics(iterations: IterationReport[]): Array<[string, string]> {
  const last = iterations[iterations.length - 1];
  if (!last) return [];
  const rows: Array<[string, string]> = [];
  if (last.trainRmse !== undefined) rows.push(['train RMSE', last.trainRmse.toFixed(4)]);
  if (last.validationRmse !== undefined) rows.push(['validation RMSE', last.validationRmse.toFixed(4)]);
  if (last.trainLoss !== undefined) rows.push(['train loss', last.trainLoss.toPrecision(5)]);
  return rows;
}

/**
 * Where the seconds of a run went: reading (and checking) the input, laying
 * the data out for training (everything the fit does besides its iterations:
 * id compaction, the training layout, the initial factors), the iterations,
 * and saving. Reported as measured, so a user timing the whole command can
 * see which phase to look at.
 */
interface Phases {
  read: number;
  layout: number;
  epochs: number;
  save: number;
}

function phaseSeconds(read: number, fit: number, iterations: IterationReport[], save: number): Phases {
  const epochs = iterations.reduce((sum, r) => sum + r.seconds, 0);
  return { read, layout: Math.max(0, fit - epochs), epochs, save };
}

function phasesLine(p: Phases): string {
  return `read ${p.read.toFixed(2)} s, layout ${p.layout.toFixed(2)} s, epochs ${p.epochs.toFixed(2)} s, save ${p.save.toFixed(2)} s`;
}
