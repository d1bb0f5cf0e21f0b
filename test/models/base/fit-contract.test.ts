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
import { FactorModel, type FactorState, type Trained } from '../../../lib/models/base/factor-model.js';
import { randomState } from '../../helpers/hand-made-model.js';

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

/** A model whose training hands back a given state: what fit() does with it after train() is the shared contract. */
class GivenOutcomeModel extends FactorModel {
  readonly type = 'als' as const;
  constructor(
    readonly params: Readonly<Record<string, unknown>>,
    private readonly outcome: (data: Interactions) => FactorState,
  ) {
    super();
  }

  /** The state reads serve, set and read by hand. */
  get current(): FactorState | undefined {
    return this.state;
  }

  set current(state: FactorState | undefined) {
    this.state = state;
  }

  protected override train(data: Interactions): Promise<Trained> {
    return Promise.resolve({ state: this.outcome(data), history: [{ iteration: 1, seconds: 0 }] });
  }
}

/** The state of `randomState` with both biases and dense weights, one value of `array` made non-finite. */
function stateSpoiledIn(array: 'userFactors' | 'itemFactors' | 'userBias' | 'itemBias' | 'weights', bad: number): (data: Interactions) => FactorState {
  return (data) => {
    const s = randomState(3, data, 4, 'explicit');
    const weights = new Float32Array(data.nItems * data.nItems);
    s.weights = { kind: 'dense', values: weights };
    const values = array === 'weights' ? weights : s[array]!;
    values[values.length - 1] = bad;
    return s;
  };
}

describe("fit()'s own last check refuses a non-finite state, whichever backend checks it", () => {
  const arrays = ['userFactors', 'itemFactors', 'userBias', 'itemBias', 'weights'] as const;
  for (const backend of ['native', 'js']) {
    for (const array of arrays) {
      for (const bad of [Number.NaN, Number.NEGATIVE_INFINITY]) {
        it(`${backend}: ${bad} as the last value of ${array} is ERR_MFREC_DIVERGED, and the previous state stays`, async () => {
          const data = ratings();
          const good = randomState(5, data, 4, 'explicit');
          const model = new GivenOutcomeModel({ backend, factors: 4 }, stateSpoiledIn(array, bad));
          model.current = good;
          await expect(model.fit(data)).rejects.toMatchObject({ code: 'ERR_MFREC_DIVERGED' });
          expect(model.current).toBe(good);
        });
      }
    }
    it(`${backend}: a finite state is installed`, async () => {
      const data = ratings();
      const model = new GivenOutcomeModel({ backend, factors: 4 }, (d) => randomState(3, d, 4, 'explicit'));
      await model.fit(data);
      expect(model.isFitted).toBe(true);
    });
  }
});
