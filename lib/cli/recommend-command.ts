/**
 * `mfrec recommend --model-file MODEL (--user ID | --all [--shard i/n] | --history FILE) [--k 10]`:
 * CSV `user,item,rank,score,source` (rank from 1; source 'model' or 'cold-start'), streamed block by block so
 * memory stays flat however many users there are.
 */
import type { Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { RawId } from '../data/id-map.js';
import { loadModel } from '../persist/load-model.js';
import { recommendFromHistory, type HistoryFlags } from './history-recommend.js';
import { checkOutputPaths } from '../persist/output-paths.js';
import { addModelFileFlag, type ModelFileFlags } from './model-file-flag.js';
import { formatScore, RAW_IDS_HELP } from './output.js';
import { fileOut, openSink } from './open-sink.js';
import { intArg, shardArg } from './parse.js';
import { createProgress } from './progress.js';
import { addReadFlags, type ReadFlags } from './read-flags.js';

interface RecommendFlags extends ReadFlags, ModelFileFlags {
  user?: string[];
  all?: boolean;
  history?: string;
  shard?: { index: number; count: number };
  k: number;
  keepSeen?: boolean;
  out?: string;
  rawIds?: boolean;
  threads?: number;
  quiet?: boolean;
  approximate?: boolean;
  ef?: number;
}

const BLOCK = 2048;

export function registerRecommend(program: Command): void {
  const cmd = program.command('recommend').description('top-k items per user from a trained model, as CSV user,item,rank,score,source');
  addModelFileFlag(cmd, 'model file written by mfrec train')
    .option('--user <id...>', 'one or more user ids')
    .option('--all', 'every user the model knows')
    .option(
      '--history <file>',
      'recent interactions (user,item[,value] rows; read with the flags below): each user in the file is folded in ' +
        "from their rows, without retraining (a known user's trained vector is replaced by the fold-in)",
    )
    .option('--shard <i/n>', 'with --all: only users whose index modulo n is i-1 (split a batch job over n processes)', shardArg)
    .option('--k <n>', 'items per user', intArg(1), 10)
    .option('--keep-seen', 'keep items the user already interacted with')
    .option('--threads <n>', 'threads (0 = all cores)', intArg(0))
    .option('--approximate', "search the model's approximate index (train --index hnsw) instead of scoring every item")
    .option('--ef <n>', "with --approximate: results kept while searching (more: higher recall, slower; default the index's)", intArg(1, 1 << 20))
    .option('--out <file>', 'write CSV here (atomically) instead of stdout, or into postgres://…?table=NAME (swapped in atomically)')
    .option('--raw-ids', RAW_IDS_HELP)
    .option('--quiet', 'no progress bar');
  addReadFlags(cmd);
  cmd.action(async (flags: RecommendFlags) => {
    const modes = [flags.user !== undefined, flags.all === true, flags.history !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'Give exactly one of --user ID, --all or --history FILE');
    if (flags.shard && !flags.all) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--shard applies to --all only');
    if (flags.ef !== undefined && !flags.approximate) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--ef applies with --approximate only');
    await checkOutputPaths(
      [{ flag: '--out', path: fileOut(flags.out) }],
      [
        { flag: '--model-file', path: flags.modelFile },
        { flag: '--history', path: flags.history },
      ],
    );
    const model = await loadModel(flags.modelFile);
    if (flags.history !== undefined) {
      return recommendFromHistory(model, flags as HistoryFlags, { k: flags.k, filterSeen: !flags.keepSeen, ...approximateOptions(flags) });
    }
    const users = flags.all ? shardUsers(model.userIds, flags.shard) : flags.user!;
    const options = {
      k: flags.k,
      filterSeen: !flags.keepSeen,
      ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
      ...approximateOptions(flags),
    };
    const sink = await openSink(flags.out, ['user', 'item', 'rank', 'score', 'source'], { rawIds: flags.rawIds });
    const progress = createProgress(!flags.quiet && flags.out !== undefined);
    progress.start('recommending', users.length);
    try {
      for (let start = 0; start < users.length; start += BLOCK) {
        const batch = await model.recommendBatch(users.slice(start, start + BLOCK), options);
        for (const { user, recommendations } of batch.entries()) {
          let rank = 1;
          for (const r of recommendations) await sink.row([user, r.item, rank++, formatScore(r.score), r.source]);
        }
        progress.update(Math.min(users.length, start + BLOCK));
      }
      await sink.commit();
    } catch (e) {
      await sink.abort();
      throw e;
    } finally {
      progress.stop();
    }
  });
}

function shardUsers(all: RawId[], shard: { index: number; count: number } | undefined): RawId[] {
  return shard ? all.filter((_, u) => u % shard.count === shard.index) : all;
}

/** --approximate and --ef as recommend options (none when not asked for). */
export function approximateOptions(flags: { approximate?: boolean; ef?: number }): { approximate?: true; ef?: number } {
  if (!flags.approximate) return {};
  return { approximate: true, ...(flags.ef !== undefined ? { ef: flags.ef } : {}) };
}
