// Fold-in for the explicit model: the factors and bias of one new row (a
// user against the fixed item vectors, or an item against the fixed user
// vectors) as the ridge regression
//
//   minimize  sum_j (y_j - b - x . v[rows_j])^2 + vector_penalty |x|^2 + bias_penalty b^2
//
// solved exactly through the (factors + 1)-dimensional normal equations, the
// bias being one more column of ones with its own penalty. Everything runs in
// double, in the order lib/twins/fold-in.ts uses, so the twin matches it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mfrec {

struct BiasedRidge {
  int32_t factors = 0;
  // The fixed vectors, row-major, `factors` floats per row, n_vectors rows.
  const float* vectors = nullptr;
  std::size_t n_vectors = 0;
  // Observations: the row of `vectors` each one pairs with and its target.
  std::size_t n = 0;
  const int32_t* rows = nullptr;
  const double* targets = nullptr;
  double vector_penalty = 0;
  double bias_penalty = 0;
};

// Writes the factors to out[0 .. factors) and the bias to out[factors].
// No observations gives zeros. A singular system (no penalty and fewer
// independent observations than unknowns) gets a vanishing ridge, growing
// until the factorization succeeds, which picks one of its exact fits.
// Throws std::invalid_argument for a row outside [0, n_vectors).
void solve_biased_ridge(const BiasedRidge& problem, float* out);

}  // namespace mfrec
