/** mfrec: matrix-factorization recommenders for Node.js. */
export { MfrecError, ErrorCodes, isMfrecError, type ErrorCode } from './errors.js';
export { IdMap, type RawId } from './data/id-map.js';
export { Interactions, type Aggregate, type FromArraysOptions } from './data/interactions.js';
export type { SparseRows } from './data/sparse.js';
export { libraryInfo, type LibraryInfo } from './info.js';
export {
  ImplicitALS,
  IMPLICIT_ALS_DEFAULTS,
  type ImplicitALSOptions,
  type ImplicitALSParams,
  type AlsBackendName,
  type PartialFitControl,
  type UserHistory,
  type ItemHistory,
} from './models/implicit-als.js';
export type { FitControl, IterationReport } from './models/training.js';
export { evaluateRanking, type RankingMetrics, type RankingOptions, type UserScorer } from './eval/ranking.js';
