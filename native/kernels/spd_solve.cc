#include "kernels/spd_solve.h"

#include <cmath>

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

bool solve_spd_jittered(const std::vector<double>& a, std::size_t d, double* rhs) {
  double trace = 0;
  for (std::size_t x = 0; x < d; ++x) trace += a[x * d + x];
  std::vector<double> work(d * d), column(d);
  double jitter = 0;
  for (;;) {
    work = a;
    for (std::size_t x = 0; x < d; ++x) work[x * d + x] += jitter;
    if (cholesky_lower(work.data(), a.data(), d, column.data())) break;
    // Non-finite input would never factor: give up instead of looping.
    if (!std::isfinite(trace) || jitter > trace) return false;
    jitter = jitter == 0 ? 1e-10 * (trace > 0 ? trace / static_cast<double>(d) : 1.0) : jitter * 100;
  }
  solve_lower(work.data(), d, rhs);
  return true;
}

}  // namespace mfrec
