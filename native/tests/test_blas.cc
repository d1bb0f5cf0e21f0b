#include <random>
#include <stdexcept>
#include <vector>

#include "check.h"
#include "kernels/blas.h"
#include "kernels/parallel.h"

using namespace mfrec;

MFREC_TEST(gemm_abt_matches_loops) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  const std::size_t m = 7, n = 5, k = 3;
  std::vector<float> a(m * k), b(n * k), c(m * n, 0.0f);
  for (auto& x : a) x = u(rng);
  for (auto& x : b) x = u(rng);
  gemm_abt(m, n, k, 1.0f, a.data(), b.data(), 0.0f, c.data());
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::size_t p = 0; p < k; ++p) s += a[i * k + p] * b[j * k + p];
      CHECK_NEAR(c[i * n + j], s, 1e-5);
    }
}

MFREC_TEST(gram_is_symmetric_xtx) {
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(-1, 1);
  const std::size_t rows = 11, cols = 4;
  std::vector<float> x(rows * cols), g(cols * cols);
  for (auto& v : x) v = u(rng);
  gram(rows, cols, x.data(), g.data());
  for (std::size_t i = 0; i < cols; ++i)
    for (std::size_t j = 0; j < cols; ++j) {
      double s = 0;
      for (std::size_t r = 0; r < rows; ++r) s += x[r * cols + i] * x[r * cols + j];
      CHECK_NEAR(g[i * cols + j], s, 1e-4);
    }
}

MFREC_TEST(cholesky_solves_spd_system) {
  // A = [[4,1],[1,3]], b = [1,2] -> x = [1/11, 7/11]
  float a[4] = {4, 1, 1, 3};
  float b[2] = {1, 2};
  CHECK(cholesky_solve(2, a, b));
  CHECK_NEAR(b[0], 1.0 / 11, 1e-6);
  CHECK_NEAR(b[1], 7.0 / 11, 1e-6);
  float bad[4] = {0, 1, 1, 0};
  float rhs[2] = {1, 1};
  CHECK(!cholesky_solve(2, bad, rhs));
}

MFREC_TEST(parallel_for_covers_every_index_once) {
  std::vector<int> hits(1000, 0);
  parallel_for(3, hits.size(), 7, [&](std::size_t b, std::size_t e, int) {
    for (std::size_t i = b; i < e; ++i) hits[i] += 1;
  });
  bool all_once = true;
  for (int h : hits) all_once = all_once && h == 1;
  CHECK(all_once);
}

MFREC_TEST(run_team_rethrows_worker_exception) {
  bool caught = false;
  try {
    run_team(2, [](int t) {
      if (t == 1) throw std::runtime_error("boom");
    });
  } catch (const std::runtime_error&) {
    caught = true;
  }
  CHECK(caught);
}

#include "kernels/random.h"

MFREC_TEST(rng_is_seeded_and_in_range) {
  Rng a(42), b(42);
  bool same = true;
  for (int i = 0; i < 100; ++i) same = same && a.next() == b.next();
  CHECK(same);
  Rng r(7);
  bool in_range = true;
  for (int i = 0; i < 10000; ++i) {
    float u = r.uniform();
    uint32_t k = r.below(13);
    in_range = in_range && u >= 0.0f && u < 1.0f && k < 13;
  }
  CHECK(in_range);
  // Pinned values: lib/random.ts must produce the same sequence (test/random.test.ts).
  Rng p(1);
  CHECK(p.next() == 2527132011u);
  CHECK(p.next() == 314344336u);
  Rng s = Rng::stream(5, 3);
  CHECK(s.next() == 4277087675u);
  CHECK(s.below(1000003) == 722140u);
  Rng q(9);
  CHECK_NEAR(q.normal(), -1.1412468, 1e-6);
}
