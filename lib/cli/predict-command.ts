/**
 * `mfrec predict --model MODEL FILE`: one predicted rating per input line, in
 * file order, as CSV `user,item,prediction` with the raw ids as written.
 * Unknown users or items follow the model's `unknown` policy (biases by
 * default, or an error).
 */
import type { Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import { ExplicitMF } from '../models/explicit-mf.js';
import { loadModel } from '../persist/load-model.js';
import { CsvSink, formatScore } from './output.js';
import { addReadFlags, readOptionsFrom, readRowsForCli, type ReadFlags } from './read-flags.js';

interface PredictFlags extends ReadFlags {
  model: string;
  out?: string;
}

export function registerPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description('predict the rating of every (user, item) line of FILE with an explicit model, as CSV user,item,prediction')
    .argument('<file>', 'pairs to score: user,item[,...] lines, delimited text, optionally .gz')
    .requiredOption('--model <file>', 'explicit model file written by mfrec train --model explicit')
    .option('--out <file>', 'write CSV here (atomically) instead of stdout');
  addReadFlags(cmd);
  cmd.action(async (file: string, flags: PredictFlags) => {
    const model = await loadModel(flags.model);
    if (!(model instanceof ExplicitMF)) {
      throw new MfrecError(
        ErrorCodes.INVALID_ARGUMENT,
        `predict needs an explicit (rating) model; ${flags.model} holds a model of type ${model.type}: use mfrec recommend to rank items with it`,
      );
    }
    const sink = CsvSink.open(flags.out, ['user', 'item', 'prediction']);
    try {
      for await (const batch of readRowsForCli(file, readOptionsFrom(flags))) {
        const predictions = model.predictMany(batch.users, batch.items);
        for (let r = 0; r < batch.users.length; r++) {
          await sink.row([batch.users[r]!, batch.items[r]!, formatScore(predictions[r]!)]);
        }
      }
      await sink.commit();
    } catch (e) {
      await sink.abort();
      throw e;
    }
  });
}
