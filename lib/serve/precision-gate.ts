/**
 * A ready-made promotion gate: a candidate model replaces the running one
 * only if its precision@k on a holdout is not lower than the running model's
 * (minus `margin`). Both are evaluated the same way (evaluateTopK: the
 * native top-k, seen items filtered, users and items matched by raw id), so
 * models trained on different data compare fairly.
 */
import { Interactions } from '../data/interactions.js';
import { evaluateTopK } from '../eval/top-k-ranking.js';
import { integer, invalid, knownOptions, number } from '../validate.js';
import type { GateVerdict, PromotionGate } from './model-handle.js';

export interface PrecisionGateOptions {
  /** Held-out interactions to rank: `test`, with `train` sharing its id maps (as the splits and readOnlineRetailByTime produce them). */
  holdout: { train: Interactions; test: Interactions };
  /** List length. Default 10. */
  k?: number;
  /** How much lower than the running model's the candidate's precision may be, in [0, 1]. Default 0. */
  margin?: number;
  /** Threads of the evaluation (default 1: the serving threads keep the other cores). */
  threads?: number;
}

export function precisionGate(options: PrecisionGateOptions): PromotionGate {
  const o = knownOptions('precisionGate', options, ['holdout', 'k', 'margin', 'threads']);
  const holdout = o.holdout as PrecisionGateOptions['holdout'] | undefined;
  if (holdout === null || typeof holdout !== 'object' || !(holdout.train instanceof Interactions) || !(holdout.test instanceof Interactions)) {
    throw invalid('{ train, test } Interactions sharing their id maps', 'holdout', holdout);
  }
  const k = o.k === undefined ? 10 : integer('k', o.k, 1, 10_000);
  const margin = o.margin === undefined ? 0 : number('margin', o.margin, { min: 0, max: 1 });
  const threads = o.threads === undefined ? 1 : integer('threads', o.threads, 0, 256);
  return async (candidate, current): Promise<GateVerdict> => {
    const evaluate = (m: typeof candidate) => evaluateTopK(m, holdout.train, holdout.test, { k, threads });
    const next = (await evaluate(candidate)).precision;
    const now = (await evaluate(current)).precision;
    const accept = next >= now - margin;
    const margined = margin > 0 ? ` − margin ${margin}` : '';
    return { accept, reason: `precision@${k} ${next.toFixed(4)} ${accept ? '>=' : '<'} running model's ${now.toFixed(4)}${margined}` };
  };
}
