/**
 * `mfrec recommend --history FILE`: recommendations for the users of a file
 * of recent interactions, each folded in from their rows in the file against
 * the model's fixed item factors (no retraining). A user the model knows is
 * folded in too: the file's rows replace their trained vector, so pass each
 * user's whole current history.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { LoadedModel } from '../persist/load-model.js';
import type { RecommendOptions } from '../models/base/factor-model.js';
import type { ModelFileFlags } from './model-file-flag.js';
import { CsvSink, formatScore } from './output.js';
import { createProgress } from './progress.js';
import { readForCli, readOptionsFrom, type ReadFlags } from './read-flags.js';
import { isRatingModel } from '../models/registry.js';

export interface HistoryFlags extends ReadFlags, ModelFileFlags {
  history: string;
  out?: string;
  rawIds?: boolean;
  quiet?: boolean;
}

export async function recommendFromHistory(model: LoadedModel, flags: HistoryFlags, options: RecommendOptions): Promise<void> {
  if (!model.supportsRecalculate) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `--history needs a model type that folds users in; the ${model.type} model in ${flags.modelFile} does not`,
    );
  }
  const read = await readForCli(flags.history, readOptionsFrom(flags), createProgress(!flags.quiet));
  const { interactions } = read;
  const hasValues = read.format.columns.value !== null || read.format.columns.type !== null;
  if (!hasValues && isRatingModel(model.type)) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `${flags.history}: the ${model.type} model folds users in from ratings: give the history a value column (--value-col)`,
    );
  }
  const m = interactions.byUser;
  const sink = await CsvSink.open(flags.out, ['user', 'item', 'rank', 'score', 'source'], { rawIds: flags.rawIds });
  const progress = createProgress(!flags.quiet && flags.out !== undefined);
  progress.start('recommending', m.rows);
  try {
    for (let u = 0; u < m.rows; u++) {
      const begin = m.indptr[u]!;
      const end = m.indptr[u + 1]!;
      if (begin === end) continue;
      const items = Array.from(m.indices.subarray(begin, end), (i) => interactions.items.id(i));
      const history = hasValues ? { items, values: Array.from(m.values.subarray(begin, end)) } : { items };
      const user = interactions.users.id(u);
      let rank = 1;
      for (const r of model.recommend(user, { ...options, recalculate: true, interactions: history })) {
        await sink.row([user, r.item, rank++, formatScore(r.score), r.source]);
      }
      if (u % 256 === 255) progress.update(u + 1);
    }
    progress.update(m.rows);
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  } finally {
    progress.stop();
  }
}
