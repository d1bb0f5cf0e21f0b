/**
 * Draws configurations from a search space. Configuration n of a search
 * with seed s always comes from its own stream Rng.stream(s, n), drawing
 * the dimensions in name order: the same seed gives the same configurations
 * whatever the strategy does with them.
 */
import { Rng } from '../random.js';
import type { ParamValue } from './parameters.js';
import type { Dimension, SearchSpace } from './space.js';

export type Configuration = Record<string, ParamValue>;

/** Stream index of configuration draws (other streams of the seed are free for other uses). */
const CONFIGURATION_STREAM_BASE = 0x1000;

function draw(d: Dimension, rng: Rng): ParamValue {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'choice':
      return d.values[rng.below(d.values.length)]!;
    case 'float': {
      const u = rng.uniform();
      const x = d.log ? Math.exp(Math.log(d.min) + u * (Math.log(d.max) - Math.log(d.min))) : d.min + u * (d.max - d.min);
      // Seven significant digits: trials print and serialize readably, and no model is that sensitive.
      return Math.min(d.max, Math.max(d.min, Number(x.toPrecision(7))));
    }
    case 'int': {
      const u = rng.uniform();
      // Uniform over [min, max + 1) (or its log), floored: every integer gets its fair share, the ends included.
      const x = d.log ? Math.exp(Math.log(d.min) + u * (Math.log(d.max + 1) - Math.log(d.min))) : d.min + u * (d.max + 1 - d.min);
      return Math.min(d.max, Math.max(d.min, Math.floor(x)));
    }
  }
}

/** Configuration number `index` of the search seeded with `seed`. */
export function sampleConfiguration(space: SearchSpace, seed: number, index: number): Configuration {
  const rng = Rng.stream(seed, CONFIGURATION_STREAM_BASE + index);
  const out: Configuration = {};
  for (const d of space.dimensions) out[d.name] = draw(d, rng);
  return out;
}

function contains(d: Dimension, v: ParamValue): boolean {
  switch (d.kind) {
    case 'fixed':
      return d.value === v;
    case 'choice':
      return d.values.includes(v);
    default:
      return typeof v === 'number' && v >= d.min && v <= d.max;
  }
}

/**
 * The model's default hyperparameters (`defaults`: its traits' defaults,
 * or those it adapts to the data) as a configuration of this space (fixed
 * dimensions keep their value), or undefined when a default lies outside
 * the space. Searches try it first, so a tuned model is measured against
 * the defaults on the same validation data.
 */
export function defaultConfiguration(space: SearchSpace, defaults: Readonly<Record<string, unknown>>): Configuration | undefined {
  const out: Configuration = {};
  for (const d of space.dimensions) {
    const v = d.kind === 'fixed' ? d.value : (defaults[d.name] as ParamValue);
    if (!contains(d, v)) return undefined;
    out[d.name] = v;
  }
  return out;
}
