// EASE's item-to-item weights (Steck 2019, "Embarrassingly Shallow
// Autoencoders") in closed form. With X the users x items matrix of `by_user`
// (values used as given) and lambda > 0:
//   G = X^T X + lambda I,   P = G^-1,   B[i][j] = -P[i][j] / P[j][j], B[i][i] = 0.
//
// Three steps, each on the whole thread team:
//  1. The Gram matrix, by the cheaper of two methods (ease_gram_method):
//     dense, where blocks of users are written out as dense rows and folded
//     in with BLAS (syrk/gemm per tile of G), about users * n^2 / 2
//     multiply-adds at BLAS speed; or sparse, where row i of G is the sum of
//     x_ui * x_u over the users u of item i, about sum_u |x_u|^2 / 2 scalar
//     multiply-adds. Each thread writes its own rows or tiles of G: no races.
//  2. A blocked Cholesky factorisation G = L L^T (per-block potrf, trsm,
//     syrk and gemm calls on the team, BLAS pinned to one thread per call).
//  3. The inverse P = L^-T L^-1: W = L^-1 by column panels solved in
//     parallel, then P = W^T W by tiles.
// Memory: `out` and one n x n work matrix (W lives in `out` until B replaces it).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/csr.h"
#include "kernels/parallel.h"

namespace mfrec {

struct EaseProblem {
  CsrView by_user;        // users x items, values required
  std::size_t items = 0;  // columns of by_user
  float lambda = 0.0f;    // > 0 and finite
  int threads = 1;        // already resolved (>= 1)
};

enum class GramMethod { Dense, Sparse };

// The Gram method step 1 takes for `by_user` (items columns): the one whose
// estimated time is lower.
GramMethod ease_gram_method(const CsrView& by_user, std::size_t items);

// The lower triangle (diagonal included) of G = X^T X into `g` (items x
// items, row-major; the strict upper triangle is left as zeros), by the given
// method. Both methods give the same values to float rounding.
void ease_gram(const CsrView& by_user, std::size_t items, GramMethod method, int threads, float* g,
               CancelFlag cancel = {});

// Writes B (items x items, row-major) into `out`. Throws std::invalid_argument
// for a lambda that is not positive and finite, a value that is not finite,
// a user whose items are not strictly increasing,
// or a G + lambda I that is not positive definite in float32 (naming the
// item); Cancelled when `cancel` is requested (checked between blocks);
// std::bad_alloc when the n x n work matrix cannot be allocated.
void ease_fit(const EaseProblem& p, float* out, CancelFlag cancel = {});

// Steps 2 and 3 on their own, for a symmetric positive-definite A (n x n,
// row-major, lower triangle read): the lower triangle of `a` becomes that of
// A^-1 (its strict upper triangle is left as it was); `work` (n x n floats)
// is overwritten. Throws std::invalid_argument naming the row whose pivot is
// not positive (A not positive definite in float32, or not finite).
void spd_inverse(std::size_t n, float* a, float* work, int threads, CancelFlag cancel = {});

}  // namespace mfrec
