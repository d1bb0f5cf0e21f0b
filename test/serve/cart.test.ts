import { describe, expect, it } from 'vitest';
import { EASE, ErrorCodes, ExplicitMF, ImplicitALS, Interactions } from '../../lib/index.js';
import { recommendWithCart } from '../../lib/serve/cart.js';
import { checkerboard } from '../helpers/implicit-data.js';
import { errorCode } from '../helpers/support.js';

describe('trainedHistory', () => {
  it("gives back a user's training interactions with their values; an unknown user has none", async () => {
    const data = Interactions.fromArrays(['u1', 'u1', 'u2', 'u3', 'u3'], ['a', 'b', 'a', 'b', 'c'], { values: [2, 5, 1, 1, 3] });
    const model = await new ImplicitALS({ factors: 2, iterations: 2 }).fit(data);
    expect(model.trainedHistory('u1')).toEqual({ items: ['a', 'b'], values: [2, 5] });
    expect(model.trainedHistory('u3')).toEqual({ items: ['b', 'c'], values: [1, 3] });
    expect(model.trainedHistory('nobody')).toEqual({ items: [], values: [] });
    expect(await errorCode(() => new ImplicitALS().trainedHistory('u1'))).toBe(ErrorCodes.NOT_FITTED);
  });

  it('after forgetUser the user has no history', async () => {
    const model = await new ImplicitALS({ factors: 2, iterations: 2 }).fit(checkerboard(1));
    expect(model.trainedHistory('u3').items.length).toBeGreaterThan(0);
    await model.forgetUser('u3');
    expect(model.trainedHistory('u3')).toEqual({ items: [], values: [] });
  });
});

describe('recommendWithCart', () => {
  it('an item-to-item model scores the union of history and cart', async () => {
    const model = await new EASE({ lambda: 10 }).fit(checkerboard(1));
    const h = model.trainedHistory('u2');
    const got = recommendWithCart(model, 'u2', ['b1'], 5);
    const expected = model.recommend('u2', { k: 5, recalculate: true, interactions: { items: [...h.items, 'b1'], values: [...h.values, 1] } });
    expect(got).toEqual(expected);
    expect(got.map((r) => r.item)).not.toContain('b1');
  });

  it('a rating model refuses a cart (it has no ratings) with INVALID_ARGUMENT naming items', async () => {
    const ratings = Interactions.fromArrays(['u1', 'u1', 'u2'], ['a', 'b', 'a'], { values: [5, 3, 4] });
    const model = await new ExplicitMF({ factors: 2, iterations: 2 }).fit(ratings);
    expect(await errorCode(() => recommendWithCart(model, 'u1', ['a'], 2))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(() => recommendWithCart(model, 'u1', ['a'], 2)).toThrow(/^items: the explicit model folds users in from ratings/);
  });
});
