/** `mfrec/fastify`: the recommendation service (see docs/serve.md). */
export { mfrecFastify, mfrecFastify as default, type MfrecPluginOptions } from './plugin.js';
export { createServer, type ServerOptions } from './server.js';
export {
  ModelHandle,
  type ModelHandleOptions,
  type ModelInfo,
  type ModelLease,
  type PromotionGate,
  type GateVerdict,
  type ReloadOutcome,
  type Refusal,
} from './model-handle.js';
export { ServiceRules } from './service-rules.js';
export { precisionGate, type PrecisionGateOptions } from './precision-gate.js';
export { retrainInBackground, type RetrainOptions, type RetrainResult, type RetrainData } from './retrain.js';
export { ServiceErrorCodes, type ServiceErrorCode } from './http-errors.js';
export { MAX_K as SERVICE_MAX_K, MAX_BATCH, MAX_CART } from './schemas.js';
export type { ItemResult, ModelSummary } from './results.js';
