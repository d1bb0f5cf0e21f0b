#include "kernels/fold_in.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace mfrec {

namespace {

// A pivot below this share of its original diagonal entry counts as zero:
// the system is singular up to rounding.
constexpr double kPivotFloor = 1e-12;

// In-place Cholesky factorization A = L L^T of the lower triangle of `a`
// (d x d, row-major). Right-looking: each column updates the trailing rows
// with independent multiply-adds instead of one long chain of additions.
// False when A is not numerically positive definite.
bool cholesky_lower(double* a, const double* original, std::size_t d, double* column) {
  for (std::size_t j = 0; j < d; ++j) {
    const double pivot = a[j * d + j];
    if (!(pivot > kPivotFloor * original[j * d + j])) return false;
    const double l = std::sqrt(pivot);
    a[j * d + j] = l;
    const double inv = 1.0 / l;
    for (std::size_t i = j + 1; i < d; ++i) {
      a[i * d + j] *= inv;
      column[i] = a[i * d + j];
    }
    for (std::size_t i = j + 1; i < d; ++i) {
      double* ri = a + i * d;
      const double lij = column[i];
      for (std::size_t z = j + 1; z <= i; ++z) ri[z] -= lij * column[z];
    }
  }
  return true;
}

// Solves L L^T x = b in place with the factor from cholesky_lower.
void solve_lower(const double* l, std::size_t d, double* b) {
  for (std::size_t i = 0; i < d; ++i) {
    double s = b[i];
    for (std::size_t z = 0; z < i; ++z) s -= l[i * d + z] * b[z];
    b[i] = s / l[i * d + i];
  }
  for (std::size_t i = d; i-- > 0;) {
    double s = b[i];
    for (std::size_t z = i + 1; z < d; ++z) s -= l[z * d + i] * b[z];
    b[i] = s / l[i * d + i];
  }
}

}  // namespace

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

  double trace = 0;
  for (std::size_t x = 0; x < d; ++x) trace += a[x * d + x];
  std::vector<double> work(d * d), column(d);
  double jitter = 0;
  for (;;) {
    work = a;
    for (std::size_t x = 0; x < d; ++x) work[x * d + x] += jitter;
    if (cholesky_lower(work.data(), a.data(), d, column.data())) break;
    // Non-finite input would never factor: give up with NaN like any other
    // computation on it, instead of looping.
    if (!std::isfinite(trace) || jitter > trace) {
      for (std::size_t x = 0; x < d; ++x) out[x] = NAN;
      return;
    }
    jitter = jitter == 0 ? 1e-10 * (trace > 0 ? trace / static_cast<double>(d) : 1.0) : jitter * 100;
  }
  solve_lower(work.data(), d, rhs.data());
  for (std::size_t x = 0; x < d; ++x) out[x] = static_cast<float>(rhs[x]);
}

}  // namespace mfrec
