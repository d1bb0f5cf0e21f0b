/** Random search: every configuration trained once, at the iterations it was drawn or fixed with. */
import type { SearchPlan } from './plan.js';
import type { Configuration } from './sampler.js';
import type { TrialResult, TrialRunner } from './trial.js';

export async function randomSearch(plan: SearchPlan, configuration: (index: number) => Configuration, run: TrialRunner): Promise<TrialResult[]> {
  const rung = plan.rungs[0]!;
  const trials: TrialResult[] = [];
  for (let index = 0; index < rung.configurations; index++) trials.push(await run(configuration(index), index, undefined));
  return trials;
}
