/**
 * The fit() contract every model shares (lib/models/base/factor-model.ts):
 * arguments are checked before the busy guard, so a bad argument given while
 * another fit runs is reported as what it is, never as ERR_MFREC_BUSY.
 */
import { describe, expect, it } from 'vitest';
import { Interactions } from '../../../lib/data/interactions.js';
import { BPR } from '../../../lib/models/bpr/bpr.js';
import { ExplicitMF } from '../../../lib/models/explicit/explicit-mf.js';
import { ImplicitALS } from '../../../lib/models/als/implicit-als.js';
import type { FactorModel } from '../../../lib/models/base/factor-model.js';

function ratings(): Interactions {
  const users: string[] = [];
  const items: string[] = [];
  const values: number[] = [];
  for (let u = 0; u < 40; u++) {
    for (let i = 0; i < 30; i += 1 + (u % 3)) {
      users.push(`u${u}`);
      items.push(`i${i}`);
      values.push(1 + ((u + i) % 5));
    }
  }
  return Interactions.fromArrays(users, items, { values });
}

const models: Array<[string, () => FactorModel]> = [
  ['explicit', () => new ExplicitMF({ factors: 4, iterations: 50, threads: 1, backend: 'js' })],
  ['als', () => new ImplicitALS({ factors: 4, iterations: 50, threads: 1, backend: 'js' })],
  ['bpr', () => new BPR({ factors: 4, iterations: 50, threads: 1, backend: 'js' })],
];

const empty = Interactions.fromArrays([], [], { values: [] });

const badCalls: Array<[string, (m: FactorModel) => Promise<unknown>, string]> = [
  ['data that is not Interactions', (m) => m.fit('ratings.csv' as never), 'ERR_MFREC_INVALID_ARGUMENT'],
  ['no interactions', (m) => m.fit(empty), 'ERR_MFREC_EMPTY_DATA'],
  ['an unknown control option', (m) => m.fit(ratings(), { onIteraton: () => {} } as never), 'ERR_MFREC_UNKNOWN_OPTION'],
  ['onIteration not a function', (m) => m.fit(ratings(), { onIteration: 5 } as never), 'ERR_MFREC_INVALID_ARGUMENT'],
  ['signal not an AbortSignal', (m) => m.fit(ratings(), { signal: {} } as never), 'ERR_MFREC_INVALID_ARGUMENT'],
];

describe('fit() checks its arguments before the busy guard', () => {
  for (const [name, make] of models) {
    for (const [what, call, code] of badCalls) {
      it(`${name}: ${what} during a running fit is ${code}, not BUSY`, async () => {
        const model = make();
        const running = model.fit(ratings());
        expect(model.isTraining).toBe(true);
        await expect(call(model)).rejects.toMatchObject({ code });
        await running;
        expect(model.isFitted).toBe(true);
      });
    }
  }

  it('partialFitUsers and partialFitItems check their signal before the guard too', async () => {
    const model = new ImplicitALS({ factors: 4, iterations: 50, threads: 1, backend: 'js' });
    const running = model.fit(ratings());
    await expect(model.partialFitUsers(ratings(), { signal: {} } as never)).rejects.toMatchObject({ code: 'ERR_MFREC_INVALID_ARGUMENT' });
    await expect(model.partialFitItems(ratings(), { signal: {} } as never)).rejects.toMatchObject({ code: 'ERR_MFREC_INVALID_ARGUMENT' });
    await running;
  });

  it('a valid second fit during a running one is BUSY', async () => {
    const model = new ExplicitMF({ factors: 4, iterations: 20, threads: 1, backend: 'js' });
    const running = model.fit(ratings());
    await expect(model.fit(ratings())).rejects.toMatchObject({ code: 'ERR_MFREC_BUSY' });
    await running;
  });
});
