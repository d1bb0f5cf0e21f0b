/**
 * `mfrec recommend --model MODEL (--user ID | --all [--shard i/n]) [--k 10]`:
 * CSV `user,item,rank,score` (rank from 1), streamed block by block so
 * memory stays flat however many users there are.
 */
import type { Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { RawId } from '../data/id-map.js';
import { loadModel } from '../persist/load-model.js';
import { CsvSink, formatScore } from './output.js';
import { intArg, shardArg } from './parse.js';
import { createProgress } from './progress.js';

interface RecommendFlags {
  model: string;
  user?: string[];
  all?: boolean;
  shard?: { index: number; count: number };
  k: number;
  keepSeen?: boolean;
  out?: string;
  threads?: number;
  quiet?: boolean;
}

const BLOCK = 2048;

export function registerRecommend(program: Command): void {
  program
    .command('recommend')
    .description('top-k items per user from a trained model, as CSV user,item,rank,score')
    .requiredOption('--model <file>', 'model file written by mfrec train')
    .option('--user <id...>', 'one or more user ids')
    .option('--all', 'every user the model knows')
    .option('--shard <i/n>', 'with --all: only users whose index modulo n is i-1 (split a batch job over n processes)', shardArg)
    .option('--k <n>', 'items per user', intArg(1), 10)
    .option('--keep-seen', 'keep items the user already interacted with')
    .option('--threads <n>', 'threads (0 = all cores)', intArg(0))
    .option('--out <file>', 'write CSV here (atomically) instead of stdout')
    .option('--quiet', 'no progress bar')
    .action(async (flags: RecommendFlags) => {
      if (!flags.all === !flags.user) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'Give either --user ID or --all');
      if (flags.shard && !flags.all) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--shard applies to --all only');
      const model = await loadModel(flags.model);
      const users = flags.all ? shardUsers(model.userIds, flags.shard) : flags.user!;
      const options = { k: flags.k, filterSeen: !flags.keepSeen, ...(flags.threads !== undefined ? { threads: flags.threads } : {}) };
      const sink = CsvSink.open(flags.out, ['user', 'item', 'rank', 'score']);
      const progress = createProgress(!flags.quiet && flags.out !== undefined);
      progress.start('recommending', users.length);
      try {
        for (let start = 0; start < users.length; start += BLOCK) {
          const batch = await model.recommendBatch(users.slice(start, start + BLOCK), options);
          for (const { user, recommendations } of batch.entries()) {
            let rank = 1;
            for (const r of recommendations) await sink.row([user, r.item, rank++, formatScore(r.score)]);
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
