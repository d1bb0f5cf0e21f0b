// Implicit-feedback alternating least squares (Hu, Koren & Volinsky 2008).
//
// For an interaction with value v the model uses
//   confidence c = 1 + alpha * |v|                      (linear)
//             or 1 + alpha * log(1 + |v| / epsilon)     (log)
//   preference p = 1 if v >= 0, 0 if v < 0
// A negative value therefore says "confidently not liked": it weighs like a
// positive of the same size but pulls the prediction towards 0 instead of 1.
// Every pair that is not observed has confidence 1 and preference 0.
//
// One half-sweep solves every row x_u of X, with Y fixed, for
//   min  sum_i c_ui (p_ui - x_u . y_i)^2 + lambda_u |x_u|^2
// whose normal equations are
//   (Y^T Y + sum_{i observed} (c_ui - 1) y_i y_i^T + lambda_u I) x_u = sum_i c_ui p_ui y_i
// Y^T Y is computed once per half-sweep; the per-row term only touches the
// row's observed items. Rows are independent, so the result does not depend
// on the number of threads.
// The CG solver reads the rows of Y in the per-row term rounded to bfloat16
// (to nearest even), which halves the bytes of its scattered reads; Y^T Y,
// the Cholesky solver and the solved rows stay float32.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/csr.h"
#include "kernels/parallel.h"

namespace mfrec {

enum class AlsConfidence : int { Linear = 0, Log = 1 };
enum class AlsSolver : int { ConjugateGradient = 0, Cholesky = 1 };

struct AlsOptions {
  std::size_t factors = 64;
  float regularization = 0.1f;
  float alpha = 1.0f;
  AlsConfidence confidence = AlsConfidence::Linear;
  float epsilon = 1.0f;  // scale of the log confidence
  AlsSolver solver = AlsSolver::ConjugateGradient;
  int cg_steps = 3;
  // Frequency-scaled regularization: lambda_u = lambda * (1 + n_u)^nu, with
  // n_u the row's number of observed entries and nu regularization_exponent
  // (see als_row_lambda).
  bool scale_regularization = false;
  float regularization_exponent = 1.0f;
  int threads = 1;  // already resolved by the caller (>= 1)
};

// The confidence and preference of one observed value.
float als_confidence(const AlsOptions& o, float value);
inline float als_preference(float value) { return value < 0.0f ? 0.0f : 1.0f; }

// The regularization of a row with `count` observed entries.
float als_row_lambda(const AlsOptions& o, std::size_t count);

// Solves every row of X (m.rows x factors, row-major, updated in place)
// against fixed Y (y_rows x factors). With the CG solver the current X is the
// warm start. Throws Cancelled when `cancel` is raised between row chunks,
// std::runtime_error when a Cholesky system is not positive definite.
void als_half_sweep(const CsrView& m, const float* y, std::size_t y_rows, float* x, const AlsOptions& o,
                    CancelFlag cancel);

// The part of a half-sweep after Y^T Y: solves every row of X against fixed
// Y given gram_yy = Y^T Y (factors x factors, full). Rows of m index rows of
// Y (y_rows of them) and of X (m.rows of them). The fold-in of new or changed
// users and items uses it with a Y^T Y cached across calls; with
// o.threads == 1 it runs entirely on the calling thread.
void als_solve_rows(const CsrView& m, const float* y, std::size_t y_rows, const float* gram_yy, float* x,
                    const AlsOptions& o, CancelFlag cancel);

// One full iteration: users against items, then items against users.
void als_iteration(const CsrView& by_user, const CsrView& by_item, float* user_factors, float* item_factors,
                   const AlsOptions& o, CancelFlag cancel);

// The training loss, normalised by the total confidence weight:
//   [ sum_{u,i} c_ui (p_ui - x_u . y_i)^2
//     + sum_u lambda_u |x_u|^2 + sum_i lambda_i |y_i|^2 ] / sum_{u,i} c_ui
// where the double sum runs over every (user, item) pair (unobserved pairs
// have c = 1, p = 0) and sum_{u,i} c_ui = users * items + sum_observed (c - 1).
// Costs about as much as one CG step over the users.
double als_loss(const CsrView& by_user, const CsrView& by_item, const float* user_factors, const float* item_factors,
                const AlsOptions& o, CancelFlag cancel);

}  // namespace mfrec
