#include "kernels/score_split.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/spd_solve.h"

namespace mfrec {

namespace {

// z of row r: its vector, then 1 with a bias column.
void load_row(const ScoreSplit& p, int32_t r, std::size_t d, double* z) {
  const float* v = p.vectors + static_cast<std::size_t>(r) * p.factors;
  for (std::size_t x = 0; x < p.factors; ++x) z[x] = v[x];
  if (d > p.factors) z[p.factors] = 1.0;
}

}  // namespace

bool split_score(const ScoreSplit& p, double* out) {
  for (std::size_t j = 0; j < p.n; ++j) {
    if (p.rows[j] < 0 || static_cast<std::size_t>(p.rows[j]) >= p.n_vectors)
      throw std::invalid_argument("score split row index out of range at observation " + std::to_string(j));
  }
  if (p.query < 0 || static_cast<std::size_t>(p.query) >= p.n_vectors)
    throw std::invalid_argument("score split query out of range");
  const std::size_t d = p.factors + (p.bias_column ? 1 : 0);
  // Lower triangle of A. Four observations per pass over the triangle, as
  // the explicit fold-in does: at a hundred factors the triangle does not
  // fit in L1, so one pass per observation would be bound by cache traffic.
  std::vector<double> a(d * d, 0.0), z(4 * d, 0.0);
  std::size_t j = 0;
  for (; j + 4 <= p.n; j += 4) {
    for (std::size_t r = 0; r < 4; ++r) load_row(p, p.rows[j + r], d, z.data() + r * d);
    const double* z0 = z.data();
    const double* z1 = z0 + d;
    const double* z2 = z1 + d;
    const double* z3 = z2 + d;
    const double w0 = p.weights[j], w1 = p.weights[j + 1], w2 = p.weights[j + 2], w3 = p.weights[j + 3];
    for (std::size_t x = 0; x < d; ++x) {
      const double a0 = w0 * z0[x], a1 = w1 * z1[x], a2 = w2 * z2[x], a3 = w3 * z3[x];
      double* ax = a.data() + x * d;
      for (std::size_t y = 0; y <= x; ++y) ax[y] += (a0 * z0[y] + a1 * z1[y]) + (a2 * z2[y] + a3 * z3[y]);
    }
  }
  for (; j < p.n; ++j) {
    load_row(p, p.rows[j], d, z.data());
    const double w = p.weights[j];
    for (std::size_t x = 0; x < d; ++x) {
      const double ax0 = w * z[x];
      double* ax = a.data() + x * d;
      for (std::size_t y = 0; y <= x; ++y) ax[y] += ax0 * z[y];
    }
  }
  for (std::size_t x = 0; x < d; ++x) {
    a[x * d + x] += p.diagonal[x];
    if (p.base)
      for (std::size_t y = 0; y <= x; ++y) a[x * d + y] += p.base[x * d + y];
  }
  std::vector<double> q(d);
  load_row(p, p.query, d, q.data());
  if (!solve_spd_jittered(a, d, q.data())) return false;
  for (std::size_t i = 0; i < p.n; ++i) {
    load_row(p, p.rows[i], d, z.data());
    double s = 0;
    for (std::size_t x = 0; x < d; ++x) s += q[x] * z[x];
    out[i] = s;
  }
  return true;
}

}  // namespace mfrec
