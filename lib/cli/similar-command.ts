/** `mfrec similar --model-file MODEL --item ID [--k 10]`: "bought this, also bought", as CSV item,similar,rank,score. */
import type { Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import { loadModel } from '../persist/load-model.js';
import { approximateOptions } from './recommend-command.js';
import { checkOutputPaths } from '../persist/output-paths.js';
import { addModelFileFlag, type ModelFileFlags } from './model-file-flag.js';
import { formatScore, RAW_IDS_HELP } from './output.js';
import { fileOut, openSink } from './open-sink.js';
import { intArg } from './parse.js';

interface SimilarFlags extends ModelFileFlags {
  item: string[];
  k: number;
  out?: string;
  rawIds?: boolean;
  approximate?: boolean;
  ef?: number;
}

export function registerSimilar(program: Command): void {
  const cmd = program.command('similar').description('items most similar to the given items (cosine of factor vectors), as CSV item,similar,rank,score');
  addModelFileFlag(cmd, 'model file written by mfrec train')
    .requiredOption('--item <id...>', 'one or more item ids')
    .option('--k <n>', 'similar items per item', intArg(1), 10)
    .option('--out <file>', 'write CSV here (atomically) instead of stdout, or into postgres://…?table=NAME (swapped in atomically)')
    .option('--raw-ids', RAW_IDS_HELP)
    .option('--approximate', "search the model's cosine index (train --index hnsw --index-similar) instead of comparing with every item")
    .option('--ef <n>', "with --approximate: results kept while searching (default the index's)", intArg(1, 1 << 20))
    .action(async (flags: SimilarFlags) => {
      await checkOutputPaths([{ flag: '--out', path: fileOut(flags.out) }], [{ flag: '--model-file', path: flags.modelFile }]);
      if (flags.ef !== undefined && !flags.approximate) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--ef applies with --approximate only');
      const model = await loadModel(flags.modelFile);
      // Look every item up first: an unknown id fails before any output is written.
      const rows = flags.item.map((item) => ({ item, similar: model.similarItems(item, { k: flags.k, ...approximateOptions(flags) }) }));
      const sink = await openSink(flags.out, ['item', 'similar', 'rank', 'score'], { rawIds: flags.rawIds });
      try {
        for (const { item, similar } of rows) {
          let rank = 1;
          for (const s of similar) await sink.row([item, s.item, rank++, formatScore(s.score)]);
        }
        await sink.commit();
      } catch (e) {
        await sink.abort();
        throw e;
      }
    });
}
