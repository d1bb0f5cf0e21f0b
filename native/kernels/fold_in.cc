#include "kernels/fold_in.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/spd_solve.h"

namespace mfrec {

void solve_biased_ridge(const BiasedRidge& p, float* out) {
  const std::size_t k = static_cast<std::size_t>(p.factors);
  const std::size_t d = k + 1;
  for (std::size_t j = 0; j < p.n; ++j) {
    if (p.rows[j] < 0 || static_cast<std::size_t>(p.rows[j]) >= p.n_vectors) {
      throw std::invalid_argument("fold-in row index out of range at observation " + std::to_string(j));
    }
  }
  if (p.n == 0) {
    for (std::size_t x = 0; x < d; ++x) out[x] = 0.0f;
    return;
  }
  // Lower triangle of X^T X and X^T y, X's rows being [v, 1]. Four rows of X
  // per pass over the triangle: it is too large for L1 at a hundred factors,
  // so one pass per rating would be bound by cache traffic.
  std::vector<double> a(d * d, 0.0), rhs(d, 0.0), v(4 * d, 1.0);
  std::size_t j = 0;
  for (; j + 4 <= p.n; j += 4) {
    for (std::size_t r = 0; r < 4; ++r) {
      const float* row = p.vectors + static_cast<std::size_t>(p.rows[j + r]) * k;
      for (std::size_t x = 0; x < k; ++x) v[r * d + x] = row[x];
    }
    const double* v0 = v.data();
    const double* v1 = v0 + d;
    const double* v2 = v1 + d;
    const double* v3 = v2 + d;
    const double y0 = p.targets[j], y1 = p.targets[j + 1], y2 = p.targets[j + 2], y3 = p.targets[j + 3];
    for (std::size_t x = 0; x < d; ++x) {
      const double a0 = v0[x], a1 = v1[x], a2 = v2[x], a3 = v3[x];
      double* ax = a.data() + x * d;
      for (std::size_t z = 0; z <= x; ++z) ax[z] += (a0 * v0[z] + a1 * v1[z]) + (a2 * v2[z] + a3 * v3[z]);
      rhs[x] += (a0 * y0 + a1 * y1) + (a2 * y2 + a3 * y3);
    }
  }
  for (; j < p.n; ++j) {
    const float* row = p.vectors + static_cast<std::size_t>(p.rows[j]) * k;
    for (std::size_t x = 0; x < k; ++x) v[x] = row[x];
    const double y = p.targets[j];
    for (std::size_t x = 0; x < d; ++x) {
      const double vx = v[x];
      double* ax = a.data() + x * d;
      for (std::size_t z = 0; z <= x; ++z) ax[z] += vx * v[z];
      rhs[x] += vx * y;
    }
  }
  for (std::size_t x = 0; x < k; ++x) a[x * d + x] += p.vector_penalty;
  a[k * d + k] += p.bias_penalty;

  if (!solve_spd_jittered(a, d, rhs.data())) {
    // Non-finite input never factors: NaN, like any other computation on it.
    for (std::size_t x = 0; x < d; ++x) out[x] = NAN;
    return;
  }
  for (std::size_t x = 0; x < d; ++x) out[x] = static_cast<float>(rhs[x]);
}

}  // namespace mfrec
