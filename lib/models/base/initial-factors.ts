/**
 * Starting vectors: every model draws its initial factors from normal
 * streams of its seed, each with its own spread and stream numbers (which
 * the native kernels and the twins replay, so they are part of each model's
 * seeded results and never change).
 */
import { Rng } from '../../random.js';
import { allocateFloats } from './memory-limit.js';

/** Fills `out` with N(0, sd²) draws of `rng`, in order (stored as float32). */
export function fillNormal(out: Float32Array, rng: Rng, sd: number): Float32Array {
  for (let j = 0; j < out.length; j++) out[j] = sd * rng.normal();
  return out;
}

/** `rows` × `factors` N(0, sd²) coordinates from stream `stream` of `seed`; an allocation failure is ERR_MFREC_OUT_OF_MEMORY naming `what`. */
export function normalFactors(rows: number, factors: number, sd: number, seed: number, stream: number, what: string): Float32Array {
  return fillNormal(allocateFloats(rows * factors, what), Rng.stream(seed, stream), sd);
}
