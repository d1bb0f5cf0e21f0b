/**
 * The native HNSW kernel (native/kernels/hnsw.h) as TypeScript sees it:
 * level draws, layout, build, check and search. Callers validate first; the
 * binding checks array types and lengths, the kernel indices and links.
 */
import { bindingOf } from './loader.js';
import type { TopKArgs } from './topk.js';

/**
 * A graph in the kernel's layout: `levels` (top level per node) and `links`
 * (level 0 blocks of 1 + 2m, then upper-level blocks of 1 + m, each a count
 * then slots) are what a model file stores; `upper` (each node's first
 * upper-level block) always comes from hnswLayoutSync over `levels`.
 */
export interface HnswGraphArrays {
  m: number;
  levels: Int32Array;
  upper: Int32Array;
  links: Int32Array;
  /** The node searches start from; −1 for an empty graph. */
  entry: number;
}

/** The items an index is built over: factor rows, plus either biases (appended coordinate) or scales (cosine). */
export interface HnswBuildArgs extends HnswGraphArrays {
  target: Float32Array;
  factors: number;
  colBias?: Float32Array | undefined;
  colScale?: Float32Array | undefined;
  efConstruction: number;
  /** 0 = all hardware threads; 1 builds the seeded, reproducible graph. */
  threads: number;
  cancel?: Int32Array | undefined;
}

/** A top-K request (same fields and output as topk) answered through the graph, keeping `ef` results while searching. */
export type HnswSearchArgs = TopKArgs & HnswGraphArrays & { ef: number };

export interface HnswBinding {
  hnswLevelsSync(args: { m: number; seed: number; levels: Int32Array }): void;
  /** Checks levels, fills upper and returns the length links must have. */
  hnswLayoutSync(args: { m: number; levels: Int32Array; upper: Int32Array }): number;
  /** Returns the entry node. */
  hnswBuildSync(args: HnswBuildArgs): number;
  hnswBuild(args: HnswBuildArgs): Promise<number>;
  /** INVALID_ARGUMENT naming the first bad count, link or entry. */
  hnswCheckSync(args: HnswGraphArrays): void;
  hnswSearchSync(args: HnswSearchArgs): void;
  hnswSearch(args: HnswSearchArgs): Promise<void>;
}

export const hnswBinding = bindingOf<HnswBinding>({
  sync: ['hnswLevelsSync', 'hnswLayoutSync', 'hnswBuildSync', 'hnswCheckSync', 'hnswSearchSync'],
  async: ['hnswBuild', 'hnswSearch'],
});
