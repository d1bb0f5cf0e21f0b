// Synthetic implicit data shaped like MovieLens 1M (power-law user activity
// and item popularity), shared by the ALS benchmarks.
import { Interactions } from '../../dist/index.js';

/**
 * `users` × `items` with about `target` interactions (value 1). Item i is
 * drawn with probability ∝ (i + 20)^-0.9; user activity is Pareto with
 * minimum 20 (MovieLens keeps users with at least 20 ratings).
 */
export function syntheticPowerLaw(users, items, target, seed) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const cum = new Float64Array(items);
  let total = 0;
  for (let i = 0; i < items; i++) cum[i] = total += 1 / (i + 20) ** 0.9;
  const activity = Float64Array.from({ length: users }, () => 1 / (1 - rand()) ** (1 / 1.3));
  // Row lengths are clipped to [20, items / 2]: rescale until they add up to the target.
  const lengths = (scale) => Array.from(activity, (a) => Math.min(items >> 1, Math.max(20, Math.round(a * scale))));
  let scale = target / activity.reduce((a, b) => a + b, 0);
  for (let round = 0; round < 20; round++) scale *= target / lengths(scale).reduce((a, b) => a + b, 0);
  const wanted = lengths(scale);
  const u = [];
  const i = [];
  for (let user = 0; user < users; user++) {
    const want = wanted[user];
    const chosen = new Set();
    while (chosen.size < want) {
      const x = rand() * total;
      let lo = 0;
      let hi = items - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      chosen.add(lo);
    }
    for (const item of chosen) u.push(user), i.push(item);
  }
  return Interactions.fromArrays(u, i);
}
