/**
 * `mfrec evaluate TRAIN --test TEST --model all`: every family of the
 * registry trained with its defaults on TRAIN, measured on TEST, printed as
 * one table next to popularity (RMSE too for rating models), and with
 * --report an HTML report of the best ranking model that lists every row.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { compareModels, type ComparedModel, type ModelComparison } from '../eval/compare-models.js';
import { MODEL_TYPES, MODELS, type ModelType } from '../models/registry.js';
import { buildReportData } from '../report/report-data.js';
import { writeReport } from '../report/write-report.js';
import { printable } from '../text/printable.js';
import type { EvaluateFlags } from './evaluate-command.js';
import { familyFlagsGiven } from './model-flags.js';
import { printJson } from './output.js';
import { createProgress } from './progress.js';
import { readForModels, readOptionsFrom } from './read-flags.js';

export async function evaluateAll(trainFile: string, flags: EvaluateFlags & { model: 'all' }): Promise<void> {
  const [flag] = familyFlagsGiven(flags);
  if (flag !== undefined) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `${flag} does not apply to --model all: every family trains with its defaults (--threads and --seed apply)`,
    );
  }
  const progress = createProgress(!flags.json && !flags.quiet);
  const readOptions = readOptionsFrom(flags);
  const trainRead = await readForModels(trainFile, readOptions, MODEL_TYPES, progress);
  const testRead = await readForModels(flags.test, readOptions, MODEL_TYPES, progress);
  const unfit = new Map([...trainRead.unfit, ...testRead.unfit]);
  for (const [type, reason] of unfit) process.stderr.write(`mfrec: note: ${type} left out: ${printable(reason)}\n`);
  const train = trainRead.read.interactions;
  let comparison: ModelComparison;
  try {
    comparison = await compareModels(train, testRead.read.interactions, {
      k: flags.k,
      models: MODEL_TYPES.filter((t) => !unfit.has(t)),
      ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      adaptDefaults: !flags.fixedDefaults,
      onFit: (type) => {
        progress.stop();
        const sweeps = MODELS[type].defaults.iterations;
        progress.start(`training ${type}`, typeof sweeps === 'number' ? sweeps : 1);
      },
      onIteration: (_type, r) => progress.update(r.iteration),
    });
  } finally {
    progress.stop();
  }
  if (flags.report) {
    const best = bestRanking(comparison.rows);
    if (best === undefined) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--report needs at least one trained model');
    await writeReport(
      flags.report,
      buildReportData({
        model: comparison.models[best]!,
        train,
        test: testRead.read.interactions.alignTo(train).aligned,
        iterations: comparison.iterations[best] ?? [],
        k: flags.k,
        comparison: comparison.rows,
      }),
    );
  }
  if (flags.json) {
    const { models: _trained, iterations: _fits, ...rest } = comparison;
    return printJson({ ...rest, leftOut: Object.fromEntries(unfit) });
  }
  printComparison(comparison);
}

/** The family with the best NDCG@k: the one the report shows in detail. */
function bestRanking(rows: readonly ComparedModel[]): ModelType | undefined {
  let best: ComparedModel | undefined;
  for (const r of rows) if (r.model !== 'popularity' && (best === undefined || r.ranking.ndcg > best.ranking.ndcg)) best = r;
  return best?.model as ModelType | undefined;
}

function printComparison(c: ModelComparison): void {
  const header = ['model', `P@${c.k}`, `recall@${c.k}`, `NDCG@${c.k}`, `MAP@${c.k}`, `hit@${c.k}`, `cover@${c.k}`, 'fit s', 'RMSE'];
  const rows = c.rows.map((r) => [
    r.model,
    r.ranking.precision.toFixed(4),
    r.ranking.recall.toFixed(4),
    r.ranking.ndcg.toFixed(4),
    r.ranking.map.toFixed(4),
    r.ranking.hitRate.toFixed(4),
    r.ranking.coverage.toFixed(4),
    r.fitSeconds === null ? '–' : r.fitSeconds.toFixed(2),
    r.rmse === null ? '–' : r.rmse.toFixed(4),
  ]);
  const width = Math.max(12, ...rows.map((r) => r[0]!.length + 2));
  for (const cells of [header, ...rows]) {
    process.stdout.write(cells.map((cell, j) => (j === 0 ? cell.padEnd(width) : cell.padStart(10))).join('') + '\n');
  }
  process.stdout.write(
    `${c.users} users evaluated` +
      (c.droppedTestInteractions ? `; ${c.droppedTestInteractions} test interactions with unseen users or items dropped` : '') +
      '\n',
  );
}
