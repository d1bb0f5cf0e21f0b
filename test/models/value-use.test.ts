/** What each family makes of the values comes from its traits, so a new family gets the value checks without a list to update. */
import { describe, expect, it } from 'vitest';
import { BPR_TRAITS } from '../../lib/models/bpr/traits.js';
import { MODEL_TYPES, MODELS, valueUseOf } from '../../lib/models/registry.js';

describe('valueUseOf', () => {
  it('reads the traits: ratings for rating models, confidence for ALS, presence for other ranking models', () => {
    expect(Object.fromEntries(MODEL_TYPES.map((t) => [t, valueUseOf(MODELS[t])]))).toMatchObject({ explicit: 'ratings', als: 'confidence', bpr: 'presence' });
    const { values: _none, ...unstated } = { ...BPR_TRAITS, values: undefined };
    expect(valueUseOf({ ...unstated, kind: 'ranking' })).toBe('presence');
    expect(valueUseOf({ ...unstated, kind: 'rating' })).toBe('ratings');
  });
});
