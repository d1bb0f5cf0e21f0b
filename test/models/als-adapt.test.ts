/** ALS's data-adapted defaults: log confidence at the data's scale for values of varying size, the fixed defaults for presence data. */
import { describe, expect, it } from 'vitest';
import { ImplicitALS, Interactions } from '../../lib/index.js';
import { ADAPTED_LOG_ALPHA, adaptImplicitALSDefaults } from '../../lib/models/als/adapt.js';
import { adaptedDefaults, MODELS } from '../../lib/models/registry.js';

const pairs = (values: number[]) =>
  Interactions.fromArrays(
    values.map((_, k) => `u${k % 7}`),
    values.map((_, k) => `i${k}`),
    { values },
  );

describe('adaptImplicitALSDefaults', () => {
  it('keeps the fixed defaults for presence data (every value the same size)', () => {
    expect(adaptImplicitALSDefaults(pairs([1, 1, 1, 1]))).toEqual({});
    expect(adaptImplicitALSDefaults(pairs([5, -5, 5]))).toEqual({});
    expect(adaptImplicitALSDefaults(Interactions.fromArrays([], []))).toEqual({});
  });

  it('takes log confidence with epsilon at the median |value| for ratings and counts', () => {
    expect(adaptImplicitALSDefaults(pairs([1, 2, 4, 4, 5]))).toEqual({ confidence: 'log', alpha: ADAPTED_LOG_ALPHA, epsilon: 4 });
    expect(adaptImplicitALSDefaults(pairs([1, 3, 50, 70, 90000]))).toEqual({ confidence: 'log', alpha: ADAPTED_LOG_ALPHA, epsilon: 50 });
    // The median interaction weighs what one interaction weighs under the fixed linear defaults: 1 + 2·1.
    expect(1 + ADAPTED_LOG_ALPHA * Math.log1p(1)).toBeCloseTo(1 + MODELS.als.defaults.alpha * 1, 5);
  });

  it('is dropped as a whole when any of its options is set', () => {
    const data = pairs([1, 2, 4, 4, 5]);
    expect(adaptedDefaults(MODELS.als, data, { alpha: 0.5 })).toEqual({});
    expect(adaptedDefaults(MODELS.als, data, { factors: 8 })).toMatchObject({ confidence: 'log' });
    expect(adaptedDefaults(MODELS.bpr, data)).toEqual({});
  });

  it('gives a model that trains on the data it was chosen for', async () => {
    const data = pairs([1, 2, 4, 4, 5, 3, 1, 2, 5, 5, 4, 3, 2, 1]);
    const model = new ImplicitALS({ ...adaptImplicitALSDefaults(data), factors: 2, iterations: 2, threads: 1 });
    await model.fit(data);
    expect(model.params).toMatchObject({ confidence: 'log', epsilon: 3 });
  });
});
