/**
 * Successive halving over the plan's rungs: every configuration of a rung is
 * trained for that rung's iterations (from scratch: the models have no
 * resume, and a prefix of a longer run is exactly what a shorter fit gives),
 * and the best 1/eta are promoted to the next rung.
 */
import { isBetter } from './metric.js';
import type { SearchPlan } from './plan.js';
import type { Configuration } from './sampler.js';
import type { TrialResult, TrialRunner } from './trial.js';

/** Orders trials best first; failed trials (NaN) last; ties keep the lower configuration number, so promotion is deterministic. */
export function rankTrials(trials: readonly TrialResult[], direction: 'max' | 'min'): TrialResult[] {
  return [...trials].sort((a, b) => {
    if (isBetter(direction, a.score, b.score)) return -1;
    if (isBetter(direction, b.score, a.score)) return 1;
    return a.config - b.config;
  });
}

export async function successiveHalving(
  plan: SearchPlan,
  configuration: (index: number) => Configuration,
  run: TrialRunner,
  direction: 'max' | 'min',
): Promise<TrialResult[]> {
  const all: TrialResult[] = [];
  let survivors = Array.from({ length: plan.rungs[0]!.configurations }, (_, index) => index);
  for (let r = 0; r < plan.rungs.length; r++) {
    const rung = plan.rungs[r]!;
    const trials: TrialResult[] = [];
    for (const index of survivors) {
      const config = rung.iterations === undefined ? configuration(index) : { ...configuration(index), iterations: rung.iterations };
      trials.push(await run(config, index, r));
    }
    all.push(...trials);
    const next = plan.rungs[r + 1];
    if (next !== undefined)
      survivors = rankTrials(trials, direction)
        .slice(0, next.configurations)
        .map((t) => t.config);
  }
  return all;
}
