/**
 * How many configurations a search tries, and for how many iterations,
 * given its budget in full-fidelity trials (one trial = one training run at
 * the full iteration count, on every validation fold).
 *
 * Successive halving (Jamieson & Talwalkar 2016) with eta = 3: rung 0 trains
 * n configurations for R/3^s iterations, keeps the best third for rung 1 at
 * three times the iterations, and so on until the survivors train for the
 * full R. Each rung costs about n·R/3^s, so for the same budget it sees
 * about 3^s/(s + 1) times as many configurations as random search, and
 * spends full-length training only on the promising ones.
 */
import { integer, invalid } from '../validate.js';
import { iterationBounds, dimensionOf, type SearchSpace } from './space.js';

/** Kept fraction per rung is 1/ETA and iterations grow by ETA. */
export const ETA = 3;
/** Rungs below the full iteration count when iterations is a fixed number: R/9, R/3, R. */
export const DEFAULT_HALVINGS = 2;
export const DEFAULT_BUDGET = 20;

export type Strategy = 'random' | 'halving';
export const STRATEGIES: readonly Strategy[] = ['random', 'halving'];

export interface Rung {
  /** Configurations trained in this rung. */
  configurations: number;
  /** Iterations each of them trains for; undefined when iterations is drawn per configuration (random search over an iterations range). */
  iterations: number | undefined;
}

export interface SearchPlan {
  strategy: Strategy;
  rungs: Rung[];
  /** Trials in all (one per configuration and rung). */
  trials: number;
  /** Training cost in full-fidelity trials (at most the budget, except that a search always trains at least one full-length model). */
  cost: number;
}

function survivors(n: number): number {
  return Math.max(1, Math.floor(n / ETA));
}

function halvingCost(n0: number, iterations: number[], full: number): number {
  let n = n0;
  let cost = 0;
  for (const r of iterations) {
    cost += (n * r) / full;
    n = survivors(n);
  }
  return cost;
}

function rungIterations(full: number, halvings: number): number[] | undefined {
  const out: number[] = [];
  for (let k = 0; k <= halvings; k++) out.push(Math.max(1, Math.round(full / ETA ** (halvings - k))));
  for (let k = 1; k < out.length; k++) if (out[k]! <= out[k - 1]!) return undefined;
  return out;
}

function halvingPlan(budget: number, space: SearchSpace): SearchPlan {
  // A one-shot family has no iterations to halve on: every configuration is fitted once, as random search does.
  if (dimensionOf(space, 'iterations') === undefined) return randomPlan(budget, space);
  const bounds = iterationBounds(space);
  const full = 'fixed' in bounds ? bounds.fixed : bounds.max;
  const smallest = 'fixed' in bounds ? 1 : bounds.min;
  const most = 'fixed' in bounds ? DEFAULT_HALVINGS : Math.floor(Math.log(full / smallest) / Math.log(ETA) + 1e-9);
  // The most halvings that the budget affords with at least one configuration dropped per rung.
  for (let s = Math.min(most, 8); s >= 1; s--) {
    const iterations = rungIterations(full, s);
    if (iterations === undefined || iterations[0]! < smallest) continue;
    let n0 = 0;
    while (halvingCost(n0 + 1, iterations, full) <= budget) n0++;
    if (n0 < ETA ** s) continue;
    const rungs: Rung[] = [];
    let n = n0;
    for (const r of iterations) {
      rungs.push({ configurations: n, iterations: r });
      n = survivors(n);
    }
    return { strategy: 'halving', rungs, trials: rungs.reduce((t, r) => t + r.configurations, 0), cost: halvingCost(n0, iterations, full) };
  }
  // Too small a budget to halve: every configuration at full length.
  return { strategy: 'halving', rungs: [{ configurations: budget, iterations: full }], trials: budget, cost: budget };
}

/**
 * The configurations and iterations a search will run (random search for a
 * space without iterations, whatever the strategy asked). Throws
 * ERR_MFREC_INVALID_ARGUMENT for a bad budget, or for halving over an
 * iterations dimension that is a list of choices.
 */
export function planSearch(strategy: Strategy, budget: number, space: SearchSpace): SearchPlan {
  integer('budget', budget, 1, 100_000);
  if (strategy === 'halving') return halvingPlan(budget, space);
  if (strategy !== 'random') throw invalid(`one of ${STRATEGIES.map((s) => `'${s}'`).join(', ')}`, 'strategy', strategy);
  return randomPlan(budget, space);
}

function randomPlan(budget: number, space: SearchSpace): SearchPlan {
  const d = dimensionOf(space, 'iterations');
  const iterations = d?.kind === 'fixed' ? (d.value as number) : undefined;
  return { strategy: 'random', rungs: [{ configurations: budget, iterations }], trials: budget, cost: budget };
}
