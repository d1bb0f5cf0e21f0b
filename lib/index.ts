/** mfrec: matrix-factorization recommenders for Node.js. */
export { MfrecError, ErrorCodes, isMfrecError, type ErrorCode } from './errors.js';
export { IdMap, type RawId } from './data/id-map.js';
export { Interactions, type Aggregate, type FromArraysOptions } from './data/interactions.js';
export type { SparseRows } from './data/sparse.js';
export { libraryInfo, type LibraryInfo } from './info.js';
export { randomSplit, kFold, perUserSplit, timeSplit, type Split } from './data/split.js';
export { rmse, mae } from './metrics/rating.js';
export {
  ExplicitMF,
  EXPLICIT_MF_DEFAULTS,
  type ExplicitMFOptions,
  type ExplicitMFParams,
  type ExplicitFitControl,
  type ExplicitState,
  type UnknownPolicy,
  type ExplicitBackend,
} from './models/explicit/explicit-mf.js';
export type { FoldedVector } from './models/explicit/fold-in.js';
export { crossValidate, type CrossValidation, type FoldResult } from './eval/cross-validate.js';
export {
  ImplicitALS,
  IMPLICIT_ALS_DEFAULTS,
  type ImplicitALSOptions,
  type ImplicitALSParams,
  type AlsBackendName,
  type PartialFitControl,
  type UserHistory,
  type ItemHistory,
} from './models/als/implicit-als.js';
export type { FitControl, IterationReport } from './models/base/training.js';
export type { AnnIndexParams, BuildIndexOptions } from './models/base/ann-index.js';
export { evaluateRanking, type RankingMetrics, type RankingOptions, type UserScorer } from './eval/ranking.js';
export {
  FactorModel,
  Recommender,
  BatchRecommendations,
  inverseNorms,
  type FactorState,
  type ModelType,
  type BatchRecommendOptions,
  type RecommendOptions,
  type Recommendation,
  type RecommendationSource,
  type RecommendAllOptions,
  type SimilarItemsOptions,
  type SimilarItemsBatchOptions,
  type SimilarUsersOptions,
  type LiveRecommendOptions,
  type LiveInteractions,
  type FoldedUser,
  type Contribution,
  type Explanation,
  type ExplainOptions,
} from './models/base/factor-model.js';
export { BPR, BPR_DEFAULTS, resolveBPROptions, type BPROptions, type BPRParams } from './models/bpr/bpr.js';
export { Popularity, type PopularityRecommendOptions } from './models/popularity/popularity.js';
export { ItemItemModel } from './models/item-item/item-item-model.js';
export type { ItemWeights } from './models/base/item-weights.js';
export { EASE, EASE_DEFAULTS, type EASEOptions, type EASEParams } from './models/ease/ease.js';
export { resolveEASEOptions } from './models/ease/options.js';
export { mostPopularItems } from './models/ease/popular-items.js';
export { ItemKNN, ITEMKNN_DEFAULTS, type ItemKNNOptions, type ItemKNNParams } from './models/itemknn/itemknn.js';
export { resolveItemKNNOptions } from './models/itemknn/options.js';
export { WEIGHTINGS, type Weighting } from './models/itemknn/weighting.js';
export { RP3beta, RP3BETA_DEFAULTS, type RP3betaOptions, type RP3betaParams } from './models/rp3beta/rp3beta.js';
export { resolveRP3betaOptions } from './models/rp3beta/options.js';
export { loadModel, type LoadedModel } from './persist/load-model.js';
export { importFactorModel, type ImportFactorModelOptions } from './import/import-factor-model.js';
export { ItemCatalog, MAX_ITEM_METADATA_BYTES, MAX_CATALOG_BYTES, type ItemMetadata, type ItemMetadataInput } from './models/base/item-catalog.js';
export { RankingRules, type RankingRulesSpec } from './models/base/ranking-rules.js';
export {
  readInteractions,
  parseInteractions,
  type ReadOptions,
  type ReadResult,
  type BadLine,
  type Delimiter,
  type ColumnRef,
  type Columns,
  type ReadFormat,
  type ReadNote,
} from './data/read-delimited.js';
export { checkValuesFor, type ValueUse } from './data/value-checks.js';
export { readInteractionsFromPostgres, type PostgresSource } from './db/postgres-source.js';
export { PostgresTableWriter, type TableColumn } from './db/postgres-sink.js';
export { readRows, type RowBatch, type RowsSummary, type ReadRowsOptions } from './data/read-rows.js';
export {
  readOnlineRetail,
  scanOnlineRetail,
  isProductCode,
  type RetailOptions,
  type RetailData,
  type RetailSummary,
  type RetailPurchase,
} from './data/online-retail.js';
export { demoDataPath, loadDemoData } from './data/demo-data.js';
export { compareRanking, modelScorer, popularityScorer, type RankingComparison } from './eval/compare-ranking.js';
export { adaptImplicitALSDefaults, ADAPTED_LOG_ALPHA } from './models/als/adapt.js';
export { compareModels, type CompareModelsOptions, type ComparedModel, type ModelComparison } from './eval/compare-models.js';
export { readOnlineRetailByTime, type RetailTimeSplit } from './data/online-retail.js';
export { eventsToInteractions, type EventsToInteractionsOptions } from './events/to-interactions.js';
export { buildReportData, renderReport, writeReport, type ReportData, type ReportInput } from './report/index.js';
export {
  tune,
  tuneAll,
  tuneResultToJson,
  planSearch,
  resolveSpace,
  parseMetric,
  DEFAULT_RANGES,
  type TuneOptions,
  type TuneResult,
  type TuneResultJson,
  type TrialResult,
  type TrialJson,
  type SearchPlan,
  type Range,
  type Dimension,
  type SearchSpace,
  type ValidationOptions,
  type TunedModel,
  type TuneAllOptions,
  type TuneAllResult,
  type TuneFamily,
} from './tune/index.js';
export { evaluateTopK, type TopKMetrics, type TopKOptions } from './eval/top-k-ranking.js';
export { evaluateLists, type ListMetrics, type UserList } from './eval/list-ranking.js';
export { MAX_K } from './validate.js';
export { MicroBatcher, type MicroBatcherOptions, type ModelSource } from './serve/micro-batcher.js';
export { EventLog, EventReader, type AppendResult, type LogBatch, type Recovery } from './events/event-log.js';
export type { ShopEventInput } from './events/validate-events.js';
