#include "kernels/blas.h"

#include <cmath>
#include <mutex>
#include <vector>

#ifdef MFREC_HAVE_OPENBLAS
#include <cblas.h>
extern "C" {
// Declared here: Debian's OpenBLAS ships no LAPACKE, and some cblas.h
// versions do not declare these.
void openblas_set_num_threads(int);
char* openblas_get_config(void);
}
#endif

namespace mfrec {

#ifdef MFREC_HAVE_OPENBLAS
std::string blas_name() { return std::string(openblas_get_config()); }
bool blas_is_openblas() { return true; }
void blas_init() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

namespace {
// OpenBLAS built without threading ("SINGLE_THREADED": Debian's serial
// variant) shares its work buffers between callers without locking:
// concurrent calls from our threads were measured to return wrong results
// (ssyrk from two threads: 1.6% of results wrong). Such a build gets its calls
// serialized here; the threaded variants are safe to call concurrently.
bool blas_needs_lock() {
  static const bool needs = std::string(openblas_get_config()).find("SINGLE_THREADED") != std::string::npos;
  return needs;
}

std::unique_lock<std::mutex> blas_guard() {
  static std::mutex m;
  return blas_needs_lock() ? std::unique_lock<std::mutex>(m) : std::unique_lock<std::mutex>();
}
}  // namespace

void gemm_abt(std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a, const float* b, float beta,
              float* c) {
  if (m == 0 || n == 0) return;
  auto guard = blas_guard();
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
              alpha, a, static_cast<int>(k), b, static_cast<int>(k), beta, c, static_cast<int>(n));
}

void gram(std::size_t rows, std::size_t cols, const float* x, float* g) {
  if (cols == 0) return;
  {
    auto guard = blas_guard();
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, static_cast<int>(cols), static_cast<int>(rows), 1.0f, x,
                static_cast<int>(cols), 0.0f, g, static_cast<int>(cols));
  }
  for (std::size_t i = 0; i < cols; ++i)
    for (std::size_t j = 0; j < i; ++j) g[i * cols + j] = g[j * cols + i];
}

float dot(std::size_t n, const float* x, const float* y) {
  auto guard = blas_guard();
  return cblas_sdot(static_cast<int>(n), x, 1, y, 1);
}
#else
std::string blas_name() { return "built-in"; }
bool blas_is_openblas() { return false; }
void blas_init() {}

void gemm_abt(std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a, const float* b, float beta,
              float* c) {
  for (std::size_t i = 0; i < m; ++i) {
    const float* ai = a + i * k;
    for (std::size_t j = 0; j < n; ++j) {
      const float* bj = b + j * k;
      float s = 0.0f;
      for (std::size_t p = 0; p < k; ++p) s += ai[p] * bj[p];
      float prev = beta == 0.0f ? 0.0f : beta * c[i * n + j];
      c[i * n + j] = alpha * s + prev;
    }
  }
}

void gram(std::size_t rows, std::size_t cols, const float* x, float* g) {
  // Accumulate in double so the built-in path is no less accurate than BLAS.
  std::vector<double> acc(cols * cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    for (std::size_t i = 0; i < cols; ++i) {
      double xi = xr[i];
      if (xi == 0.0) continue;
      double* row = acc.data() + i * cols;
      for (std::size_t j = i; j < cols; ++j) row[j] += xi * xr[j];
    }
  }
  for (std::size_t i = 0; i < cols; ++i)
    for (std::size_t j = i; j < cols; ++j) g[i * cols + j] = g[j * cols + i] = static_cast<float>(acc[i * cols + j]);
}

float dot(std::size_t n, const float* x, const float* y) {
  float s = 0.0f;
  for (std::size_t i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}
#endif

bool cholesky_solve(std::size_t n, float* a, float* b) {
  // Factor A = L L^T in place (lower triangle), accumulating in double:
  // n is the factor count (tens to a few hundred), so this is cheap next to
  // building A, and double keeps ill-conditioned rows stable.
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (std::size_t p = 0; p < j; ++p) d -= static_cast<double>(a[j * n + p]) * a[j * n + p];
    if (!(d > 0.0)) return false;
    double ljj = std::sqrt(d);
    a[j * n + j] = static_cast<float>(ljj);
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t p = 0; p < j; ++p) s -= static_cast<double>(a[i * n + p]) * a[j * n + p];
      a[i * n + j] = static_cast<float>(s / ljj);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {  // forward: L y = b
    double s = b[i];
    for (std::size_t p = 0; p < i; ++p) s -= static_cast<double>(a[i * n + p]) * b[p];
    b[i] = static_cast<float>(s / a[i * n + i]);
  }
  for (std::size_t i = n; i-- > 0;) {  // backward: L^T x = y
    double s = b[i];
    for (std::size_t p = i + 1; p < n; ++p) s -= static_cast<double>(a[p * n + i]) * b[p];
    b[i] = static_cast<float>(s / a[i * n + i]);
  }
  return true;
}

}  // namespace mfrec
