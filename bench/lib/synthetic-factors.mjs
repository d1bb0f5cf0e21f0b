// Synthetic factor matrices shaped like trained ones, for the approximate
// top-K measurements (bench/suite/ann.mjs): 64 factors whose directions come
// from a 16-dimensional latent space plus noise (trained factors are far from
// isotropic: a few directions carry most of the variance), and whose norms
// follow those of a 64-factor ALS model trained on Online Retail (items:
// quantiles 0.007 / 0.177 / 0.705 / 1.171 / 1.375 / 1.557 at 0 / 10 / 50 /
// 90 / 99 / 100 %; users: 0.009 / 0.360 / 0.775 / 1.154 / 1.404 / 1.827),
// interpolated linearly between the quantiles. Seeded: the same call gives
// the same matrix.
import { Rng } from '../../dist/random.js';

const AT = [0, 0.1, 0.5, 0.9, 0.99, 1];
export const ITEM_NORMS = [0.007, 0.177, 0.705, 1.171, 1.375, 1.557];
export const USER_NORMS = [0.009, 0.36, 0.775, 1.154, 1.404, 1.827];
const LATENT = 16;
const NOISE = 0.3;

function quantile(rng, q) {
  const u = rng.uniform();
  let j = 0;
  while (j < AT.length - 2 && u > AT[j + 1]) j++;
  return q[j] + ((q[j + 1] - q[j]) * (u - AT[j])) / (AT[j + 1] - AT[j]);
}

/** The latent-to-factor map shared by users and items of one seed (factors × 16). */
function mixing(factors, seed) {
  const rng = new Rng(seed);
  return Float32Array.from({ length: LATENT * factors }, () => rng.normal() / Math.sqrt(LATENT));
}

/** `rows` × `factors` row-major vectors with norms drawn from `norms` (ITEM_NORMS or USER_NORMS). */
export function syntheticFactors(rows, factors, norms, seed, stream) {
  const a = mixing(factors, seed);
  const rng = Rng.stream(seed, stream);
  const out = new Float32Array(rows * factors);
  const z = new Float64Array(LATENT);
  const v = new Float64Array(factors);
  for (let r = 0; r < rows; r++) {
    for (let l = 0; l < LATENT; l++) z[l] = rng.normal();
    let sq = 0;
    for (let p = 0; p < factors; p++) {
      let x = NOISE * rng.normal();
      for (let l = 0; l < LATENT; l++) x += z[l] * a[l * factors + p];
      v[p] = x;
      sq += x * x;
    }
    const scale = quantile(rng, norms) / Math.sqrt(sq);
    for (let p = 0; p < factors; p++) out[r * factors + p] = v[p] * scale;
  }
  return out;
}
