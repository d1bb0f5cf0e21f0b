/**
 * ALS's defaults adapted to the values it learns from. Linear confidence
 * (1 + alpha·value) suits values of one size (presence, 1–5 stars) and lets
 * a few huge counts dominate everything else; log confidence with epsilon at
 * the median value gives the typical interaction the confidence linear
 * confidence gives a single one (3), and grows only with the logarithm of
 * larger values. Measured in bench/investigations/NOTES-defaults.md.
 */
import type { Interactions } from '../../data/interactions.js';
import { IMPLICIT_ALS_DEFAULTS, type ImplicitALSParams } from './options.js';

/** Values sampled for the median: enough for three significant digits, bounded on any data size. */
const SAMPLE = 100_003;

/** alpha of log confidence giving a median value 1 + alpha·ln 2 = 1 + the default linear alpha (2). */
export const ADAPTED_LOG_ALPHA = Number((IMPLICIT_ALS_DEFAULTS.alpha / Math.LN2).toPrecision(6));

/** The median of |value| over an evenly spaced sample of the entries. */
function medianMagnitude(values: Float32Array): number {
  const step = Math.max(1, Math.floor(values.length / SAMPLE));
  const sample = new Float32Array(Math.ceil(values.length / step));
  for (let k = 0, j = 0; k < values.length; k += step) sample[j++] = Math.abs(values[k]!);
  sample.sort();
  return sample[sample.length >> 1]!;
}

/**
 * The options ImplicitALS should default to on `data`: none when every value
 * has the same size (presence data: the fixed defaults), else log
 * confidence with epsilon at the median |value| and alpha 2/ln 2.
 */
export function adaptImplicitALSDefaults(data: Interactions): Partial<ImplicitALSParams> {
  const values = data.byUser.values;
  if (values.length === 0) return {};
  const first = Math.abs(values[0]!);
  let uniform = true;
  for (let k = 1; k < values.length && uniform; k++) uniform = Math.abs(values[k]!) === first;
  if (uniform) return {};
  const median = medianMagnitude(values);
  if (!(median > 0)) return {};
  return { confidence: 'log', alpha: ADAPTED_LOG_ALPHA, epsilon: median };
}
