/**
 * `mfrec predict --model-file MODEL FILE`: one predicted rating per input line, in
 * file order, as CSV `user,item,prediction` with the raw ids as written.
 * Unknown users or items follow the model's `unknown` policy (biases by
 * default, or an error).
 */
import type { Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import { loadModel } from '../persist/load-model.js';
import { checkOutputPaths } from '../persist/output-paths.js';
import { addModelFileFlag, type ModelFileFlags } from './model-file-flag.js';
import { CsvSink, formatScore, RAW_IDS_HELP } from './output.js';
import { createProgress } from './progress.js';
import { withReadProgress } from './read-input.js';
import { addReadFlags, readOptionsFrom, readRowsForCli, type ReadFlags } from './read-flags.js';
import { isRatingModel, type RatingModel } from '../models/registry.js';

interface PredictFlags extends ReadFlags, ModelFileFlags {
  out?: string;
  quiet?: boolean;
  rawIds?: boolean;
}

export function registerPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description('predict the rating of every (user, item) line of FILE with an explicit model, as CSV user,item,prediction')
    .argument('<file>', 'pairs to score: user,item[,...] lines, delimited text, optionally .gz');
  addModelFileFlag(cmd, 'explicit model file written by mfrec train --model explicit')
    .option('--out <file>', 'write CSV here (atomically) instead of stdout')
    .option('--raw-ids', RAW_IDS_HELP)
    .option('--quiet', 'no progress bar');
  addReadFlags(cmd);
  cmd.action(async (file: string, flags: PredictFlags) => {
    await checkOutputPaths(
      [{ flag: '--out', path: flags.out }],
      [
        { flag: 'FILE', path: file },
        { flag: '--model-file', path: flags.modelFile },
      ],
    );
    const loaded = await loadModel(flags.modelFile);
    if (!isRatingModel(loaded.type)) {
      throw new MfrecError(
        ErrorCodes.INVALID_ARGUMENT,
        `predict needs an explicit (rating) model; ${flags.modelFile} holds a model of type ${loaded.type}: use mfrec recommend to rank items with it`,
      );
    }
    const model = loaded as RatingModel;
    const sink = await CsvSink.open(flags.out, ['user', 'item', 'prediction'], { rawIds: flags.rawIds });
    // The bar shares the terminal with the CSV only when the CSV goes to a file.
    const read = withReadProgress(file, readOptionsFrom(flags), createProgress(!flags.quiet && flags.out !== undefined), 'predicting');
    try {
      for await (const batch of readRowsForCli(file, read.options)) {
        const predictions = model.predictMany(batch.users, batch.items);
        for (let r = 0; r < batch.users.length; r++) {
          await sink.row([batch.users[r]!, batch.items[r]!, formatScore(predictions[r]!)]);
        }
      }
      await sink.commit();
    } catch (e) {
      await sink.abort();
      throw e;
    } finally {
      read.done();
    }
  });
}
