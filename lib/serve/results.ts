/**
 * The JSON shapes of the service's answers: each recommended item with its
 * score, its source ('model' or 'cold-start') and the item's metadata when
 * the model carries some, and the served model's identity.
 */
import type { RawId } from '../data/id-map.js';
import type { LoadedModel } from '../persist/load-model.js';
import type { Recommendation } from '../models/base/recommend-options.js';
import type { ModelInfo } from './generation.js';

export interface ItemResult {
  item: RawId;
  score: number;
  source: Recommendation['source'];
  [metadata: string]: unknown;
}

export interface ModelSummary {
  version: number;
  checksum: string;
  type: string;
  loadedAt: string;
}

/** Models that carry item metadata (name, category, price...) answer this; others have none. */
interface WithMetadata {
  itemMetadata(item: RawId): Record<string, unknown> | undefined;
}

/** The item's metadata, or undefined when the model has none for it (or no metadata at all). */
export function metadataOf(model: LoadedModel, item: RawId): Record<string, unknown> | undefined {
  const m = model as unknown as Partial<WithMetadata>;
  return typeof m.itemMetadata === 'function' ? m.itemMetadata(item) : undefined;
}

export function hasMetadataSupport(model: LoadedModel): boolean {
  return typeof (model as unknown as Partial<WithMetadata>).itemMetadata === 'function';
}

/** A recommendation with its metadata; the metadata cannot overwrite item, score or source. */
export function itemResult(model: LoadedModel, r: Recommendation): ItemResult {
  const meta = metadataOf(model, r.item);
  return meta === undefined ? { item: r.item, score: r.score, source: r.source } : { ...meta, item: r.item, score: r.score, source: r.source };
}

export function itemResults(model: LoadedModel, list: Recommendation[]): ItemResult[] {
  return list.map((r) => itemResult(model, r));
}

export function modelSummary(info: ModelInfo): ModelSummary {
  return { version: info.version, checksum: info.checksum, type: info.type, loadedAt: info.loadedAt };
}
