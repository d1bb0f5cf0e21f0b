// Business rules applied inside the top-K kernels (kernels/topk.h and
// kernels/item_item_topk.h), compiled once on the JavaScript side
// (lib/models/base/ranking-rules.ts) and reused across calls:
//
// - permit: a bitmask over target indices (bit t of word t / 32): only
//   targets whose bit is set may be returned. One bit test per target while
//   selecting, instead of a lookup in a sorted list.
// - category caps: category[t] is target t's category code (-1: none, never
//   capped); at most cap[code] targets of one category per result row.
// - diversity (MMR): the results are picked greedily from the `pool` best
//   targets by score, each time the one maximising
//       lambda * rel(t) - (1 - lambda) * max over picked p of sim(t, p)
//   where rel is the score rescaled to [0, 1] over the pool
//   ((s - min) / (max - min), 1 when all scores are equal) and sim is the
//   cosine of the targets' factor vectors, or for item-to-item models the
//   larger of the two weights W[a][b], W[b][a].
//
// Caps and diversity re-rank a pool larger than k, so they only cost when
// used: without them, selection keeps its k-entry heap. With caps the pool
// starts at max(k, pool) entries; when the capped picks from a full pool
// fall short of k, the row is ranked again with a pool 8 times larger (up to
// every target), so the result is exactly "best first, skipping an item
// whose category is full". The TypeScript twin (lib/ruled-selection.ts)
// applies the same steps in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/csr.h"
#include "kernels/topk_select.h"

namespace mfrec {

struct RankingRules {
  // Bit t set: target t may be returned. Optional (null: every target);
  // permit_words = ceil(targets / 32) when given.
  const uint32_t* permit = nullptr;
  std::size_t permit_words = 0;
  // Category caps: category[t] in [-1, n_caps) for every target; cap[c] >= 0.
  // Optional (null: no caps).
  const int32_t* category = nullptr;
  const int32_t* cap = nullptr;
  std::size_t n_caps = 0;
  // Diversity: MMR with weight lambda in [0, 1] on relevance.
  bool diversity = false;
  double lambda = 1.0;
  // Candidates re-ranked by caps and diversity: at least k.
  std::size_t pool = 0;

  bool reranks() const { return category != nullptr || diversity; }
};

// What MMR measures similarity with: factor vectors (targets x factors), or
// item-to-item weights (dense items x items, or sparse CSR rows).
struct RuleSimilarity {
  const float* vectors = nullptr;
  std::size_t factors = 0;
  const float* dense = nullptr;
  std::size_t items = 0;
  CsrView sparse;
  std::size_t sparse_nnz = 0;
};

namespace ranking_rules {

// Throws std::invalid_argument unless the rules fit `targets` targets
// (permit length, category codes in range, caps not negative, lambda in
// [0, 1]).
void validate(const RankingRules& r, std::size_t targets);

// Whether the permit mask lets target t through.
inline bool permitted(const RankingRules& r, int32_t t) {
  const uint32_t u = static_cast<uint32_t>(t);
  return r.permit == nullptr || ((r.permit[u >> 5] >> (u & 31)) & 1u) != 0;
}

// How many entries selection keeps per row for k results over `columns`
// ranked columns: min(k, columns) without re-ranking, else the pool.
std::size_t heap_capacity(const RankingRules& r, std::size_t k, std::size_t columns);

// Marks (mask byte 1) the columns c0 .. c0+width whose target the permit
// bitmask leaves out. `mask` is the tile's mask so far (null: nothing
// dropped yet); returns the mask to use, `scratch` (width bytes) if it had
// to be created.
const uint8_t* mask_tile(const RankingRules& r, const topk_select::Columns& cols, const uint8_t* mask, std::size_t c0,
                         std::size_t width, uint8_t* scratch);

// Per-thread scratch memory of emit_row.
struct Scratch {
  std::vector<int32_t> items;
  std::vector<float> scores;
  std::vector<int32_t> used;  // per category: picks so far
  std::vector<uint8_t> taken;
  std::vector<double> rel, max_sim, norm;
};

// Writes one row's k results from the m kept entries of heap h (capacity
// `capacity`): sorted best first when the rules do not re-rank, else capped
// and / or diversified. Returns false when a full pool did not yield k
// results under the caps and more columns exist: the row must be ranked
// again with a larger pool (next_pool).
bool emit_row(const RankingRules& r, const RuleSimilarity& sim, topk_select::Entry* h, std::size_t m,
              std::size_t capacity, const topk_select::Columns& cols, std::size_t k, int32_t* items, float* scores,
              Scratch& scratch);

// The pool of a retry: 8 times larger, at most `columns`.
std::size_t next_pool(std::size_t pool, std::size_t columns);

}  // namespace ranking_rules
}  // namespace mfrec
