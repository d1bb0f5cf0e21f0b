/** A test-only factor model whose state is set by hand, to exercise FactorModel's shared methods. */
import { Interactions } from '../../lib/data/interactions.js';
import { FactorModel, type FactorState } from '../../lib/models/base/factor-model.js';
import { usersPerItem } from '../../lib/models/popularity/popularity.js';
import { Rng } from '../../lib/random.js';

export class HandMadeModel extends FactorModel {
  readonly type = 'als' as const;

  setState(state: FactorState | undefined): this {
    this.state = state;
    return this;
  }
}

/** Random interactions: `users` users (ids 'u0'..), `items` items (ids 'i0'..), about `density` filled. */
export function randomInteractions(seed: number, users: number, items: number, density: number): Interactions {
  const rng = new Rng(seed);
  const u: string[] = [];
  const i: string[] = [];
  for (let a = 0; a < users; a++) {
    for (let b = 0; b < items; b++) {
      if (rng.uniform() < density) {
        u.push(`u${a}`);
        i.push(`i${b}`);
      }
    }
  }
  return Interactions.fromArrays(u, i);
}

/** A state with random factors over `data`, optionally with biases. */
export function randomState(seed: number, data: Interactions, factors: number, biases: 'none' | 'item' | 'explicit' = 'none'): FactorState {
  const rng = new Rng(seed);
  const draw = () => rng.uniform() * 2 - 1;
  const state: FactorState = {
    factors,
    users: data.users.clone(),
    items: data.items.clone(),
    userFactors: Float32Array.from({ length: data.nUsers * factors }, draw),
    itemFactors: Float32Array.from({ length: data.nItems * factors }, draw),
    seen: data.byUser,
    itemPopularity: usersPerItem(data.byUser),
  };
  if (biases !== 'none') state.itemBias = Float32Array.from({ length: data.nItems }, draw);
  if (biases === 'explicit') {
    state.userBias = Float32Array.from({ length: data.nUsers }, draw);
    state.globalBias = 3.5;
  }
  return state;
}
