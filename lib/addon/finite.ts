/**
 * The all-finite binding (native/bindings/finite.cc): whether factor arrays
 * hold only finite values, checked after every ALS iteration. Its twin is
 * allFinite in lib/models/base/training.ts; a native pass reads S2's factors
 * (133 MB) in about a quarter of the JavaScript loop's time.
 */
import { bindingOf } from './loader.js';

interface FiniteAddonFunctions {
  allFinite(args: { values: Float32Array }): boolean;
}

const addonFunctions = bindingOf<FiniteAddonFunctions>({ sync: ['allFinite'], async: [] });

/** True when no value of any array is NaN or ±infinity. */
export function nativeAllFinite(...arrays: Float32Array[]): boolean {
  const addon = addonFunctions();
  return arrays.every((values) => addon.allFinite({ values }));
}
