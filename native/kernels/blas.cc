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
// LAPACK's Cholesky factorisation, bundled with OpenBLAS (Fortran calling
// convention: every argument by pointer, the string's hidden length last).
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info, std::size_t uplo_length);
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

namespace {
CBLAS_TRANSPOSE cblas_trans(Trans t) { return t == Trans::Yes ? CblasTrans : CblasNoTrans; }
int as_int(std::size_t n) { return static_cast<int>(n); }
}  // namespace

void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a, std::size_t lda,
          const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  auto guard = blas_guard();
  cblas_sgemm(CblasRowMajor, cblas_trans(ta), cblas_trans(tb), as_int(m), as_int(n), as_int(k), alpha, a, as_int(lda),
              b, as_int(ldb), beta, c, as_int(ldc));
}

void syrk_lower(Trans t, std::size_t n, std::size_t k, float alpha, const float* a, std::size_t lda, float beta,
                float* c, std::size_t ldc) {
  if (n == 0) return;
  auto guard = blas_guard();
  cblas_ssyrk(CblasRowMajor, CblasLower, cblas_trans(t), as_int(n), as_int(k), alpha, a, as_int(lda), beta, c,
              as_int(ldc));
}

void trsm_right_lower_trans(std::size_t m, std::size_t n, const float* l, std::size_t ldl, float* b, std::size_t ldb) {
  if (m == 0 || n == 0) return;
  auto guard = blas_guard();
  cblas_strsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, as_int(m), as_int(n), 1.0f, l,
              as_int(ldl), b, as_int(ldb));
}

void trsm_left_lower(std::size_t n, std::size_t m, const float* l, std::size_t ldl, float* b, std::size_t ldb) {
  if (m == 0 || n == 0) return;
  auto guard = blas_guard();
  cblas_strsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, as_int(n), as_int(m), 1.0f, l,
              as_int(ldl), b, as_int(ldb));
}

namespace {
std::size_t first_bad_pivot(std::size_t n, const float* a, std::size_t lda) {
  for (std::size_t j = 0; j < n; ++j) {
    const float d = a[j * lda + j];
    if (!(d > 0.0f) || !std::isfinite(d)) return j;
  }
  return n;
}
}  // namespace

std::size_t potrf_lower(std::size_t n, float* a, std::size_t lda) {
  if (n == 0) return 0;
  // Row-major lower is column-major upper: LAPACK's "U" factor U (A = U^T U)
  // read row-major is L.
  const int ni = as_int(n), ldai = as_int(lda);
  int info = 0;
  {
    auto guard = blas_guard();
    spotrf_("U", &ni, a, &ldai, &info, 1);
  }
  if (info > 0) return static_cast<std::size_t>(info - 1);
  // LAPACK's pivot test (d <= 0) lets NaN through: check the factor too.
  return first_bad_pivot(n, a, lda);
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

#ifndef MFREC_HAVE_OPENBLAS
// Built-in block routines: plain loops whose innermost loop runs along
// contiguous memory so that the compiler vectorises it.
namespace {
inline float at(const float* x, std::size_t ld, Trans t, std::size_t r, std::size_t c) {
  return t == Trans::No ? x[r * ld + c] : x[c * ld + r];
}

// C's rows i in [0, m), columns [0, width(i)), scaled by beta (beta = 0
// clears, as BLAS does, even NaN).
template <typename Width>
void scale_rows(std::size_t m, Width width, float beta, float* c, std::size_t ldc) {
  for (std::size_t i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    for (std::size_t j = 0, w = width(i); j < w; ++j) ci[j] = beta == 0.0f ? 0.0f : beta * ci[j];
  }
}
}  // namespace

void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a, std::size_t lda,
          const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  scale_rows(
      m, [n](std::size_t) { return n; }, beta, c, ldc);
  for (std::size_t i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    if (tb == Trans::No) {
      for (std::size_t p = 0; p < k; ++p) {
        const float aip = alpha * at(a, lda, ta, i, p);
        const float* bp = b + p * ldb;
        for (std::size_t j = 0; j < n; ++j) ci[j] += aip * bp[j];
      }
    } else {
      for (std::size_t j = 0; j < n; ++j) {
        const float* bj = b + j * ldb;
        float s = 0.0f;
        for (std::size_t p = 0; p < k; ++p) s += at(a, lda, ta, i, p) * bj[p];
        ci[j] += alpha * s;
      }
    }
  }
}

void syrk_lower(Trans t, std::size_t n, std::size_t k, float alpha, const float* a, std::size_t lda, float beta,
                float* c, std::size_t ldc) {
  scale_rows(
      n, [](std::size_t i) { return i + 1; }, beta, c, ldc);
  if (t == Trans::Yes) {  // A is k x n: C += alpha * sum_p A[p]^T A[p]
    for (std::size_t p = 0; p < k; ++p) {
      const float* ap = a + p * lda;
      for (std::size_t i = 0; i < n; ++i) {
        const float api = alpha * ap[i];
        if (api == 0.0f) continue;
        float* ci = c + i * ldc;
        for (std::size_t j = 0; j <= i; ++j) ci[j] += api * ap[j];
      }
    }
  } else {  // A is n x k: C[i][j] += alpha * dot(A[i], A[j])
    for (std::size_t i = 0; i < n; ++i) {
      const float* ai = a + i * lda;
      for (std::size_t j = 0; j <= i; ++j) {
        const float* aj = a + j * lda;
        float s = 0.0f;
        for (std::size_t p = 0; p < k; ++p) s += ai[p] * aj[p];
        c[i * ldc + j] += alpha * s;
      }
    }
  }
}

void trsm_right_lower_trans(std::size_t m, std::size_t n, const float* l, std::size_t ldl, float* b, std::size_t ldb) {
  // Row r of X: x_j = (b_j - sum_{p<j} x_p L[j][p]) / L[j][j].
  for (std::size_t r = 0; r < m; ++r) {
    float* x = b + r * ldb;
    for (std::size_t j = 0; j < n; ++j) {
      const float* lj = l + j * ldl;
      float s = x[j];
      for (std::size_t p = 0; p < j; ++p) s -= x[p] * lj[p];
      x[j] = s / lj[j];
    }
  }
}

void trsm_left_lower(std::size_t n, std::size_t m, const float* l, std::size_t ldl, float* b, std::size_t ldb) {
  // Row i of X: (B[i] - sum_{p<i} L[i][p] X[p]) / L[i][i].
  for (std::size_t i = 0; i < n; ++i) {
    float* xi = b + i * ldb;
    for (std::size_t p = 0; p < i; ++p) {
      const float lip = l[i * ldl + p];
      if (lip == 0.0f) continue;
      const float* xp = b + p * ldb;
      for (std::size_t j = 0; j < m; ++j) xi[j] -= lip * xp[j];
    }
    const float inv = 1.0f / l[i * ldl + i];
    for (std::size_t j = 0; j < m; ++j) xi[j] *= inv;
  }
}

std::size_t potrf_lower(std::size_t n, float* a, std::size_t lda) {
  // Accumulates in double, as cholesky_solve does: a block is small next to
  // the matrix, and double keeps its pivots accurate.
  for (std::size_t j = 0; j < n; ++j) {
    float* aj = a + j * lda;
    double d = aj[j];
    for (std::size_t p = 0; p < j; ++p) d -= static_cast<double>(aj[p]) * aj[p];
    if (!(d > 0.0) || !std::isfinite(d)) return j;
    const double ljj = std::sqrt(d);
    aj[j] = static_cast<float>(ljj);
    for (std::size_t i = j + 1; i < n; ++i) {
      float* ai = a + i * lda;
      double s = ai[j];
      for (std::size_t p = 0; p < j; ++p) s -= static_cast<double>(ai[p]) * aj[p];
      ai[j] = static_cast<float>(s / ljj);
    }
  }
  return n;
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
