// Top-K scoring: for a list of query rows, score every target (or a subset)
// by a dot product with BLAS, filter, and keep the k best per row.
//
// One kernel serves both recommendation (queries are users, targets items,
// scores are dot products plus biases) and similarity (queries and targets
// are the same factor matrix, scaled by inverse norms to give cosines).
//
// Score of query row q against target t:
//   ((dot(Q[q], T[t]) * col_scale[t]) * row_scale[q]) + col_bias[t] + (row_offset[q] + offset)
// where every optional array counts as "absent" when null. The TypeScript
// twin (lib/twins/topk.ts) applies the same operations in the same order.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/csr.h"
#include "kernels/parallel.h"
#include "kernels/ranking_rules.h"

namespace mfrec {

struct TopKQuery {
  // Query side: `query` holds query_rows x factors floats; `rows` lists the
  // query rows to answer (n_rows of them, any order, repeats allowed).
  const float* query = nullptr;
  std::size_t query_rows = 0;
  const int32_t* rows = nullptr;
  std::size_t n_rows = 0;
  const float* row_scale = nullptr;   // query_rows floats, optional
  const float* row_offset = nullptr;  // query_rows floats, optional
  float offset = 0.0f;

  // Target side: targets x factors floats.
  const float* target = nullptr;
  std::size_t targets = 0;
  std::size_t factors = 0;
  const float* col_scale = nullptr;  // targets floats, optional
  const float* col_bias = nullptr;   // targets floats, optional

  // Per-query-row filter (the training matrix by user, for "seen" items):
  // CSR over query rows (filter.rows == query_rows, values unused), columns
  // are target indices, sorted per row; filter_nnz entries. Optional: absent
  // while filter.indptr is null.
  CsrView filter;
  std::size_t filter_nnz = 0;
  // Drop target t == query row q (similar items: an item is not its own neighbour).
  bool exclude_self = false;
  // Targets never returned: strictly increasing target indices. Optional.
  const int32_t* exclude = nullptr;
  std::size_t n_exclude = 0;
  // When non-null, only these targets are ranked: strictly increasing indices.
  const int32_t* candidates = nullptr;
  std::size_t n_candidates = 0;
  // Compiled business rules (permit mask, category caps, diversity); the
  // default rules change nothing. MMR measures similarity on `target`.
  RankingRules rules;

  std::size_t k = 10;
  int threads = 1;  // 0 = all hardware threads
};

// Writes n_rows * k results: row r's best targets in out_items[r*k ..] by
// decreasing score, ties broken by the lower target index; out_scores holds
// their scores. Rows with fewer than k qualifying targets are padded with
// item -1 and score -infinity. Targets whose score is NaN never qualify.
// Throws std::invalid_argument for out-of-range indices or unsorted lists,
// Cancelled when `cancel` is requested (checked between blocks of rows).
void topk(const TopKQuery& q, int32_t* out_items, float* out_scores, CancelFlag cancel = {});

}  // namespace mfrec
