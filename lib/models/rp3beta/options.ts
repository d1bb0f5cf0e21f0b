/** RP3beta's options, their defaults and their check. */
import { boolean, integer, knownOptions, number, oneOf } from '../../validate.js';
import { AUTO } from '../item-item/validated-choice.js';
import { BACKENDS, type BackendName } from '../base/backend.js';
import { MAX_THREADS } from '../base/limits.js';

export interface RP3betaOptions {
  /** Exponent α of the transition probabilities user → item and item → user, > 0 (or 'auto'). Default 0.85. */
  alpha?: number | 'auto';
  /**
   * Popularity penalty β ≥ 0: similarities to item j are divided by j's
   * popularity^β. Or 'auto' (the default): chosen at fit time among 0.5, 0.6
   * and 0.7 on a validation slice of the data (see
   * lib/models/item-item/validated-choice.ts).
   */
  beta?: number | 'auto';
  /** Neighbours kept per item, an integer in [1, 100000], or 'auto' (the default): chosen among 300 and 1000. */
  neighbours?: number | 'auto';
  /**
   * Scale each item's kept neighbours to sum to 1 (L1 row normalisation, after
   * the popularity penalty and the pruning), so every item of a history adds
   * the same total to the scores. Default true: it made the fit less sensitive
   * to beta on every data set measured (bench/investigations/NOTES-item-item.md).
   */
  normalize?: boolean;
  /** Threads; 0 (default) means all hardware threads. */
  threads?: number;
  /** 'native' (default): the C++ kernel; 'js': its pure-TypeScript twin (lib/twins/neighbours.ts). */
  backend?: BackendName;
}

export type RP3betaParams = Required<RP3betaOptions>;

/**
 * The candidates of the options left at 'auto'. Measured on ML-100K and
 * Online Retail (bench/investigations/NOTES-item-item.md): α 0.85 did well on
 * both, the best β and neighbour count differ between them.
 */
export const RP3BETA_AUTO = { alpha: [0.75, 0.85, 1], beta: [0.5, 0.6, 0.7], neighbours: [300, 1000] } as const;

export const RP3BETA_DEFAULTS: Readonly<RP3betaParams> = Object.freeze({
  alpha: 0.85,
  beta: AUTO,
  neighbours: AUTO,
  normalize: true,
  threads: 0,
  backend: 'native',
});

const OPTION_NAMES = Object.keys(RP3BETA_DEFAULTS) as (keyof RP3betaParams)[];

export function resolveRP3betaOptions(options?: RP3betaOptions): RP3betaParams {
  const o = knownOptions('RP3beta options', options, OPTION_NAMES);
  const pick = <K extends keyof RP3betaParams>(key: K): unknown => (o[key] === undefined ? RP3BETA_DEFAULTS[key] : o[key]);
  return {
    alpha: pick('alpha') === AUTO ? AUTO : number('alpha', pick('alpha'), { min: 0, exclusiveMin: true, max: 100 }),
    beta: pick('beta') === AUTO ? AUTO : number('beta', pick('beta'), { min: 0, max: 100 }),
    neighbours: pick('neighbours') === AUTO ? AUTO : integer('neighbours', pick('neighbours'), 1, 100_000),
    normalize: boolean('normalize', pick('normalize')),
    threads: integer('threads', pick('threads'), 0, MAX_THREADS),
    backend: oneOf('backend', pick('backend'), BACKENDS),
  };
}
