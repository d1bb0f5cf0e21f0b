/**
 * Defaults that fit the data: a family's options left at 'auto' are chosen
 * at fit time among a few candidates by NDCG@10 on a validation slice of the
 * training data (10% of each user's interactions, a fixed seed), and the
 * model is then fitted on all of it with the winner. Item-to-item fits are
 * cheap (one neighbour product each), so this costs a few fits, not a search;
 * `tune()` remains the way to search wider.
 */
import type { Interactions } from '../../data/interactions.js';
import { perUserSplit } from '../../data/split.js';
import { evaluateTopK } from '../../eval/top-k-ranking.js';
import type { CancelFlag } from '../base/training.js';

/** The value that asks for the choice. */
export const AUTO = 'auto';

/** Share of each user's interactions held out to choose on, and the cutoff of the measure. */
const VALIDATION_FRACTION = 0.1;
const VALIDATION_K = 10;
const VALIDATION_SEED = 42;

export interface Candidate<P> {
  params: P;
  /** NDCG@10 on the validation slice. */
  ndcg: number;
}

/**
 * Every candidate fitted on the data minus a validation slice and measured on
 * it, in order; the first best wins. `fit` builds and trains one candidate.
 */
export async function chooseOnValidation<P>(
  data: Interactions,
  candidates: readonly P[],
  fit: (params: P, train: Interactions) => Promise<Parameters<typeof evaluateTopK>[0]>,
  threads: number,
  cancel: CancelFlag,
): Promise<{ chosen: P; measured: Candidate<P>[] }> {
  const { train, test } = perUserSplit(data, { testFraction: VALIDATION_FRACTION, seed: VALIDATION_SEED });
  const measured: Candidate<P>[] = [];
  for (const params of candidates) {
    cancel.throwIfAborted();
    const model = await fit(params, train);
    const metrics = await evaluateTopK(model, train, test, { k: Math.min(VALIDATION_K, data.nItems), threads });
    measured.push({ params, ndcg: metrics.ndcg });
  }
  let best = measured[0]!;
  for (const c of measured) if (c.ndcg > best.ndcg) best = c;
  return { chosen: best.params, measured };
}

/** The grid of every combination of the values of the options left at 'auto' (one empty combination when none is). */
export function autoGrid<P extends Record<string, unknown>>(params: P, choices: { [K in keyof P]?: readonly P[K][] }): Array<Partial<P>> {
  let grid: Array<Partial<P>> = [{}];
  for (const key of Object.keys(choices) as (keyof P)[]) {
    if (params[key] !== AUTO) continue;
    grid = grid.flatMap((g) => choices[key]!.map((v) => ({ ...g, [key]: v })));
  }
  return grid;
}
