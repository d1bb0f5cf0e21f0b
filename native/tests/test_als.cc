#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "check.h"
#include "kernels/als.h"
#include "kernels/blas.h"
#include "kernels/random.h"

using namespace mfrec;

namespace {

// A random implicit data set held by row and by column.
struct Problem {
  std::size_t users, items;
  std::vector<int32_t> u_ptr, u_idx, i_ptr, i_idx;
  std::vector<float> u_val, i_val;
  CsrView by_user() const { return {users, u_ptr.data(), u_idx.data(), u_val.data()}; }
  CsrView by_item() const { return {items, i_ptr.data(), i_idx.data(), i_val.data()}; }
};

Problem random_problem(std::size_t users, std::size_t items, float density, uint32_t seed, bool negatives = false) {
  Problem p{users, items, {0}, {}, {}, {}, {}, {}};
  Rng rng(seed);
  std::vector<std::vector<std::pair<int32_t, float>>> cols(items);
  for (std::size_t u = 0; u < users; ++u) {
    for (std::size_t i = 0; i < items; ++i) {
      if (rng.uniform() >= density) continue;
      float v = 1.0f + static_cast<float>(rng.below(5));
      if (negatives && rng.uniform() < 0.2f) v = -v;
      p.u_idx.push_back(static_cast<int32_t>(i));
      p.u_val.push_back(v);
      cols[i].push_back({static_cast<int32_t>(u), v});
    }
    p.u_ptr.push_back(static_cast<int32_t>(p.u_idx.size()));
  }
  p.i_ptr.push_back(0);
  for (auto& c : cols) {
    for (auto& e : c) {
      p.i_idx.push_back(e.first);
      p.i_val.push_back(e.second);
    }
    p.i_ptr.push_back(static_cast<int32_t>(p.i_idx.size()));
  }
  return p;
}

std::vector<float> random_factors(std::size_t rows, std::size_t k, uint32_t seed) {
  Rng rng(seed);
  std::vector<float> f(rows * k);
  for (auto& x : f) x = 0.1f * rng.normal();
  return f;
}

AlsOptions options(std::size_t k, AlsSolver solver, int cg_steps = 3) {
  AlsOptions o;
  o.factors = k;
  o.regularization = 0.5f;
  o.alpha = 2.0f;
  o.solver = solver;
  o.cg_steps = cg_steps;
  o.threads = 2;
  return o;
}

// Largest residual |A x - b| of row r's normal equations, in double.
double normal_equation_residual(const CsrView& m, std::size_t r, const float* y, std::size_t y_rows, const float* x,
                                const AlsOptions& o) {
  const std::size_t k = o.factors;
  std::vector<double> a(k * k, 0.0), b(k, 0.0);
  for (std::size_t i = 0; i < y_rows; ++i)
    for (std::size_t p = 0; p < k; ++p)
      for (std::size_t q = 0; q < k; ++q) a[p * k + q] += double(y[i * k + p]) * y[i * k + q];
  const std::size_t n = static_cast<std::size_t>(m.indptr[r + 1] - m.indptr[r]);
  for (std::size_t p = 0; p < k; ++p) a[p * k + p] += als_row_lambda(o, n);
  for (int32_t e = m.indptr[r]; e < m.indptr[r + 1]; ++e) {
    const float* yi = y + static_cast<std::size_t>(m.indices[e]) * k;
    double c = als_confidence(o, m.values[e]);
    for (std::size_t p = 0; p < k; ++p) {
      b[p] += c * als_preference(m.values[e]) * yi[p];
      for (std::size_t q = 0; q < k; ++q) a[p * k + q] += (c - 1.0) * yi[p] * yi[q];
    }
  }
  double worst = 0.0;
  for (std::size_t p = 0; p < k; ++p) {
    double s = -b[p];
    for (std::size_t q = 0; q < k; ++q) s += a[p * k + q] * x[r * k + q];
    worst = std::max(worst, std::fabs(s));
  }
  return worst;
}

// value rounded to bfloat16 (upper 16 bits, to nearest even), independently
// of the kernel: through double, whose rounding to a 8-bit significand is exact
// here because the discarded part is looked at whole.
float bf16_reference(float value) {
  if (std::isnan(value) || std::isinf(value) || value == 0.0f) return value;
  int exponent;
  const double m = std::frexp(static_cast<double>(value), &exponent);  // |m| in [0.5, 1)
  const double scaled = m * 256.0;                                     // 8 significant bits above the point
  double whole = std::floor(scaled);
  const double rest = scaled - whole;
  if (rest > 0.5 || (rest == 0.5 && std::fmod(whole, 2.0) != 0.0)) whole += 1.0;
  return static_cast<float>(std::ldexp(whole / 256.0, exponent));
}

std::vector<float> bf16_rounded(std::vector<float> y) {
  for (auto& v : y) v = bf16_reference(v);
  return y;
}

}  // namespace

MFREC_TEST(als_confidence_and_preference) {
  AlsOptions o;
  o.alpha = 2.0f;
  CHECK_NEAR(als_confidence(o, 3.0f), 7.0, 1e-6);
  CHECK_NEAR(als_confidence(o, -3.0f), 7.0, 1e-6);  // a negative value keeps its confidence
  CHECK(als_preference(-3.0f) == 0.0f);
  CHECK(als_preference(3.0f) == 1.0f);
  o.confidence = AlsConfidence::Log;
  o.epsilon = 0.5f;
  CHECK_NEAR(als_confidence(o, 3.0f), 1.0 + 2.0 * std::log(1.0 + 6.0), 1e-5);
  o.regularization = 0.25f;
  CHECK_NEAR(als_row_lambda(o, 7), 0.25, 1e-7);
  o.scale_regularization = true;
  CHECK_NEAR(als_row_lambda(o, 7), 2.0, 1e-7);
}

MFREC_TEST(als_row_lambda_raises_the_frequency_to_the_exponent) {
  AlsOptions o;
  o.regularization = 0.25f;
  o.scale_regularization = true;
  o.regularization_exponent = 0.5f;
  CHECK_NEAR(als_row_lambda(o, 8), 0.75, 1e-7);  // 0.25 * 9^0.5
  o.regularization_exponent = 0.0f;
  CHECK(als_row_lambda(o, 8) == 0.25f);  // every row the same lambda, exactly
  o.regularization_exponent = 2.0f;
  CHECK_NEAR(als_row_lambda(o, 3), 4.0, 1e-6);  // 0.25 * 4^2
  o.scale_regularization = false;
  CHECK(als_row_lambda(o, 3) == 0.25f);  // the exponent only shapes the scaled form
}

MFREC_TEST(als_cholesky_solves_the_normal_equations) {
  // 300 items per dense row exercises both the rank-1 and the blocked BLAS paths.
  Problem p = random_problem(12, 300, 0.5f, 3, true);
  const std::size_t k = 10;
  AlsOptions o = options(k, AlsSolver::Cholesky);
  o.scale_regularization = true;
  auto x = random_factors(p.users, k, 1);
  auto y = random_factors(p.items, k, 2);
  als_half_sweep(p.by_user(), y.data(), p.items, x.data(), o, {});
  double worst = 0.0;
  for (std::size_t r = 0; r < p.users; ++r)
    worst = std::max(worst, normal_equation_residual(p.by_user(), r, y.data(), p.items, x.data(), o));
  CHECK(worst < 1e-3);
  // Short rows (rank-1 updates only) as well.
  Problem q = random_problem(40, 30, 0.1f, 4);
  auto x2 = random_factors(q.users, k, 5);
  auto y2 = random_factors(q.items, k, 6);
  als_half_sweep(q.by_user(), y2.data(), q.items, x2.data(), o, {});
  worst = 0.0;
  for (std::size_t r = 0; r < q.users; ++r)
    worst = std::max(worst, normal_equation_residual(q.by_user(), r, y2.data(), q.items, x2.data(), o));
  CHECK(worst < 1e-4);
}

MFREC_TEST(als_cholesky_solves_the_normal_equations_with_blocked_factors) {
  // Factor counts that are multiples of 8 take the tiled rank-n update and the
  // blocked factorization; rows of 1 to about 300 items cover a panel of one
  // row, a partial panel and several panels.
  for (std::size_t k : {8u, 24u, 64u}) {
    Problem p = random_problem(30, 600, 0.25f, 11, true);
    p.u_ptr[1] = 1;  // user 0 keeps one item only (user 1 takes over the rest of its row)
    AlsOptions o = options(k, AlsSolver::Cholesky);
    auto x = random_factors(p.users, k, 7);
    auto y = random_factors(p.items, k, 8);
    als_half_sweep(p.by_user(), y.data(), p.items, x.data(), o, {});
    double worst = 0.0;
    for (std::size_t r = 0; r < p.users; ++r)
      worst = std::max(worst, normal_equation_residual(p.by_user(), r, y.data(), p.items, x.data(), o));
    CHECK(worst < 1e-3);
  }
}

MFREC_TEST(als_cg_converges_to_cholesky_with_many_steps) {
  Problem p = random_problem(50, 40, 0.2f, 7, true);
  const std::size_t k = 8;
  auto y = random_factors(p.items, k, 8);
  auto x_chol = random_factors(p.users, k, 9);
  auto x_cg = x_chol;
  // CG reads the item rows rounded to bf16: Cholesky gets those rows too
  // (and the same Y^T Y), so that both solve the same equations.
  std::vector<float> g(k * k);
  gram(p.items, k, y.data(), g.data());
  const auto y_rounded = bf16_rounded(y);
  als_solve_rows(p.by_user(), y_rounded.data(), p.items, g.data(), x_chol.data(), options(k, AlsSolver::Cholesky), {});
  als_solve_rows(p.by_user(), y.data(), p.items, g.data(), x_cg.data(), options(k, AlsSolver::ConjugateGradient, 50),
                 {});
  double worst = 0.0;
  for (std::size_t j = 0; j < x_cg.size(); ++j) worst = std::max(worst, double(std::fabs(x_cg[j] - x_chol[j])));
  CHECK(worst < 1e-4);
  // Three steps get close but not all the way from a random start.
  auto x_cg3 = random_factors(p.users, k, 9);
  als_half_sweep(p.by_user(), y.data(), p.items, x_cg3.data(), options(k, AlsSolver::ConjugateGradient, 3), {});
  double worst3 = 0.0;
  for (std::size_t j = 0; j < x_cg3.size(); ++j) worst3 = std::max(worst3, double(std::fabs(x_cg3[j] - x_chol[j])));
  CHECK(worst3 > worst);
}

MFREC_TEST(als_loss_decreases) {
  Problem p = random_problem(60, 45, 0.15f, 11);
  const std::size_t k = 6;
  for (AlsSolver solver : {AlsSolver::ConjugateGradient, AlsSolver::Cholesky}) {
    AlsOptions o = options(k, solver);
    o.scale_regularization = solver == AlsSolver::Cholesky;
    auto x = random_factors(p.users, k, 12);
    auto y = random_factors(p.items, k, 13);
    double previous = als_loss(p.by_user(), p.by_item(), x.data(), y.data(), o, {});
    bool decreasing = true;
    for (int it = 0; it < 6; ++it) {
      als_iteration(p.by_user(), p.by_item(), x.data(), y.data(), o, {});
      double loss = als_loss(p.by_user(), p.by_item(), x.data(), y.data(), o, {});
      // Exact solves never increase the loss; CG steps from a warm start do not either
      // on a problem this well conditioned.
      decreasing = decreasing && loss <= previous + 1e-9;
      previous = loss;
    }
    CHECK(decreasing);
    CHECK(previous < 0.5);
  }
}

MFREC_TEST(als_loss_matches_direct_sum) {
  Problem p = random_problem(9, 7, 0.4f, 21, true);
  const std::size_t k = 3;
  AlsOptions o = options(k, AlsSolver::Cholesky);
  o.scale_regularization = true;
  auto x = random_factors(p.users, k, 22);
  auto y = random_factors(p.items, k, 23);
  double total = 0.0, weight = 0.0;
  for (std::size_t u = 0; u < p.users; ++u) {
    std::vector<float> value(p.items, 0.0f);
    std::vector<bool> seen(p.items, false);
    for (int32_t e = p.u_ptr[u]; e < p.u_ptr[u + 1]; ++e) {
      value[p.u_idx[e]] = p.u_val[e];
      seen[p.u_idx[e]] = true;
    }
    for (std::size_t i = 0; i < p.items; ++i) {
      double pred = 0.0;
      for (std::size_t f = 0; f < k; ++f) pred += double(x[u * k + f]) * y[i * k + f];
      double c = seen[i] ? als_confidence(o, value[i]) : 1.0;
      double pref = seen[i] ? als_preference(value[i]) : 0.0;
      total += c * (pref - pred) * (pref - pred);
      weight += c;
    }
    double norm = 0.0;
    for (std::size_t f = 0; f < k; ++f) norm += double(x[u * k + f]) * x[u * k + f];
    total += als_row_lambda(o, static_cast<std::size_t>(p.u_ptr[u + 1] - p.u_ptr[u])) * norm;
  }
  for (std::size_t i = 0; i < p.items; ++i) {
    double norm = 0.0;
    for (std::size_t f = 0; f < k; ++f) norm += double(y[i * k + f]) * y[i * k + f];
    total += als_row_lambda(o, static_cast<std::size_t>(p.i_ptr[i + 1] - p.i_ptr[i])) * norm;
  }
  CHECK_NEAR(als_loss(p.by_user(), p.by_item(), x.data(), y.data(), o, {}), total / weight, 1e-6);
}

MFREC_TEST(als_results_do_not_depend_on_thread_count) {
  Problem p = random_problem(200, 150, 0.05f, 31);
  const std::size_t k = 16;
  for (AlsSolver solver : {AlsSolver::ConjugateGradient, AlsSolver::Cholesky}) {
    auto x1 = random_factors(p.users, k, 32), y1 = random_factors(p.items, k, 33);
    auto x3 = x1, y3 = y1;
    AlsOptions o = options(k, solver);
    o.threads = 1;
    als_iteration(p.by_user(), p.by_item(), x1.data(), y1.data(), o, {});
    o.threads = 3;
    als_iteration(p.by_user(), p.by_item(), x3.data(), y3.data(), o, {});
    CHECK(x1 == x3);
    CHECK(y1 == y3);
  }
}

MFREC_TEST(als_cancellation_throws_and_rows_without_entries_stay_finite) {
  Problem p = random_problem(30, 20, 0.1f, 41);
  const std::size_t k = 4;
  auto x = random_factors(p.users, k, 42), y = random_factors(p.items, k, 43);
  volatile int32_t flag = 1;
  CancelFlag cancel;
  cancel.flag = &flag;
  bool cancelled = false;
  try {
    als_iteration(p.by_user(), p.by_item(), x.data(), y.data(), options(k, AlsSolver::ConjugateGradient), cancel);
  } catch (const Cancelled&) {
    cancelled = true;
  }
  CHECK(cancelled);
  // A user with no interactions is driven to zero, not to NaN.
  Problem empty = random_problem(3, 5, 0.0f, 44);
  auto xe = random_factors(3, k, 45), ye = random_factors(5, k, 46);
  als_half_sweep(empty.by_user(), ye.data(), 5, xe.data(), options(k, AlsSolver::Cholesky), {});
  bool zero = true;
  for (float v : xe) zero = zero && v == 0.0f;
  CHECK(zero);
}

MFREC_TEST(als_solve_rows_with_a_cached_gram_matches_the_half_sweep) {
  // The fold-in path (Y^T Y computed once, then any subset of rows solved
  // against it) must give the very rows a Cholesky half-sweep gives.
  Problem p = random_problem(40, 60, 0.15f, 51, true);
  const std::size_t k = 12;
  AlsOptions o = options(k, AlsSolver::Cholesky);
  o.scale_regularization = true;
  auto y = random_factors(p.items, k, 52);
  auto swept = random_factors(p.users, k, 53);
  als_half_sweep(p.by_user(), y.data(), p.items, swept.data(), o, {});
  std::vector<float> g(k * k);
  gram(p.items, k, y.data(), g.data());
  for (int threads : {1, 2}) {
    o.threads = threads;
    std::vector<float> solved(p.users * k, 0.0f);  // exact solves need no starting point
    als_solve_rows(p.by_user(), y.data(), p.items, g.data(), solved.data(), o, {});
    CHECK(solved == swept);
  }
  // One row on its own (a live shopper): the same vector as in the full solve.
  const std::size_t r = 7;
  std::vector<int32_t> ptr = {0, p.u_ptr[r + 1] - p.u_ptr[r]};
  CsrView one{1, ptr.data(), p.u_idx.data() + p.u_ptr[r], p.u_val.data() + p.u_ptr[r]};
  std::vector<float> xr(k, 0.0f);
  o.threads = 1;
  als_solve_rows(one, y.data(), p.items, g.data(), xr.data(), o, {});
  CHECK(std::equal(xr.begin(), xr.end(), swept.begin() + r * k));
}

MFREC_TEST(als_cg_reads_the_fixed_side_rounded_to_bf16) {
  // Given the same Y^T Y, CG against Y and against Y rounded to bf16 give the
  // same bits: the solver reads only the rounded values, both from its bf16
  // copy (a half-sweep's rows read Y over) and rounding as it reads (one row).
  Problem p = random_problem(30, 50, 0.3f, 61, true);
  for (std::size_t k : {12, 24, 64}) {
    AlsOptions o = options(k, AlsSolver::ConjugateGradient);
    auto y = random_factors(p.items, k, 62);
    y[3] = 1.0f + 1.0f / 256.0f;  // a tie: rounds to even, 1.0
    y[4] = 1.0f + 3.0f / 256.0f;  // a tie: rounds to even, 1 + 4/256
    const auto y_rounded = bf16_rounded(y);
    CHECK(y_rounded[3] == 1.0f && y_rounded[4] == 1.0f + 4.0f / 256.0f);
    std::vector<float> g(k * k);
    gram(p.items, k, y.data(), g.data());
    const auto x0 = random_factors(p.users, k, 63);
    auto from_y = x0, from_rounded = x0;
    CHECK(static_cast<std::size_t>(p.u_ptr[p.users]) >= p.items);  // the bf16 copy is made
    als_solve_rows(p.by_user(), y.data(), p.items, g.data(), from_y.data(), o, {});
    als_solve_rows(p.by_user(), y_rounded.data(), p.items, g.data(), from_rounded.data(), o, {});
    CHECK(from_y == from_rounded);
    CHECK(from_y != x0);
    // One row on its own reads Y rounding as it goes: the same row as above.
    const std::size_t r = 5;
    std::vector<int32_t> ptr = {0, p.u_ptr[r + 1] - p.u_ptr[r]};
    CsrView one{1, ptr.data(), p.u_idx.data() + p.u_ptr[r], p.u_val.data() + p.u_ptr[r]};
    std::vector<float> xr(x0.begin() + r * k, x0.begin() + (r + 1) * k);
    o.threads = 1;
    als_solve_rows(one, y.data(), p.items, g.data(), xr.data(), o, {});
    CHECK(std::equal(xr.begin(), xr.end(), from_y.begin() + r * k));
  }
}

MFREC_TEST(als_cg_keeps_a_nan_in_the_fixed_side) {
  // A NaN must stay NaN when rounded to bf16 (the solve then leaves the row
  // as it was, as it always did): rounding the NaN 0x7fffffff by adding half
  // a unit would carry into the sign bit and make it -0, a finite factor.
  Problem p = random_problem(10, 20, 0.5f, 71);
  const std::size_t k = 16;
  auto y = random_factors(p.items, k, 72);
  std::vector<float> g(k * k);
  gram(p.items, k, y.data(), g.data());
  const std::uint32_t bits = 0x7fffffffu;
  std::memcpy(&y[static_cast<std::size_t>(p.u_idx[0]) * k + 5], &bits, sizeof bits);
  const auto x0 = random_factors(p.users, k, 73);
  auto x = x0;
  als_solve_rows(p.by_user(), y.data(), p.items, g.data(), x.data(), options(k, AlsSolver::ConjugateGradient), {});
  CHECK(std::equal(x.begin(), x.begin() + k, x0.begin()));  // the bf16 copy
  CHECK(!std::equal(x.begin() + k, x.end(), x0.begin() + k));
  std::vector<int32_t> ptr = {0, p.u_ptr[1]};
  CsrView one{1, ptr.data(), p.u_idx.data(), p.u_val.data()};
  std::vector<float> xr(x0.begin(), x0.begin() + k);
  als_solve_rows(one, y.data(), p.items, g.data(), xr.data(), options(k, AlsSolver::ConjugateGradient), {});
  CHECK(std::equal(xr.begin(), xr.end(), x0.begin()));  // rounding as it reads
}

MFREC_TEST(als_cg_solves_a_row_longer_than_its_panel) {
  // At 256 factors a thread's panel holds 8,192 item rows: a row of 9,000
  // items reads them from the bf16 copy in every CG step instead. With enough
  // steps it still reaches the exact solution of its equations (Cholesky on
  // the same rounded rows and the same Y^T Y).
  const std::size_t k = 256, n = 9000;
  Problem p{1, n, {0}, {}, {}, {}, {}, {}};
  Rng rng(81);
  for (std::size_t i = 0; i < n; ++i) {
    p.u_idx.push_back(static_cast<int32_t>(i));
    p.u_val.push_back(1.0f + static_cast<float>(rng.below(5)));
  }
  p.u_ptr.push_back(static_cast<int32_t>(n));
  auto y = random_factors(n, k, 82);
  std::vector<float> g(k * k);
  gram(n, k, y.data(), g.data());
  const auto y_rounded = bf16_rounded(y);
  std::vector<float> x_chol(k, 0.0f), x_cg(k, 0.0f);
  als_solve_rows(p.by_user(), y_rounded.data(), n, g.data(), x_chol.data(), options(k, AlsSolver::Cholesky), {});
  als_solve_rows(p.by_user(), y.data(), n, g.data(), x_cg.data(), options(k, AlsSolver::ConjugateGradient, 60), {});
  double worst = 0.0, scale = 0.0;
  for (std::size_t j = 0; j < k; ++j) {
    worst = std::max(worst, double(std::fabs(x_cg[j] - x_chol[j])));
    scale = std::max(scale, double(std::fabs(x_chol[j])));
  }
  CHECK(scale > 1e-3);
  CHECK(worst < 1e-3 * scale);
}

namespace {

// One CG row solve written out scalar, in the summation order the kernel
// documents (kernels/als.cc, kernels/simd.h): Y^T Y v summed over the rows of
// Y^T Y in order; each item's dot product in `lanes` lanes (factor j in lane
// j % lanes, groups in order), 16 lanes folded to 8 as l + (l + 8), then
// ((0+4)+(1+5))+((2+6)+(3+7)); items added into their sum in row order;
// r . r and p . Ap in 8 lanes folded the same way. Every CPU copy of the
// kernel must give these bits, whatever its vector width or loop structure.
void cg_row_reference(const CsrView& m, std::size_t row, const float* y_rounded, const float* g, float* x,
                      const AlsOptions& o) {
  const std::size_t k = o.factors, lanes = k % 16 == 0 ? 16 : 8;
  const auto fold8 = [](const float* a) { return ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7])); };
  const auto item_dot = [&](const float* a, const float* b) {
    float acc[16] = {};
    for (std::size_t j = 0; j < k; ++j) acc[j % lanes] += a[j] * b[j];
    if (lanes == 16)
      for (std::size_t l = 0; l < 8; ++l) acc[l] = acc[l] + acc[l + 8];
    return fold8(acc);
  };
  const auto dot8 = [&](const float* a, const float* b) {
    float acc[8] = {};
    for (std::size_t j = 0; j < k; ++j) acc[j % 8] += a[j] * b[j];
    return fold8(acc);
  };
  const auto symv = [&](const float* v, float* out) {
    for (std::size_t j = 0; j < k; ++j) {
      float s = 0.0f;
      for (std::size_t b = 0; b < k; ++b) s += v[b] * g[b * k + j];
      out[j] = s;
    }
  };
  const int32_t* items = m.indices + m.indptr[row];
  const float* values = m.values + m.indptr[row];
  const std::size_t n = static_cast<std::size_t>(m.indptr[row + 1] - m.indptr[row]);
  const float lambda = als_row_lambda(o, n);
  std::vector<float> r(k), p(k), ap(k);
  symv(x, r.data());
  for (std::size_t j = 0; j < k; ++j) r[j] = -r[j] - lambda * x[j];
  for (std::size_t e = 0; e < n; ++e) {
    const float* ye = y_rounded + static_cast<std::size_t>(items[e]) * k;
    const float c = als_confidence(o, values[e]);
    const float coef = c * als_preference(values[e]) - (c - 1.0f) * item_dot(ye, x);
    for (std::size_t j = 0; j < k; ++j) r[j] += coef * ye[j];
  }
  p = r;
  float rs_old = dot8(r.data(), r.data());
  if (!(rs_old > 1e-20f)) return;
  for (int step = 0; step < o.cg_steps; ++step) {
    symv(p.data(), ap.data());
    for (std::size_t j = 0; j < k; ++j) ap[j] += lambda * p[j];
    for (std::size_t e = 0; e < n; ++e) {
      const float* ye = y_rounded + static_cast<std::size_t>(items[e]) * k;
      const float coef = (als_confidence(o, values[e]) - 1.0f) * item_dot(ye, p.data());
      for (std::size_t j = 0; j < k; ++j) ap[j] += coef * ye[j];
    }
    const float step_size = rs_old / dot8(p.data(), ap.data());
    for (std::size_t j = 0; j < k; ++j) x[j] += step_size * p[j];
    for (std::size_t j = 0; j < k; ++j) r[j] += -step_size * ap[j];
    const float rs_new = dot8(r.data(), r.data());
    if (!(rs_new > 1e-20f)) break;
    const float beta = rs_new / rs_old;
    for (std::size_t j = 0; j < k; ++j) p[j] = r[j] + beta * p[j];
    rs_old = rs_new;
  }
}

}  // namespace

MFREC_TEST(als_cg_sums_in_the_documented_order) {
  // Rows of 0 to about 60 items (whole groups of four and leftovers) at the
  // factor counts with a loop of their own (32, 64, 128) and others of 16
  // and of 8 lanes (48, 24): the half-sweep equals the scalar reference to
  // the bit on this CPU's copy of the kernel.
  Problem p = random_problem(40, 120, 0.25f, 91, true);
  p.u_ptr[1] = p.u_ptr[0];  // user 0 without items (user 1 takes over its row)
  for (std::size_t k : {24u, 32u, 48u, 64u, 128u}) {
    for (bool scaled : {false, true}) {
      AlsOptions o = options(k, AlsSolver::ConjugateGradient);
      o.scale_regularization = scaled;
      const auto y = random_factors(p.items, k, 92);
      const auto y_rounded = bf16_rounded(y);
      std::vector<float> g(k * k);
      gram(p.items, k, y.data(), g.data());
      const auto x0 = random_factors(p.users, k, 93);
      auto kernel = x0, reference = x0;
      als_solve_rows(p.by_user(), y.data(), p.items, g.data(), kernel.data(), o, {});
      for (std::size_t r = 0; r < p.users; ++r)
        cg_row_reference(p.by_user(), r, y_rounded.data(), g.data(), reference.data() + r * k, o);
      CHECK(kernel == reference);
      CHECK(kernel != x0);
    }
  }
}
