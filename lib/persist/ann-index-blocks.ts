/**
 * A factor model's approximate index (lib/models/base/ann-index.ts) in a
 * model file: the header's `annIndex` object (options and entry nodes) and
 * the graphs as int32 blocks `annLevels` / `annLinks` (recommend) and
 * `annSimilarLevels` / `annSimilarLinks` (similar items, optional). Both
 * are optional: a file without them loads without an index. Decoding checks
 * every level, count and link (natively, linear in the graph) before a
 * search may follow one: a bad one is ERR_MFREC_CORRUPT_FILE.
 */
import { ErrorCodes, isMfrecError, MfrecError } from '../errors.js';
import { hnswBinding, type HnswGraphArrays } from '../addon/hnsw.js';
import { currentIndex, type AnnIndex } from '../models/base/ann-index.js';
import type { FactorState } from '../models/base/factor-state.js';
import type { BlockArray } from './model-file.js';

interface SavedIndexHeader {
  kind: 'hnsw';
  M: number;
  efConstruction: number;
  ef: number;
  seed: number;
  entry: number;
  similarEntry?: number;
}

/** The header entry and blocks of `s`'s index; nothing when it has no current one. */
export function annIndexContents(s: FactorState): { header: Record<string, unknown>; blocks: Record<string, BlockArray> } {
  const index = currentIndex(s);
  if (index === undefined) return { header: {}, blocks: {} };
  const header: SavedIndexHeader = { kind: 'hnsw', ...index.params, entry: index.recommend.entry };
  const blocks: Record<string, BlockArray> = { annLevels: index.recommend.levels, annLinks: index.recommend.links };
  if (index.similar) {
    header.similarEntry = index.similar.entry;
    blocks.annSimilarLevels = index.similar.levels;
    blocks.annSimilarLinks = index.similar.links;
  }
  return { header: { annIndex: header }, blocks };
}

function bad(source: string, what: string): MfrecError {
  return new MfrecError(ErrorCodes.CORRUPT_FILE, `${source}: inconsistent model file: ${what}`);
}

function intIn(value: unknown, lo: number, hi: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= lo && (value as number) <= hi;
}

/** One graph from its blocks, every level and link checked. */
function decodeGraph(blocks: Record<string, BlockArray>, names: [string, string], m: number, entry: unknown, items: number, source: string): HnswGraphArrays {
  const [levelsName, linksName] = names;
  const levels = blocks[levelsName];
  const links = blocks[linksName];
  if (!(levels instanceof Int32Array) || levels.length !== items) throw bad(source, `block ${levelsName} must hold ${items} int32 values`);
  if (!(links instanceof Int32Array)) throw bad(source, `missing int32 block ${linksName}`);
  if (!intIn(entry, -1, items - 1)) throw bad(source, `index entry node ${String(entry)} is out of range`);
  const upper = new Int32Array(items);
  try {
    const length = hnswBinding().hnswLayoutSync({ m, levels, upper });
    if (links.length !== length) throw bad(source, `block ${linksName} holds ${links.length} values, its levels need ${length}`);
    const graph = { m, levels, upper, links, entry };
    hnswBinding().hnswCheckSync(graph);
    return graph;
  } catch (e) {
    if (isMfrecError(e) && e.code === ErrorCodes.INVALID_ARGUMENT) throw bad(source, `index graph ${linksName}: ${e.message}`);
    throw e;
  }
}

/** The index saved in a file (header `annIndex`), over the decoded state's item arrays; undefined when the file has none. */
export function decodeAnnIndex(saved: unknown, blocks: Record<string, BlockArray>, s: FactorState, source: string): AnnIndex | undefined {
  if (saved === undefined) return undefined;
  const h = (saved ?? {}) as Partial<SavedIndexHeader>;
  if (typeof saved !== 'object' || saved === null || h.kind !== 'hnsw') throw bad(source, 'annIndex is not an hnsw index description');
  if (s.factors === 0) throw bad(source, 'an item-to-item model has no index');
  if (!intIn(h.M, 2, 256) || !intIn(h.efConstruction, 1, 1 << 20) || !intIn(h.ef, 1, 1 << 20) || !intIn(h.seed, 0, 0xffffffff)) {
    throw bad(source, 'annIndex options out of range');
  }
  const n = s.items.size;
  const index: AnnIndex = {
    kind: 'hnsw',
    params: { M: h.M, efConstruction: h.efConstruction, ef: h.ef, seed: h.seed },
    recommend: decodeGraph(blocks, ['annLevels', 'annLinks'], h.M, h.entry, n, source),
    itemFactors: s.itemFactors,
    itemBias: s.itemBias,
  };
  if (h.similarEntry !== undefined || blocks.annSimilarLinks !== undefined) {
    index.similar = decodeGraph(blocks, ['annSimilarLevels', 'annSimilarLinks'], h.M, h.similarEntry, n, source);
  }
  return index;
}
