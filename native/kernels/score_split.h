// The score split behind explain(): for a row solved from weighted normal
// equations,
//
//   A = base + sum_j w_j z_j z_j^T + diag(diagonal),   z_j = vectors[rows_j] (or [vectors[rows_j]; 1])
//
// the score of a query z_q is sum_j t_j (A^-1 z_q) . z_j for the row's
// right-hand side sum_j t_j z_j. This kernel computes s_j = (A^-1 z_q) . z_j,
// one per observation; the caller multiplies by its t_j (ALS: c p; the
// explicit model: the rating's residual). One d x d solve, n rank-one
// updates. lib/twins/score-split.ts computes the same in TypeScript.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mfrec {

struct ScoreSplit {
  std::size_t factors = 0;
  // Rows are [v, 1] (d = factors + 1: the explicit model's bias column), else v (d = factors).
  bool bias_column = false;
  const float* vectors = nullptr;  // n_vectors x factors
  std::size_t n_vectors = 0;
  const int32_t* rows = nullptr;  // n observations: rows of `vectors`
  std::size_t n = 0;
  const double* weights = nullptr;   // n: weight of each observation's outer product
  const double* base = nullptr;      // optional d x d (full), added to A
  const double* diagonal = nullptr;  // d values added to A's diagonal
  int32_t query = 0;                 // the row of `vectors` whose score is split
};

// Writes s_j to out[0 .. n). False when A does not factor even with a ridge
// (non-finite input). Throws std::invalid_argument for a row or query
// outside [0, n_vectors).
bool split_score(const ScoreSplit& p, double* out);

}  // namespace mfrec
