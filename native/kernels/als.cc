#include "kernels/als.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/blas.h"

// The row solvers are compiled twice, plain and for AVX2, and the copy is
// picked at run time (kernels/simd.h); both give the same bits.
#include "kernels/simd.h"

namespace mfrec {

namespace {

// Inner products of length `factors` are the hot loop: eight lanes in a fixed
// order (halves_dot, kernels/simd.h) keep results bit-reproducible.
MFREC_INLINE float dot_k(const float* a, const float* b, std::size_t k) { return halves_dot(a, b, k); }

// y += s * x
MFREC_INLINE void axpy_k(float s, const float* x, float* y, std::size_t k) {
  for (std::size_t j = 0; j < k; ++j) y[j] += s * x[j];
}

constexpr std::size_t kPrefetchAhead = 8;  // items whose rows are requested before they are read

// Asks for the cache lines of one factor row (k floats) without waiting.
MFREC_INLINE void prefetch_row(const float* row, std::size_t k) {
#if defined(__GNUC__) || defined(__clang__)
  for (std::size_t j = 0; j < k; j += 16) __builtin_prefetch(row + j, 0, 3);
  __builtin_prefetch(row + k - 1, 0, 3);  // the row need not start on a cache line
#else
  (void)row;
  (void)k;
#endif
}

// Adds coef(e, y_e · v) · y_e to out for every item e of a row (y_e is row
// items[e] of y). Four items at a time: their dot products are four
// independent dependency chains that the CPU overlaps (one dot_k waits on its
// own additions), and out is loaded and stored once per four items. Each dot
// product sums exactly as dot_k does and out[j] receives the four terms in
// item order, so the result is the same bits as one dot_k and one axpy_k per
// item (what lib/twins/als.ts computes). The first pass over a row's items
// (kPrefetch) fetches them from memory: it asks for rows a few items ahead;
// later passes find them in cache.
template <bool kPrefetch, typename Coef>
MFREC_INLINE void add_scaled_rows(const float* y, const int32_t* items, std::size_t n, const float* v, float* out,
                                  std::size_t k, Coef coef) {
  std::size_t e = 0;
  if (kPrefetch)
    for (std::size_t f = 0; f < std::min(n, kPrefetchAhead); ++f)
      prefetch_row(y + static_cast<std::size_t>(items[f]) * k, k);
#if MFREC_HAS_LANES8
  if (k % 8 == 0) {
    for (; e + 4 <= n; e += 4) {
      if (kPrefetch)
        for (std::size_t f = e + kPrefetchAhead; f < std::min(n, e + kPrefetchAhead + 4); ++f)
          prefetch_row(y + static_cast<std::size_t>(items[f]) * k, k);
      const float* y0 = y + static_cast<std::size_t>(items[e]) * k;
      const float* y1 = y + static_cast<std::size_t>(items[e + 1]) * k;
      const float* y2 = y + static_cast<std::size_t>(items[e + 2]) * k;
      const float* y3 = y + static_cast<std::size_t>(items[e + 3]) * k;
      Lanes8 a0 = {}, a1 = {}, a2 = {}, a3 = {};
      for (std::size_t j = 0; j < k; j += 8) {
        const Lanes8 vj = load8(v + j);
        a0 += load8(y0 + j) * vj;
        a1 += load8(y1 + j) * vj;
        a2 += load8(y2 + j) * vj;
        a3 += load8(y3 + j) * vj;
      }
      const float c0 = coef(e, sum_halves(a0)), c1 = coef(e + 1, sum_halves(a1));
      const float c2 = coef(e + 2, sum_halves(a2)), c3 = coef(e + 3, sum_halves(a3));
      for (std::size_t j = 0; j < k; j += 8) {
        Lanes8 t = load8(out + j);
        t += c0 * load8(y0 + j);
        t += c1 * load8(y1 + j);
        t += c2 * load8(y2 + j);
        t += c3 * load8(y3 + j);
        store8(out + j, t);
      }
    }
  }
#endif
  for (; e < n; ++e) {
    if (kPrefetch && e + kPrefetchAhead < n)
      prefetch_row(y + static_cast<std::size_t>(items[e + kPrefetchAhead]) * k, k);
    const float* yi = y + static_cast<std::size_t>(items[e]) * k;
    axpy_k(coef(e, dot_k(yi, v, k)), yi, out, k);
  }
}

// out[c0, c0 + 8 * kLanes) of G v, held in registers across all k rows of G.
template <std::size_t kLanes>
MFREC_INLINE void symv_columns(const float* g, const float* v, float* out, std::size_t k, std::size_t c0) {
  Lanes8 acc[kLanes] = {};
  for (std::size_t b = 0; b < k; ++b) {
    const float vb = v[b];
    const float* gb = g + b * k + c0;
    for (std::size_t l = 0; l < kLanes; ++l) acc[l] += vb * load8(gb + 8 * l);
  }
  for (std::size_t l = 0; l < kLanes; ++l) store8(out + c0 + 8 * l, acc[l]);
}

// out = G v for the symmetric k x k matrix G, written as a sum of scaled rows
// so that the inner loop is a contiguous axpy rather than a reduction. With
// k a multiple of 8, 64 columns of out at a time stay in registers over the
// rows of G (the CG step's other half, with the item rows): out is not
// loaded and stored once per row of G. Each out[j] still sums its k terms in
// row order from 0, so the bits are those of the axpy loop.
MFREC_INLINE void symv_k(const float* g, const float* v, float* out, std::size_t k) {
#if MFREC_HAS_LANES8
  if (k % 8 == 0) {
    std::size_t c0 = 0;
    for (; c0 + 64 <= k; c0 += 64) symv_columns<8>(g, v, out, k, c0);
    for (; c0 < k; c0 += 8) symv_columns<1>(g, v, out, k, c0);
    return;
  }
#endif
  std::fill(out, out + k, 0.0f);
  for (std::size_t b = 0; b < k; ++b) axpy_k(v[b], g + b * k, out, k);
}

// Rows per chunk handed out by parallel_for: about 32 chunks per thread, so
// that long and short rows even out, and a cancellation check every chunk.
std::size_t grain_for(std::size_t rows, int threads) {
  std::size_t g = rows / (static_cast<std::size_t>(threads) * 32);
  return std::max<std::size_t>(1, std::min<std::size_t>(g, 256));
}

std::size_t max_row_length(const CsrView& m) {
  std::size_t best = 0;
  for (std::size_t r = 0; r < m.rows; ++r)
    best = std::max<std::size_t>(best, static_cast<std::size_t>(m.indptr[r + 1] - m.indptr[r]));
  return best;
}

// Per-thread working memory, allocated once per half-sweep.
struct Scratch {
  std::vector<float> weight;  // c - 1 for each entry of the row
  std::vector<float> target;  // c * p for each entry of the row
  std::vector<float> r, p, ap;
  std::vector<float> a;      // k x k system (Cholesky)
  std::vector<float> panel;  // gathered, scaled item rows (Cholesky)
};

constexpr std::size_t kPanelRows = 128;  // item rows gathered into one panel (32 KB at 64 factors)
// Fills s.weight / s.target for entries [begin, end) of m.
MFREC_INLINE void row_weights(const CsrView& m, std::size_t begin, std::size_t end, const AlsOptions& o, Scratch& s) {
  for (std::size_t e = begin; e < end; ++e) {
    float v = m.values[e];
    float c = als_confidence(o, v);
    s.weight[e - begin] = c - 1.0f;
    s.target[e - begin] = c * als_preference(v);
  }
}

// A few conjugate-gradient steps on row x, warm-started from its current value.
MFREC_INLINE void solve_row_cg(const CsrView& m, std::size_t row, const float* y, const float* gram_yy, float* x,
                               const AlsOptions& o, Scratch& s) {
  const std::size_t k = o.factors;
  const std::size_t begin = static_cast<std::size_t>(m.indptr[row]);
  const std::size_t end = static_cast<std::size_t>(m.indptr[row + 1]);
  const std::size_t n = end - begin;
  const int32_t* items = m.indices + begin;
  row_weights(m, begin, end, o, s);
  const float lambda = als_row_lambda(o, n);
  float* r = s.r.data();
  float* p = s.p.data();
  float* ap = s.ap.data();

  // r = b - A x, with b = sum c p y and A x = YtY x + lambda x + sum (c - 1)(y.x) y
  symv_k(gram_yy, x, r, k);
  for (std::size_t j = 0; j < k; ++j) r[j] = -r[j] - lambda * x[j];
  add_scaled_rows<true>(y, items, n, x, r, k, [&](std::size_t e, float yx) { return s.target[e] - s.weight[e] * yx; });
  std::copy(r, r + k, p);
  float rs_old = dot_k(r, r, k);
  if (!(rs_old > 1e-20f)) return;  // already solved (or NaN, which the caller detects)

  for (int step = 0; step < o.cg_steps; ++step) {
    symv_k(gram_yy, p, ap, k);
    axpy_k(lambda, p, ap, k);
    add_scaled_rows<false>(y, items, n, p, ap, k, [&](std::size_t e, float yp) { return s.weight[e] * yp; });
    float step_size = rs_old / dot_k(p, ap, k);
    axpy_k(step_size, p, x, k);
    axpy_k(-step_size, ap, r, k);
    float rs_new = dot_k(r, r, k);
    if (!(rs_new > 1e-20f)) break;
    float beta = rs_new / rs_old;
    for (std::size_t j = 0; j < k; ++j) p[j] = r[j] + beta * p[j];
    rs_old = rs_new;
  }
}

// Adds P^T P to the upper triangle of the k x k matrix a, for the n x k
// panel P (row-major): the rank-n update of a row's system as level-3 work.
// Tiles of 8 x 8 entries of a stay in eight registers while the panel's rows
// stream past: each panel row costs one load of 8 columns and 8 broadcasts
// for 64 multiply-adds, instead of one pass over a per item. A diagonal tile
// also fills entries below the diagonal, which the factorization never reads.
// The summation order is fixed (panel rows in order), so both copies and any
// BLAS build give the same bits.
MFREC_INLINE void add_panel_gram_upper(const float* panel, std::size_t n, std::size_t k, float* a) {
#if MFREC_HAS_LANES8
  if (k % 8 == 0) {
    for (std::size_t r0 = 0; r0 < k; r0 += 8) {
      for (std::size_t c0 = r0; c0 < k; c0 += 8) {
        Lanes8 acc[8] = {};
        for (std::size_t e = 0; e < n; ++e) {
          const float* pe = panel + e * k;
          const Lanes8 v = load8(pe + c0);
          for (std::size_t i = 0; i < 8; ++i) acc[i] += pe[r0 + i] * v;
        }
        for (std::size_t i = 0; i < 8; ++i) {
          float* dst = a + (r0 + i) * k + c0;
          store8(dst, load8(dst) + acc[i]);
        }
      }
    }
    return;
  }
#endif
  for (std::size_t e = 0; e < n; ++e) {
    const float* pe = panel + e * k;
    for (std::size_t r = 0; r < k; ++r) {
      const float w = pe[r];
      float* arow = a + r * k;
      for (std::size_t c = r; c < k; ++c) arow[c] += w * pe[c];
    }
  }
}

// Factors rows [j0, j1) of the upper triangle, given that every row above j0
// is already factored and has been subtracted from them: the right-looking
// loop, whose inner loops are contiguous axpys along rows. False when a pivot
// is not positive (a is not positive definite).
MFREC_INLINE bool factor_rows_upper(std::size_t k, float* a, std::size_t j0, std::size_t j1) {
  for (std::size_t j = j0; j < j1; ++j) {
    float* row_j = a + j * k;
    float d = row_j[j];
    if (!(d > 0.0f)) return false;
    float ujj = std::sqrt(d);
    float inv = 1.0f / ujj;
    row_j[j] = ujj;
    for (std::size_t c = j + 1; c < k; ++c) row_j[c] *= inv;
    for (std::size_t i = j + 1; i < j1; ++i) {
      float s = row_j[i];
      float* row_i = a + i * k;
      for (std::size_t c = i; c < k; ++c) row_i[c] -= s * row_j[c];
    }
  }
  return true;
}

// Factors the upper triangle of the symmetric positive-definite k x k matrix
// a as U^T U (U overwrites the upper triangle; the strict lower triangle is
// neither read nor kept). With k a multiple of 8 it runs left-looking by
// blocks of 8 rows: a block first receives what all the factored rows above
// it subtract, as 8 x 8 register tiles (the level-3 part, k^3/6
// multiply-adds), then factors itself. Row by row instead, most of the work
// is short axpys whose loop overhead costs more than their arithmetic.
MFREC_INLINE bool cholesky_upper(std::size_t k, float* a) {
#if MFREC_HAS_LANES8
  if (k % 8 == 0) {
    for (std::size_t j0 = 0; j0 < k; j0 += 8) {
      for (std::size_t c0 = j0; c0 < k && j0 > 0; c0 += 8) {
        Lanes8 acc[8] = {};
        for (std::size_t p = 0; p < j0; ++p) {
          const float* up = a + p * k;
          const Lanes8 v = load8(up + c0);
          for (std::size_t i = 0; i < 8; ++i) acc[i] += up[j0 + i] * v;
        }
        for (std::size_t i = 0; i < 8; ++i) {
          float* dst = a + (j0 + i) * k + c0;
          store8(dst, load8(dst) - acc[i]);
        }
      }
      if (!factor_rows_upper(k, a, j0, j0 + 8)) return false;
    }
    return true;
  }
#endif
  return factor_rows_upper(k, a, 0, k);
}

// Solves U^T U x = b in place (b becomes x) with the factor from
// cholesky_upper; every inner loop is a contiguous axpy or dot. Returns false
// when a is not positive definite.
MFREC_INLINE bool cholesky_upper_solve(std::size_t k, float* a, float* b) {
  if (!cholesky_upper(k, a)) return false;
  for (std::size_t j = 0; j < k; ++j) {  // U^T z = b
    const float* row_j = a + j * k;
    b[j] /= row_j[j];
    float zj = b[j];
    for (std::size_t c = j + 1; c < k; ++c) b[c] -= zj * row_j[c];
  }
  for (std::size_t i = k; i-- > 0;) {  // U x = z
    const float* row_i = a + i * k;
    float s = b[i];
    for (std::size_t c = i + 1; c < k; ++c) s -= row_i[c] * b[c];
    b[i] = s / row_i[i];
  }
  return true;
}

// Exact solve of row x: forms A = YtY + lambda I + sum (c - 1) y y^T.
MFREC_INLINE void solve_row_cholesky(const CsrView& m, std::size_t row, const float* y, const float* gram_yy, float* x,
                                     const AlsOptions& o, Scratch& s) {
  const std::size_t k = o.factors;
  const std::size_t begin = static_cast<std::size_t>(m.indptr[row]);
  const std::size_t end = static_cast<std::size_t>(m.indptr[row + 1]);
  const std::size_t n = end - begin;
  const int32_t* items = m.indices + begin;
  row_weights(m, begin, end, o, s);
  const float lambda = als_row_lambda(o, n);
  float* a = s.a.data();
  float* b = s.r.data();
  std::copy(gram_yy, gram_yy + k * k, a);
  for (std::size_t j = 0; j < k; ++j) a[j * k + j] += lambda;
  std::fill(b, b + k, 0.0f);

  // Rank-n update in panels: rows sqrt(c - 1) y gathered, then P^T P added.
  float* panel = s.panel.data();
  for (std::size_t e0 = 0; e0 < n; e0 += kPanelRows) {
    const std::size_t e1 = std::min(n, e0 + kPanelRows);
    for (std::size_t e = e0; e < e1; ++e) {
      // Item rows are scattered over Y: start loading one a few items ahead.
      if (e + kPrefetchAhead < n) prefetch_row(y + static_cast<std::size_t>(items[e + kPrefetchAhead]) * k, k);
      const float* yi = y + static_cast<std::size_t>(items[e]) * k;
      axpy_k(s.target[e], yi, b, k);
      const float w = std::sqrt(s.weight[e]);
      float* dst = panel + (e - e0) * k;
      for (std::size_t j = 0; j < k; ++j) dst[j] = w * yi[j];
    }
    add_panel_gram_upper(panel, e1 - e0, k, a);
  }
  if (cholesky_upper_solve(k, a, b)) {
    std::copy(b, b + k, x);
  } else {
    // Not positive definite (only possible without regularization): poison
    // the row so that the caller's finiteness check reports divergence.
    std::fill(x, x + k, std::numeric_limits<float>::quiet_NaN());
  }
}

// Solves rows [begin, end) of x: the loop compiled in two copies.
struct RowsJob {
  const CsrView& m;
  const float* y;
  const float* gram_yy;
  float* x;
  const AlsOptions& o;
};

MFREC_INLINE void solve_rows_body(const RowsJob& j, std::size_t begin, std::size_t end, Scratch& s) {
  const std::size_t k = j.o.factors;
  const bool cholesky = j.o.solver == AlsSolver::Cholesky;
  for (std::size_t r = begin; r < end; ++r) {
    float* xr = j.x + r * k;
    if (cholesky)
      solve_row_cholesky(j.m, r, j.y, j.gram_yy, xr, j.o, s);
    else
      solve_row_cg(j.m, r, j.y, j.gram_yy, xr, j.o, s);
  }
}

using SolveRowsFn = void (*)(const RowsJob&, std::size_t, std::size_t, Scratch&);
void solve_rows_plain(const RowsJob& j, std::size_t begin, std::size_t end, Scratch& s) {
  solve_rows_body(j, begin, end, s);
}
MFREC_TARGET_AVX2 void solve_rows_avx2(const RowsJob& j, std::size_t begin, std::size_t end, Scratch& s) {
  solve_rows_body(j, begin, end, s);
}

}  // namespace

float als_confidence(const AlsOptions& o, float value) {
  float v = std::fabs(value);
  if (o.confidence == AlsConfidence::Log) return 1.0f + o.alpha * std::log1p(v / o.epsilon);
  return 1.0f + o.alpha * v;
}

float als_row_lambda(const AlsOptions& o, std::size_t count) {
  if (!o.scale_regularization) return o.regularization;
  return o.regularization * (1.0f + static_cast<float>(count));
}

void als_half_sweep(const CsrView& m, const float* y, std::size_t y_rows, float* x, const AlsOptions& o,
                    CancelFlag cancel) {
  const std::size_t k = o.factors;
  if (m.rows == 0 || k == 0) return;
  if (cancel.requested()) throw Cancelled{};
  std::vector<float> gram_yy(k * k);
  gram(y_rows, k, y, gram_yy.data());
  als_solve_rows(m, y, y_rows, gram_yy.data(), x, o, cancel);
}

void als_solve_rows(const CsrView& m, const float* y, std::size_t /*y_rows*/, const float* gram_yy, float* x,
                    const AlsOptions& o, CancelFlag cancel) {
  const std::size_t k = o.factors;
  if (m.rows == 0 || k == 0) return;
  if (cancel.requested()) throw Cancelled{};
  const int threads = std::max(1, o.threads);
  const std::size_t longest = max_row_length(m);
  const bool cholesky = o.solver == AlsSolver::Cholesky;
  std::vector<Scratch> scratch(static_cast<std::size_t>(threads));
  for (auto& s : scratch) {
    s.weight.resize(longest);
    s.target.resize(longest);
    s.r.resize(k);
    s.p.resize(k);
    s.ap.resize(k);
    if (cholesky) {
      s.a.resize(k * k);
      s.panel.resize(std::min(longest, kPanelRows) * k);
    }
  }
  const RowsJob job{m, y, gram_yy, x, o};
  const SolveRowsFn solve = pick_cpu_copy<SolveRowsFn>(&solve_rows_plain, &solve_rows_avx2);
  parallel_for(threads, m.rows, grain_for(m.rows, threads), [&](std::size_t begin, std::size_t end, int t) {
    if (cancel.requested()) throw Cancelled{};
    solve(job, begin, end, scratch[static_cast<std::size_t>(t)]);
  });
}

void als_iteration(const CsrView& by_user, const CsrView& by_item, float* user_factors, float* item_factors,
                   const AlsOptions& o, CancelFlag cancel) {
  als_half_sweep(by_user, item_factors, by_item.rows, user_factors, o, cancel);
  als_half_sweep(by_item, user_factors, by_user.rows, item_factors, o, cancel);
}

double als_loss(const CsrView& by_user, const CsrView& by_item, const float* user_factors, const float* item_factors,
                const AlsOptions& o, CancelFlag cancel) {
  const std::size_t k = o.factors;
  const std::size_t users = by_user.rows;
  const std::size_t items = by_item.rows;
  std::vector<float> gram_yy(k * k);
  gram(items, k, item_factors, gram_yy.data());
  // One partial sum per row, added up in order afterwards: the total does not
  // depend on how rows were spread over threads.
  std::vector<double> row_loss(users, 0.0);
  std::vector<double> row_weight(users, 0.0);
  const int threads = std::max(1, o.threads);
  std::vector<std::vector<float>> tmp(static_cast<std::size_t>(threads), std::vector<float>(k));
  parallel_for(threads, users, grain_for(users, threads), [&](std::size_t begin, std::size_t end, int t) {
    if (cancel.requested()) throw Cancelled{};
    float* gx = tmp[static_cast<std::size_t>(t)].data();
    for (std::size_t u = begin; u < end; ++u) {
      const float* xu = user_factors + u * k;
      symv_k(gram_yy.data(), xu, gx, k);
      // sum over all items of prediction^2, then corrected on the observed ones
      double loss = dot_k(xu, gx, k);
      double extra_weight = 0.0;
      const std::size_t e0 = static_cast<std::size_t>(by_user.indptr[u]);
      const std::size_t e1 = static_cast<std::size_t>(by_user.indptr[u + 1]);
      for (std::size_t e = e0; e < e1; ++e) {
        const float* yi = item_factors + static_cast<std::size_t>(by_user.indices[e]) * k;
        double pred = dot_k(xu, yi, k);
        float v = by_user.values[e];
        double c = als_confidence(o, v);
        double err = als_preference(v) - pred;
        loss += c * err * err - pred * pred;
        extra_weight += c - 1.0;
      }
      loss += static_cast<double>(als_row_lambda(o, e1 - e0)) * dot_k(xu, xu, k);
      row_loss[u] = loss;
      row_weight[u] = extra_weight;
    }
  });
  double total = 0.0;
  double weight = static_cast<double>(users) * static_cast<double>(items);
  for (std::size_t u = 0; u < users; ++u) {
    total += row_loss[u];
    weight += row_weight[u];
  }
  for (std::size_t i = 0; i < items; ++i) {
    const float* yi = item_factors + i * k;
    const std::size_t n = static_cast<std::size_t>(by_item.indptr[i + 1] - by_item.indptr[i]);
    total += static_cast<double>(als_row_lambda(o, n)) * dot_k(yi, yi, k);
  }
  return weight > 0.0 ? total / weight : 0.0;
}

}  // namespace mfrec
