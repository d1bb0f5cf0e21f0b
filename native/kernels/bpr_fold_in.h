// BPR fold-in: one user's (or item's) vector learned against the fixed other
// side by replaying training's SGD on the terms of the BPR objective that
// involve that row (see lib/models/bpr/fold-in.ts, the TypeScript twin, for
// the sampling scheme). Same random streams and the same arithmetic, in
// double precision and in the twin's order, so both give the same vector up
// to the last bits of exp().
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/csr.h"

namespace mfrec {

struct BprFoldInParams {
  std::size_t factors = 0;
  uint32_t iterations = 0;
  double learning_rate = 0;
  double regularization = 0;
  uint32_t seed = 0;
  bool verify_negative = true;
};

// A user's vector from `positives` (n strictly increasing item indices in
// [0, n_items)) against item_factors (n_items x factors) and item_bias,
// written to out[0 .. factors). Zeros when there is no pair to learn from.
// Throws std::invalid_argument for positives out of range or not increasing.
void bpr_fold_in_user(const BprFoldInParams& p, const float* item_factors, const float* item_bias, std::size_t n_items,
                      const int32_t* positives, std::size_t n, float* out);

// The fixed user side and the rest of the catalogue, for item fold-ins.
struct BprItemContext {
  const float* user_factors = nullptr;  // n_users x factors
  std::size_t n_users = 0;
  const float* item_factors = nullptr;  // n_items x factors
  const float* item_bias = nullptr;     // n_items
  std::size_t n_items = 0;
  CsrView seen;  // training interactions by user (rows <= n_users), columns < n_items
  std::size_t nnz = 0;
  const int32_t* user_of_entry = nullptr;  // nnz: the row of each entry of `seen`
  const float* column_counts = nullptr;    // n_items: entries per column of `seen`
};

// An item's vector and bias from `fans` (nf strictly increasing user indices
// in [0, n_users)); `item` is its current index or -1 for a new item. Writes
// out[0 .. factors) and *bias. Throws std::invalid_argument for fans out of
// range or not increasing, or a context whose counts disagree with `seen`
// (which would leave no entry to draw as a negative).
void bpr_fold_in_item(const BprFoldInParams& p, const BprItemContext& c, const int32_t* fans, std::size_t nf,
                      int32_t item, float* out, double* bias);

}  // namespace mfrec
