/** EASE's options, their defaults and their check. */
import { integer, knownOptions, number, oneOf } from '../../validate.js';
import { BACKENDS, type BackendName } from '../base/backend.js';
import { MAX_THREADS } from '../base/limits.js';

export interface EASEOptions {
  /** L2 penalty λ on the item-to-item weights, added to the Gram matrix's diagonal. > 0. Default 500. */
  lambda?: number;
  /**
   * The most items a fit accepts (EASE holds an items × items matrix, about
   * 12·items² bytes while fitting). Past it fit() refuses with
   * ERR_MFREC_OUT_OF_MEMORY before allocating. Default 20000.
   */
  maxItems?: number;
  /**
   * Train on the `topItems` most popular items only (0, the default: every
   * item): the way to fit EASE on a catalogue larger than maxItems. Other
   * items are then not in the model (never recommended, unknown to similarItems).
   */
  topItems?: number;
  /** Threads; 0 (default) means all hardware threads. */
  threads?: number;
  /** 'native' (default): the C++ kernel with BLAS; 'js': its pure-TypeScript twin (lib/twins/ease.ts), on the event loop. */
  backend?: BackendName;
}

export type EASEParams = Required<EASEOptions>;

/** Defaults (see bench/investigations/NOTES-item-item.md for how they were measured). */
export const EASE_DEFAULTS: Readonly<EASEParams> = Object.freeze({
  lambda: 500,
  maxItems: 20000,
  topItems: 0,
  threads: 0,
  backend: 'native',
});

const OPTION_NAMES = Object.keys(EASE_DEFAULTS) as (keyof EASEParams)[];

/** Checks every option and fills in the defaults. */
export function resolveEASEOptions(options?: EASEOptions): EASEParams {
  const o = knownOptions('EASE options', options, OPTION_NAMES);
  const pick = <K extends keyof EASEParams>(key: K): unknown => (o[key] === undefined ? EASE_DEFAULTS[key] : o[key]);
  return {
    lambda: number('lambda', pick('lambda'), { min: 0, exclusiveMin: true, max: 1e12 }),
    maxItems: integer('maxItems', pick('maxItems'), 1, 1_000_000),
    topItems: integer('topItems', pick('topItems'), 0, 1_000_000),
    threads: integer('threads', pick('threads'), 0, MAX_THREADS),
    backend: oneOf('backend', pick('backend'), BACKENDS),
  };
}
