/** mfrec: matrix-factorization recommenders for Node.js. */
export { MfrecError, ErrorCodes, isMfrecError, type ErrorCode } from './errors.js';
export { IdMap, type RawId } from './data/id-map.js';
export { Interactions, type Aggregate, type FromArraysOptions } from './data/interactions.js';
export type { SparseRows } from './data/sparse.js';
export { libraryInfo, type LibraryInfo } from './info.js';
export {
  readInteractions,
  parseInteractions,
  type ReadOptions,
  type ReadResult,
  type BadLine,
  type Delimiter,
  type ColumnRef,
  type Columns,
} from './data/read-delimited.js';
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
