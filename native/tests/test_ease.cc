#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/blas.h"
#include "kernels/ease.h"

using namespace mfrec;

namespace {

struct Csr {
  std::size_t rows = 0, cols = 0;
  std::vector<int32_t> indptr{0}, indices;
  std::vector<float> values;
  CsrView view() const { return {rows, indptr.data(), indices.data(), values.data()}; }
};

// Random users x items data: each entry present with `density`, values in
// {1, 2, 3}; users and items listed in `empty` get no entries.
Csr random_csr(uint32_t seed, std::size_t rows, std::size_t cols, double density, std::size_t empty_every = 0) {
  std::mt19937 rng(seed);
  std::bernoulli_distribution present(density);
  std::uniform_int_distribution<int> value(1, 3);
  Csr m;
  m.rows = rows;
  m.cols = cols;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const bool empty = empty_every > 0 && (r % empty_every == 0 || c % empty_every == 0);
      if (!empty && present(rng)) {
        m.indices.push_back(static_cast<int32_t>(c));
        m.values.push_back(static_cast<float>(value(rng)));
      }
    }
    m.indptr.push_back(static_cast<int32_t>(m.indices.size()));
  }
  return m;
}

std::vector<double> gram_double(const Csr& m) {
  std::vector<double> g(m.cols * m.cols, 0.0);
  for (std::size_t u = 0; u < m.rows; ++u)
    for (int32_t a = m.indptr[u]; a < m.indptr[u + 1]; ++a)
      for (int32_t b = m.indptr[u]; b < m.indptr[u + 1]; ++b)
        g[m.indices[a] * m.cols + m.indices[b]] += static_cast<double>(m.values[a]) * m.values[b];
  return g;
}

std::vector<float> random_matrix(uint32_t seed, std::size_t rows, std::size_t cols) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> x(rows * cols);
  for (auto& v : x) v = u(rng);
  return x;
}

// A random symmetric positive-definite n x n matrix: Y^T Y / rows + I.
std::vector<float> random_spd(uint32_t seed, std::size_t n) {
  const std::size_t rows = n + 10;
  const std::vector<float> y = random_matrix(seed, rows, n);
  std::vector<float> a(n * n, 0.0f);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = 0.0;
      for (std::size_t r = 0; r < rows; ++r) s += static_cast<double>(y[r * n + i]) * y[r * n + j];
      a[i * n + j] = a[j * n + i] = static_cast<float>(s / rows + (i == j ? 1.0 : 0.0));
    }
  return a;
}

bool throws_invalid(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find(needle) != std::string::npos) return true;
    std::fprintf(stderr, "  unexpected message: %s\n", e.what());
    return false;
  }
  return false;
}

}  // namespace

// --- the block routines, built-in or BLAS, against plain double loops -----------

MFREC_TEST(block_gemm_matches_loops_for_every_transpose) {
  const std::size_t m = 37, n = 29, k = 41, ld = 50;
  for (Trans ta : {Trans::No, Trans::Yes})
    for (Trans tb : {Trans::No, Trans::Yes}) {
      const std::vector<float> a = random_matrix(1, 50, ld), b = random_matrix(2, 50, ld);
      std::vector<float> c = random_matrix(3, m, ld), c0 = c;
      gemm(ta, tb, m, n, k, -0.5f, a.data(), ld, b.data(), ld, 1.0f, c.data(), ld);
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < ld; ++j) {
          double s = 0.0;
          for (std::size_t p = 0; p < k; ++p) {
            const double aip = ta == Trans::No ? a[i * ld + p] : a[p * ld + i];
            const double bpj = tb == Trans::No ? b[p * ld + j] : b[j * ld + p];
            s += aip * bpj;
          }
          // Columns past n belong to the rest of the matrix: untouched.
          const double want = j < n ? c0[i * ld + j] - 0.5 * s : c0[i * ld + j];
          CHECK_NEAR(c[i * ld + j], want, 1e-4);
        }
    }
}

MFREC_TEST(block_syrk_accumulates_the_lower_triangle_only) {
  const std::size_t n = 33, k = 21, ld = 40;
  for (Trans t : {Trans::No, Trans::Yes}) {
    const std::vector<float> a = random_matrix(4, 40, ld);
    std::vector<float> c = random_matrix(5, n, ld), c0 = c;
    syrk_lower(t, n, k, 2.0f, a.data(), ld, 1.0f, c.data(), ld);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < ld; ++j) {
        double s = 0.0;
        for (std::size_t p = 0; p < k; ++p)
          s += t == Trans::No ? static_cast<double>(a[i * ld + p]) * a[j * ld + p]
                              : static_cast<double>(a[p * ld + i]) * a[p * ld + j];
        const double want = j <= i ? c0[i * ld + j] + 2.0 * s : c0[i * ld + j];
        CHECK_NEAR(c[i * ld + j], want, 1e-4);
      }
  }
}

MFREC_TEST(block_cholesky_and_triangular_solves_invert_each_other) {
  const std::size_t n = 45, ld = 48, m = 7;
  std::vector<float> a(n * ld, 7.0f);  // 7: the strict upper triangle must survive
  const std::vector<float> spd = random_spd(6, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) a[i * ld + j] = spd[i * n + j];
  CHECK(potrf_lower(n, a.data(), ld) == n);
  CHECK(a[0 * ld + 1] == 7.0f);
  // L L^T == A
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = 0.0;
      for (std::size_t p = 0; p <= j; ++p) s += static_cast<double>(a[i * ld + p]) * a[j * ld + p];
      CHECK_NEAR(s, spd[i * n + j], 1e-4);
    }
  // L X = B, then X L^T = B'
  const std::vector<float> b = random_matrix(7, n, ld);
  std::vector<float> x = b;
  trsm_left_lower(n, m, a.data(), ld, x.data(), ld);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      double s = 0.0;
      for (std::size_t p = 0; p <= i; ++p) s += static_cast<double>(a[i * ld + p]) * x[p * ld + j];
      CHECK_NEAR(s, b[i * ld + j], 1e-4);
    }
  std::vector<float> y = b;
  trsm_right_lower_trans(m, n, a.data(), ld, y.data(), ld);
  for (std::size_t r = 0; r < m; ++r)
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0.0;
      for (std::size_t p = 0; p <= j; ++p) s += static_cast<double>(y[r * ld + p]) * a[j * ld + p];
      CHECK_NEAR(s, b[r * ld + j], 1e-4);
    }
}

MFREC_TEST(block_cholesky_names_the_first_bad_pivot_and_catches_nan) {
  float indefinite[9] = {4, 0, 0, 2, 1, 0, 0, 0, -1};  // lower: pivot 1 is 1 - 1 = 0
  CHECK(potrf_lower(3, indefinite, 3) == 1);
  float nan_block[4] = {1, 0, std::nanf(""), 1};
  CHECK(potrf_lower(2, nan_block, 2) == 1);
}

// --- the Gram matrix ------------------------------------------------------------

MFREC_TEST(ease_gram_dense_and_sparse_match_double_loops) {
  // 300 items: more than one 256-item tile; every 7th user and item empty.
  const Csr m = random_csr(8, 400, 300, 0.05, 7);
  const std::vector<double> want = gram_double(m);
  for (GramMethod method : {GramMethod::Dense, GramMethod::Sparse})
    for (int threads : {1, 2}) {
      std::vector<float> g(m.cols * m.cols, -1.0f);
      ease_gram(m.view(), m.cols, method, threads, g.data());
      double worst = 0.0;
      bool upper_zero = true;
      for (std::size_t i = 0; i < m.cols; ++i)
        for (std::size_t j = 0; j < m.cols; ++j) {
          if (j <= i) worst = std::max(worst, std::fabs(g[i * m.cols + j] - want[i * m.cols + j]));
          if (j > i) upper_zero = upper_zero && g[i * m.cols + j] == 0.0f;
        }
      CHECK(worst == 0.0);  // small integer sums are exact in float
      CHECK(upper_zero);
    }
}

MFREC_TEST(ease_gram_method_follows_density) {
  const Csr sparse = random_csr(9, 2000, 1000, 0.01);
  const Csr dense = random_csr(10, 200, 100, 0.9);
  CHECK(ease_gram_method(sparse.view(), sparse.cols) == GramMethod::Sparse);
  CHECK(ease_gram_method(dense.view(), dense.cols) == GramMethod::Dense);
}

// --- the inverse ----------------------------------------------------------------

MFREC_TEST(spd_inverse_times_matrix_is_identity_and_thread_count_free) {
  const std::size_t n = 600;  // 3 tiles of 256 (the last partial), 10 panels of 64 (partial)
  const std::vector<float> spd = random_spd(11, n);
  std::vector<float> one = spd, two = spd, work(n * n);
  spd_inverse(n, one.data(), work.data(), 1);
  spd_inverse(n, two.data(), work.data(), 2);
  bool same = true;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) same = same && one[i * n + j] == two[i * n + j];
  CHECK(same);
  double worst = 0.0;
  for (std::size_t i = 0; i < n; i += 7)
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0.0;
      for (std::size_t p = 0; p < n; ++p) {
        const float inv = p <= i ? one[i * n + p] : one[p * n + i];
        s += static_cast<double>(inv) * spd[p * n + j];
      }
      worst = std::max(worst, std::fabs(s - (i == j ? 1.0 : 0.0)));
    }
  CHECK(worst < 1e-4);
}

MFREC_TEST(spd_inverse_names_the_row_of_a_bad_pivot_past_the_first_block) {
  const std::size_t n = 300;
  std::vector<float> a(n * n, 0.0f), work(n * n);
  for (std::size_t i = 0; i < n; ++i) a[i * n + i] = 1.0f;
  a[290 * n + 290] = -1.0f;
  CHECK(throws_invalid([&] { spd_inverse(n, a.data(), work.data(), 2); }, "pivot of item 290"));
}

// --- ease_fit -------------------------------------------------------------------

MFREC_TEST(ease_fit_known_answer) {
  // Users {0, 1} and {0}: G = [[2, 1], [1, 1]]; lambda 1: G + I = [[3, 1], [1, 2]],
  // P = [[2, -1], [-1, 3]] / 5, B[0][1] = 1/3, B[1][0] = 1/2.
  Csr m;
  m.rows = 2;
  m.cols = 2;
  m.indptr = {0, 2, 3};
  m.indices = {0, 1, 0};
  m.values = {1, 1, 1};
  EaseProblem p{m.view(), 2, 1.0f, 1};
  float b[4] = {9, 9, 9, 9};
  ease_fit(p, b);
  CHECK(b[0] == 0.0f);
  CHECK(b[3] == 0.0f);
  CHECK_NEAR(b[1], 1.0 / 3, 1e-6);
  CHECK_NEAR(b[2], 1.0 / 2, 1e-6);
}

MFREC_TEST(ease_fit_without_interactions_needs_no_value_storage) {
  // An empty Float32Array reaches the kernel as a null pointer.
  const int32_t indptr[3] = {0, 0, 0};
  float b[4] = {9, 9, 9, 9};
  ease_fit({CsrView{2, indptr, nullptr, nullptr}, 2, 1.0f, 1}, b);
  CHECK(b[0] == 0.0f && b[1] == 0.0f && b[2] == 0.0f && b[3] == 0.0f);
}

MFREC_TEST(ease_fit_satisfies_its_defining_relation) {
  // B = I - P D with D = diag(1/P_jj) gives (G + lambda I) B = G + lambda I - D:
  // off the diagonal, ((G + lambda I) B)[i][j] = G[i][j].
  const Csr m = random_csr(12, 1200, 300, 0.08, 11);
  const float lambda = 20.0f;
  const std::vector<double> g = gram_double(m);
  const std::size_t n = m.cols;
  std::vector<float> b(n * n);
  for (int threads : {1, 2}) {
    ease_fit({m.view(), n, lambda, threads}, b.data());
    double worst = 0.0, scale = 0.0;
    for (std::size_t i = 0; i < n; i += 5)
      for (std::size_t j = 0; j < n; ++j) {
        if (i == j) continue;
        double s = lambda * b[i * n + j];
        for (std::size_t p = 0; p < n; ++p) s += g[i * n + p] * b[p * n + j];
        worst = std::max(worst, std::fabs(s - g[i * n + j]));
        scale = std::max(scale, std::fabs(g[i * n + j]));
      }
    CHECK(worst < 1e-3 * scale);
    // Empty items (every 11th) have no weights to or from other items.
    bool empty_zero = true;
    for (std::size_t j = 0; j < n; ++j) empty_zero = empty_zero && b[11 * n + j] == 0.0f && b[j * n + 11] == 0.0f;
    CHECK(empty_zero);
  }
}

MFREC_TEST(ease_fit_refuses_bad_lambda_values_and_singular_float_matrices) {
  const Csr m = random_csr(13, 20, 10, 0.3);
  std::vector<float> b(100);
  for (float lambda : {0.0f, -1.0f, std::nanf(""), INFINITY})
    CHECK(throws_invalid([&] { ease_fit({m.view(), 10, lambda, 1}, b.data()); }, "lambda"));
  Csr bad = m;
  bad.values[3] = std::nanf("");
  CHECK(throws_invalid([&] { ease_fit({bad.view(), 10, 1.0f, 1}, b.data()); }, "is not finite"));
  Csr unsorted = m;
  std::swap(unsorted.indices[unsorted.indptr[1]], unsorted.indices[unsorted.indptr[1] + 1]);
  CHECK(throws_invalid(
      [&] {
        ease_fit({unsorted.view(), 10, 1.0f, 1}, b.data());
      },
      "items of user 1 are not strictly"));
  // One user, two items, value 2^12: G = 2^24 [[1, 1], [1, 1]], and 2^24 +
  // 0.5 rounds to 2^24 in float32 (every step exact), so the second pivot is 0.
  Csr huge;
  huge.rows = 1;
  huge.cols = 2;
  huge.indptr = {0, 2};
  huge.indices = {0, 1};
  huge.values = {4096.0f, 4096.0f};
  CHECK(throws_invalid([&] { ease_fit({huge.view(), 2, 0.5f, 1}, b.data()); }, "pivot of item 1"));
}

MFREC_TEST(ease_fit_stops_when_cancelled) {
  const Csr m = random_csr(14, 100, 300, 0.1);
  std::vector<float> b(300 * 300);
  volatile int32_t flag = 1;
  bool cancelled = false;
  try {
    ease_fit({m.view(), 300, 1.0f, 2}, b.data(), CancelFlag{&flag});
  } catch (const Cancelled&) {
    cancelled = true;
  }
  CHECK(cancelled);
}
