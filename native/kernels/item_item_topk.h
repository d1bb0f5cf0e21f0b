// Top-K ranking for the item-to-item models (EASE, item-KNN, RP3beta): a
// query is a row of a sparse history (items with weights x), and its score
// of target item j is
//
//   score(q, j) = sum over the row's entries p of x_p * W[item_p][j]
//
// accumulated in history order, in float32 (one rounding after each product
// and each addition, nothing fused), where W is dense (items x items,
// row-major) or sparse (CSR rows of neighbours; a target absent from every
// history item's row scores 0). The TypeScript twin
// (lib/twins/item-item-topk.ts) applies the same operations in the same
// order. Filtering, candidates, exclusions, ordering and padding are those
// of the factor kernel (kernels/topk.h), through the same selection code
// (kernels/topk_select.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/csr.h"
#include "kernels/parallel.h"
#include "kernels/ranking_rules.h"

namespace mfrec {

struct ItemItemTopKQuery {
  // History: CSR over history rows (history.rows of them, history_nnz
  // entries), values required; `rows` lists the rows to answer (any order,
  // repeats allowed).
  CsrView history;
  std::size_t history_nnz = 0;
  const int32_t* rows = nullptr;
  std::size_t n_rows = 0;

  // Number of items: the targets, and the range of every item index.
  std::size_t items = 0;
  // Exactly one of: dense W (items x items floats; may be null when items
  // is 0), or sparse W (CSR with sparse.rows == items, sparse_nnz entries,
  // values required).
  const float* dense = nullptr;
  CsrView sparse;
  std::size_t sparse_nnz = 0;

  // Per-history-row filter (the "seen" items): CSR over history rows, columns
  // are item indices sorted per row. Optional: absent while filter.indptr is null.
  CsrView filter;
  std::size_t filter_nnz = 0;
  // Items never returned: strictly increasing. Optional.
  const int32_t* exclude = nullptr;
  std::size_t n_exclude = 0;
  // When non-null, only these items are scored and ranked: strictly increasing.
  const int32_t* candidates = nullptr;
  std::size_t n_candidates = 0;
  // Compiled business rules (permit mask, category caps, diversity); the
  // default rules change nothing. MMR measures similarity with W.
  RankingRules rules;

  std::size_t k = 10;
  int threads = 1;  // 0 = all hardware threads
};

// Writes n_rows * k results as kernels/topk.h's topk does: row r's best items
// in out_items[r*k ..] by decreasing score, ties to the lower item index,
// padded with item -1 and score -infinity; NaN scores never qualify.
// Throws std::invalid_argument for any index out of range (rows, history,
// sparse rows, filter, exclusions, candidates) or unsorted list, before any
// row is scored; Cancelled when `cancel` is requested (checked between rows).
void item_item_topk(const ItemItemTopKQuery& q, int32_t* out_items, float* out_scores, CancelFlag cancel = {});

}  // namespace mfrec
