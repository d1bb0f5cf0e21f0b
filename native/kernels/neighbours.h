// The k nearest neighbours of every item by a sparse product, never the
// dense items x items matrix (lib/addon/item-item-fit.ts states the math).
// With a = by_item (items x users) and b = by_user (users x items), for
// items i != j sharing at least one user u (an entry (i, u) in a and (u, j)
// in b):
//   dot(i, j)   = sum over u, in increasing u, of a[i][u] * b[u][j]
//   count(i, j) = number of such u
//   s(i, j)     = dot * (shrink > 0 ? count / (count + shrink) : 1) * col_scale[j]
// every operation in float32 in that order (the twin, lib/twins/neighbours.ts,
// repeats it bit for bit). Row i keeps its k largest s(i, j) > 0 (ties to the
// lower j; NaN never kept), by decreasing score, padded with index -1 and
// score 0.
//
// Rows are independent and shared out dynamically; each thread owns a dense
// accumulator of n floats, a count per item and the list of items it touched,
// so a row costs its number of (u, j) pairs plus k log k, not n.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/csr.h"
#include "kernels/parallel.h"

namespace mfrec {

struct NeighboursProblem {
  CsrView by_item;                   // items x users, values required
  CsrView by_user;                   // users x items, values required
  std::size_t items = 0;             // rows of by_item = columns of by_user
  std::size_t users = 0;             // columns of by_item = rows of by_user
  const float* col_scale = nullptr;  // items floats, optional
  float shrink = 0.0f;               // >= 0 and finite
  std::size_t k = 1;                 // >= 1
  int threads = 1;                   // already resolved (>= 1)
};

// Writes items x k results into out_indices and out_scores. Throws
// std::invalid_argument for inconsistent shapes, k = 0, a negative or
// non-finite shrink or missing values; Cancelled when `cancel` is requested
// (checked between chunks of rows).
void item_neighbours(const NeighboursProblem& p, int32_t* out_indices, float* out_scores, CancelFlag cancel = {});

}  // namespace mfrec
