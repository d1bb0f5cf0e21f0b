/** RP3beta's options, their defaults and their check. */
import { integer, knownOptions, number, oneOf } from '../../validate.js';
import { BACKENDS, type BackendName } from '../base/backend.js';
import { MAX_THREADS } from '../base/limits.js';

export interface RP3betaOptions {
  /** Exponent α of the transition probabilities user → item and item → user, > 0. Default 1. */
  alpha?: number;
  /** Popularity penalty β ≥ 0: similarities to item j are divided by j's popularity^β. Default 0.5. */
  beta?: number;
  /** Neighbours kept per item. Integer in [1, 100000]. Default 100. */
  neighbours?: number;
  /** Threads; 0 (default) means all hardware threads. */
  threads?: number;
  /** 'native' (default): the C++ kernel; 'js': its pure-TypeScript twin (lib/twins/neighbours.ts). */
  backend?: BackendName;
}

export type RP3betaParams = Required<RP3betaOptions>;

export const RP3BETA_DEFAULTS: Readonly<RP3betaParams> = Object.freeze({
  alpha: 1,
  beta: 0.5,
  neighbours: 100,
  threads: 0,
  backend: 'native',
});

const OPTION_NAMES = Object.keys(RP3BETA_DEFAULTS) as (keyof RP3betaParams)[];

export function resolveRP3betaOptions(options?: RP3betaOptions): RP3betaParams {
  const o = knownOptions('RP3beta options', options, OPTION_NAMES);
  const pick = <K extends keyof RP3betaParams>(key: K): unknown => (o[key] === undefined ? RP3BETA_DEFAULTS[key] : o[key]);
  return {
    alpha: number('alpha', pick('alpha'), { min: 0, exclusiveMin: true, max: 100 }),
    beta: number('beta', pick('beta'), { min: 0, max: 100 }),
    neighbours: integer('neighbours', pick('neighbours'), 1, 100_000),
    threads: integer('threads', pick('threads'), 0, MAX_THREADS),
    backend: oneOf('backend', pick('backend'), BACKENDS),
  };
}
