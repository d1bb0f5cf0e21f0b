/** Item-KNN's options, their defaults and their check. */
import { integer, knownOptions, number, oneOf } from '../../validate.js';
import { AUTO } from '../item-item/validated-choice.js';
import { BACKENDS, type BackendName } from '../base/backend.js';
import { MAX_THREADS } from '../base/limits.js';
import { WEIGHTINGS, type Weighting } from './weighting.js';

export interface ItemKNNOptions {
  /**
   * Neighbours kept per item, an integer in [1, 100000], or 'auto' (the
   * default): chosen at fit time among 50, 100, 200 and 400 on a validation
   * slice of the data (see lib/models/item-item/validated-choice.ts).
   */
  neighbours?: number | 'auto';
  /** How interactions are weighted before the similarity (see weighting.ts). Default 'bm25'. */
  weighting?: Weighting;
  /**
   * Shrinkage h ≥ 0: each similarity is multiplied by n / (n + h), n being
   * the number of users the two items share, so pairs seen together by few
   * users count less. 0 is none. Or 'auto' (the default): chosen among 0 and 10.
   */
  shrink?: number | 'auto';
  /** BM25's K1 (saturation of large values), > 0. Default 1.2. */
  bm25K1?: number;
  /** BM25's B (length normalisation), in [0, 1]. Default 0.75. */
  bm25B?: number;
  /** Threads; 0 (default) means all hardware threads. */
  threads?: number;
  /** 'native' (default): the C++ kernel; 'js': its pure-TypeScript twin (lib/twins/neighbours.ts). */
  backend?: BackendName;
}

export type ItemKNNParams = Required<ItemKNNOptions>;

/** The candidates of the options left at 'auto' (the best neighbour count was 400 on ML-100K, 50 on Online Retail; shrinkage helped on the first only). */
export const ITEMKNN_AUTO = { neighbours: [50, 100, 200, 400], shrink: [0, 10] } as const;

export const ITEMKNN_DEFAULTS: Readonly<ItemKNNParams> = Object.freeze({
  neighbours: AUTO,
  weighting: 'bm25',
  shrink: AUTO,
  bm25K1: 1.2,
  bm25B: 0.75,
  threads: 0,
  backend: 'native',
});

const OPTION_NAMES = Object.keys(ITEMKNN_DEFAULTS) as (keyof ItemKNNParams)[];

export function resolveItemKNNOptions(options?: ItemKNNOptions): ItemKNNParams {
  const o = knownOptions('ItemKNN options', options, OPTION_NAMES);
  const pick = <K extends keyof ItemKNNParams>(key: K): unknown => (o[key] === undefined ? ITEMKNN_DEFAULTS[key] : o[key]);
  return {
    neighbours: pick('neighbours') === AUTO ? AUTO : integer('neighbours', pick('neighbours'), 1, 100_000),
    weighting: oneOf('weighting', pick('weighting'), WEIGHTINGS),
    shrink: pick('shrink') === AUTO ? AUTO : number('shrink', pick('shrink'), { min: 0, max: 1e9 }),
    bm25K1: number('bm25K1', pick('bm25K1'), { min: 0, exclusiveMin: true, max: 1e6 }),
    bm25B: number('bm25B', pick('bm25B'), { min: 0, max: 1 }),
    threads: integer('threads', pick('threads'), 0, MAX_THREADS),
    backend: oneOf('backend', pick('backend'), BACKENDS),
  };
}
