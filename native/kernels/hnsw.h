// Approximate top-K: a hierarchical navigable small-world graph (HNSW) over
// the item vectors, searched instead of scoring every item.
//
// Inner product to distance. Ranking by q · v_j is a maximum-inner-product
// search, which a proximity graph does not answer directly. The standard
// reduction appends one coordinate to every item, e_j = sqrt(M² − ‖v_j‖²)
// with M² the largest ‖v‖², and 0 to every query: then
// ‖[q,0] − [v_j,e_j]‖² = ‖q‖² + M² − 2 q · v_j, so the nearest item in L2 is
// the best by inner product. The graph is built on those augmented vectors
// (distance between items i, j: M² − (v_i · v_j + e_i e_j), half the squared
// L2 distance); a search ranks by the score itself, which is the same order.
//
// Item j's vector v_j is its factor row, with the item bias appended as one
// more coordinate when there is one (the query then appends 1, so
// q · v_j = dot + bias, the exact top-K's score up to a per-query constant),
// or its factor row times scale_j (cosine: scale = 1 / ‖y_j‖).
//
// Layout (the caller owns the memory; it is what a model file stores):
//   levels[n]  the top level of each node, 0 .. kHnswMaxLevel
//   links      level 0 first: node i's block at i * (1 + 2m) holds a count
//              then 2m slots; then each node's upper levels, level l ≥ 1 of
//              node i at upper[i] + (l − 1) * (1 + m): a count, m slots.
//   upper[n]   derived from levels by hnsw_layout (not stored).
//   entry      the node searches start from (it has the top level).
//
// Determinism: one thread builds the same graph for the same levels and
// vectors every time, and lib/twins/hnsw.ts builds it too (same distances,
// lanes and order; every ordering breaks ties by node index). More threads
// insert in parallel under per-node locks; the graph then depends on timing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/parallel.h"
#include "kernels/topk.h"

namespace mfrec {

constexpr int32_t kHnswMaxLevel = 15;

// The items an index is built over (see the header comment for v_j).
struct HnswItems {
  const float* factors = nullptr;  // n x dim
  std::size_t n = 0;
  std::size_t dim = 0;
  const float* bias = nullptr;   // n floats, optional
  const float* scale = nullptr;  // n floats, optional; not together with bias
};

// A graph in the layout above. Building writes `links` and `entry`.
struct HnswGraph {
  std::size_t n = 0;
  std::size_t m = 16;
  const int32_t* levels = nullptr;
  const int32_t* upper = nullptr;
  int32_t* links = nullptr;
  std::size_t n_links = 0;
  int32_t entry = -1;
};

// Draws each node's level from one seeded stream: level l with probability
// (1 − 1/m) m^−l (geometric: count draws of below(m) == 0), capped at
// kHnswMaxLevel. Integer-only, so the twin draws the same levels.
void hnsw_draw_levels(std::size_t n, std::size_t m, uint32_t seed, int32_t* levels);

// Checks levels (0 .. kHnswMaxLevel) and m (2 .. 256), writes upper[n] and
// returns the length of `links`. Throws std::invalid_argument naming the
// first bad node, or when the graph would exceed 2^31 − 1 links.
std::size_t hnsw_layout(std::size_t n, std::size_t m, const int32_t* levels, int32_t* upper);

// Builds the graph: every node inserted in index order (one thread) or in
// parallel; ef_construction >= 1 candidates kept per insertion.
void hnsw_build(const HnswItems& items, HnswGraph& g, std::size_t ef_construction, int threads, CancelFlag cancel = {});

// Checks a graph read from outside (a model file): counts within their
// blocks, every link a node that has that level, the entry a node of the top
// level. Throws std::invalid_argument naming the first fault.
void hnsw_check(const HnswGraph& g);

// Approximate top-K for the rows of `q` (same fields, filters, scores and
// output as topk(), the graph built over q.target / q.col_bias /
// q.col_scale). `ef` (>= 1) results are kept while searching; more keep
// more recall at more cost. Filters are applied during the search: filtered
// items still lead to their neighbours but never enter the results. A row
// with few candidates, or whose search ends with fewer than k results while
// more items qualify, is answered by the exact topk() instead.
void hnsw_search(const TopKQuery& q, const HnswGraph& g, std::size_t ef, int32_t* out_items, float* out_scores,
                 CancelFlag cancel = {});

}  // namespace mfrec
