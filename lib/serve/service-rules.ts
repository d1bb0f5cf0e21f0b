/**
 * The business rules a service applies to every answer (an in-stock list,
 * category caps, diversity: docs/rules.md), compiled once per served model
 * and reused by every request until the rules change or the model is
 * swapped (a new model has its own catalogue, so its rules are compiled
 * again, once, on its first request).
 */
import type { Recommender } from '../models/base/recommender.js';
import type { RankingRules, RankingRulesSpec } from '../models/base/ranking-rules.js';

export class ServiceRules {
  private spec: RankingRulesSpec | undefined;
  private compiled = new WeakMap<Recommender, RankingRules>();

  constructor(spec?: RankingRulesSpec) {
    this.spec = spec;
  }

  /** Replaces the rules (the day's stock, say); the next request of each model compiles them. */
  set(spec: RankingRulesSpec | undefined): void {
    this.spec = spec;
    this.compiled = new WeakMap();
  }

  /** The rules compiled for `model`, or undefined when none are set. A spec the model refuses throws its typed error. */
  for(model: Recommender): RankingRules | undefined {
    if (this.spec === undefined) return undefined;
    let rules = this.compiled.get(model);
    if (rules === undefined) this.compiled.set(model, (rules = model.compileRules(this.spec)));
    return rules;
  }
}
