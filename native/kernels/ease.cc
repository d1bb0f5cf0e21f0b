#include "kernels/ease.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/blas.h"

namespace mfrec {

namespace {

// Side of the square tiles the dense steps hand out to threads: large enough
// for BLAS to run near its peak on each call, small enough that a 1,000-item
// matrix still splits into a few tiles per thread.
constexpr std::size_t kTile = 256;
// Columns per panel of W = L^-1 (each panel is one triangular solve).
constexpr std::size_t kPanel = 64;
// Bytes of densified user rows per block of the dense Gram method.
constexpr std::size_t kDenseBlockBytes = std::size_t{32} << 20;
// How many BLAS multiply-adds cost as much as one scalar multiply-add of the
// sparse Gram method (a gather-scatter into one row of G). Measured with
// OpenBLAS on an AVX-512 Xeon, 8,000 users x 2,000 items, densities 1%, 5%
// and 20%: the ratio of the two rates was 46, 28 and 21 (the sparse method
// gains as rows fill up); at 20% density the two methods took 4.1 s and
// 3.3 s. With the built-in loops (4,000 x 1,000, densities 5%, 20%, 50%)
// the ratio was 13, 7 and 7.5.
#ifdef MFREC_HAVE_OPENBLAS
constexpr double kDenseOpsPerSparseOp = 25.0;
#else
constexpr double kDenseOpsPerSparseOp = 7.0;
#endif

std::size_t blocks_of(std::size_t n, std::size_t size) { return (n + size - 1) / size; }

// A lower-triangle tile (row block I >= column block J) of an n x n matrix
// cut in `size` x `size` tiles, numbered row by row: 0 = (0,0), 1 = (1,0),
// 2 = (1,1), 3 = (2,0), ...
struct Tile {
  std::size_t i0, j0, rows, cols;
};

std::vector<Tile> lower_tiles(std::size_t first, std::size_t n, std::size_t size) {
  std::vector<Tile> tiles;
  for (std::size_t i0 = first; i0 < n; i0 += size)
    for (std::size_t j0 = first; j0 <= i0; j0 += size)
      tiles.push_back({i0, j0, std::min(size, n - i0), std::min(size, n - j0)});
  return tiles;
}

void check_cancel(CancelFlag cancel) {
  if (cancel.requested()) throw Cancelled{};
}

// Runs body(tile) for every tile, in order, on the team.
template <typename Body>
void for_tiles(int threads, const std::vector<Tile>& tiles, CancelFlag cancel, Body body) {
  parallel_for(threads, tiles.size(), 1, [&](std::size_t begin, std::size_t end, int) {
    check_cancel(cancel);
    for (std::size_t t = begin; t < end; ++t) body(tiles[t]);
  });
}

[[noreturn]] void not_positive_definite(std::size_t row) {
  throw std::invalid_argument("The Gram matrix plus lambda is not positive definite in float32 (pivot of item " +
                              std::to_string(row) +
                              "): raise lambda, or check the interaction values for NaN or huge numbers");
}

// --- Step 1: the Gram matrix ---------------------------------------------------

// Entries of `m` by column, each remembering its position in its row:
// item i's users are users[indptr[i] .. indptr[i+1]), and the entry of user
// users[e] for item i sits at position[e] of by_user.
struct ByItem {
  std::vector<std::size_t> indptr;
  std::vector<int32_t> users;
  std::vector<std::size_t> position;
};

ByItem by_item_of(const CsrView& m, std::size_t items) {
  const std::size_t nnz = static_cast<std::size_t>(m.indptr[m.rows]);
  ByItem t;
  t.indptr.assign(items + 1, 0);
  for (std::size_t e = 0; e < nnz; ++e) ++t.indptr[static_cast<std::size_t>(m.indices[e]) + 1];
  for (std::size_t i = 0; i < items; ++i) t.indptr[i + 1] += t.indptr[i];
  std::vector<std::size_t> next(t.indptr.begin(), t.indptr.end() - 1);
  t.users.resize(nnz);
  t.position.resize(nnz);
  for (std::size_t u = 0; u < m.rows; ++u)
    for (std::size_t e = static_cast<std::size_t>(m.indptr[u]); e < static_cast<std::size_t>(m.indptr[u + 1]); ++e) {
      const std::size_t slot = next[static_cast<std::size_t>(m.indices[e])]++;
      t.users[slot] = static_cast<int32_t>(u);
      t.position[slot] = e;
    }
  return t;
}

// Row i of G (columns j <= i) = sum over users u of item i of x_ui * x_u[j].
// by_user's rows are sorted by column, so x_u's entries up to and including
// item i's are exactly its columns j <= i.
void sparse_gram(const CsrView& m, std::size_t items, int threads, float* g, CancelFlag cancel) {
  const ByItem t = by_item_of(m, items);
  check_cancel(cancel);
  parallel_for(threads, items, 16, [&](std::size_t begin, std::size_t end, int) {
    check_cancel(cancel);
    for (std::size_t i = begin; i < end; ++i) {
      float* gi = g + i * items;
      for (std::size_t e = t.indptr[i]; e < t.indptr[i + 1]; ++e) {
        const std::size_t u = static_cast<std::size_t>(t.users[e]);
        const std::size_t own = t.position[e];
        const float xui = m.values[own];
        for (std::size_t q = static_cast<std::size_t>(m.indptr[u]); q <= own; ++q)
          gi[m.indices[q]] += xui * m.values[q];
      }
    }
  });
}

// G += X_b^T X_b for blocks X_b of non-empty users written out as dense rows.
void dense_gram(const CsrView& m, std::size_t items, int threads, float* g, CancelFlag cancel) {
  std::vector<std::size_t> users;  // the non-empty ones: empty rows add nothing
  for (std::size_t u = 0; u < m.rows; ++u)
    if (m.indptr[u + 1] > m.indptr[u]) users.push_back(u);
  const std::size_t block = std::clamp<std::size_t>(kDenseBlockBytes / (items * sizeof(float)), 64, 1024);
  const std::size_t rows_max = std::min(block, users.size());
  std::vector<float> dense(rows_max * items);
  const std::vector<Tile> tiles = lower_tiles(0, items, kTile);
  for (std::size_t b0 = 0; b0 < users.size(); b0 += block) {
    check_cancel(cancel);
    const std::size_t rows = std::min(block, users.size() - b0);
    parallel_for(threads, rows, 16, [&](std::size_t begin, std::size_t end, int) {
      for (std::size_t r = begin; r < end; ++r) {
        float* d = dense.data() + r * items;
        std::fill(d, d + items, 0.0f);
        const std::size_t u = users[b0 + r];
        for (int32_t e = m.indptr[u]; e < m.indptr[u + 1]; ++e) d[m.indices[e]] = m.values[e];
      }
    });
    for_tiles(threads, tiles, cancel, [&](const Tile& t) {
      float* c = g + t.i0 * items + t.j0;
      if (t.i0 == t.j0)
        syrk_lower(Trans::Yes, t.rows, rows, 1.0f, dense.data() + t.i0, items, 1.0f, c, items);
      else
        gemm(Trans::Yes, Trans::No, t.rows, t.cols, rows, 1.0f, dense.data() + t.i0, items, dense.data() + t.j0, items,
             1.0f, c, items);
    });
  }
}

// --- Steps 2 and 3: the inverse ---------------------------------------------------

// A = L L^T in place (lower triangle), right-looking by blocks of kTile: the
// diagonal block is factored on one thread, then the panel below it and the
// trailing update are shared out.
void cholesky(std::size_t n, float* a, int threads, CancelFlag cancel) {
  for (std::size_t k0 = 0; k0 < n; k0 += kTile) {
    check_cancel(cancel);
    const std::size_t kb = std::min(kTile, n - k0);
    float* diag = a + k0 * n + k0;
    const std::size_t bad = potrf_lower(kb, diag, n);
    if (bad < kb) not_positive_definite(k0 + bad);
    const std::size_t below = k0 + kb;
    if (below == n) break;
    parallel_for(threads, n - below, 64, [&](std::size_t begin, std::size_t end, int) {
      trsm_right_lower_trans(end - begin, kb, diag, n, a + (below + begin) * n + k0, n);
    });
    for_tiles(threads, lower_tiles(below, n, kTile), cancel, [&](const Tile& t) {
      float* c = a + t.i0 * n + t.j0;
      const float* li = a + t.i0 * n + k0;
      if (t.i0 == t.j0)
        syrk_lower(Trans::No, t.rows, kb, -1.0f, li, n, 1.0f, c, n);
      else
        gemm(Trans::No, Trans::Yes, t.rows, t.cols, kb, -1.0f, li, n, a + t.j0 * n + k0, n, 1.0f, c, n);
    });
  }
}

// W = L^-1 (lower triangular, upper triangle zero) into `w`. Column panel
// [c0, c1) of W depends only on L[c0:, c0:], so panels are independent:
// each solves L[c0:, c0:] X = I[c0:, c0:c1]. Panels are handed out from the
// first (the most work) on, which balances the team.
void lower_inverse(std::size_t n, const float* l, float* w, int threads, CancelFlag cancel) {
  parallel_for(threads, blocks_of(n, kPanel), 1, [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t p = begin; p < end; ++p) {
      check_cancel(cancel);
      const std::size_t c0 = p * kPanel, width = std::min(kPanel, n - c0);
      for (std::size_t r = 0; r < n; ++r) {
        float* row = w + r * n + c0;
        std::fill(row, row + width, 0.0f);
        if (r >= c0 && r < c0 + width) row[r - c0] = 1.0f;
      }
      trsm_left_lower(n - c0, width, l + c0 * n + c0, n, w + c0 * n + c0, n);
    }
  });
}

// Lower triangle of P = W^T W into `p`: tile (I, J) is the sum over rows
// k >= I0 of W[k][I]^T W[k][J] (W[k][i] = 0 for k < i).
void gram_of_lower(std::size_t n, const float* w, float* p, int threads, CancelFlag cancel) {
  for_tiles(threads, lower_tiles(0, n, kTile), cancel, [&](const Tile& t) {
    const float* wi = w + t.i0 * n + t.i0;
    float* c = p + t.i0 * n + t.j0;
    const std::size_t depth = n - t.i0;
    if (t.i0 == t.j0)
      syrk_lower(Trans::Yes, t.rows, depth, 1.0f, wi, n, 0.0f, c, n);
    else
      gemm(Trans::Yes, Trans::No, t.rows, t.cols, depth, 1.0f, wi, n, w + t.i0 * n + t.j0, n, 0.0f, c, n);
  });
}

// B[i][j] = -P[i][j] / P[j][j], B[i][i] = 0, from the lower triangle of P;
// by square tiles so that reading P[j][i] for j > i stays in cache.
void weights_from_inverse(std::size_t n, const float* p, float* out, int threads, CancelFlag cancel) {
  constexpr std::size_t kSide = 64;
  const std::size_t side_blocks = blocks_of(n, kSide);
  parallel_for(threads, side_blocks * side_blocks, 4, [&](std::size_t begin, std::size_t end, int) {
    check_cancel(cancel);
    for (std::size_t t = begin; t < end; ++t) {
      const std::size_t i0 = (t / side_blocks) * kSide, j0 = (t % side_blocks) * kSide;
      for (std::size_t i = i0; i < std::min(n, i0 + kSide); ++i)
        for (std::size_t j = j0; j < std::min(n, j0 + kSide); ++j) {
          const float pij = j <= i ? p[i * n + j] : p[j * n + i];
          out[i * n + j] = i == j ? 0.0f : -pij / p[j * n + j];
        }
    }
  });
}

}  // namespace

GramMethod ease_gram_method(const CsrView& by_user, std::size_t items) {
  double dense = 0.0, sparse = 0.0;
  const double per_user = 0.5 * static_cast<double>(items) * static_cast<double>(items);
  for (std::size_t u = 0; u < by_user.rows; ++u) {
    const double h = by_user.indptr[u + 1] - by_user.indptr[u];
    if (h == 0) continue;
    dense += per_user;
    sparse += 0.5 * h * (h + 1);
  }
  return sparse * kDenseOpsPerSparseOp <= dense ? GramMethod::Sparse : GramMethod::Dense;
}

void ease_gram(const CsrView& by_user, std::size_t items, GramMethod method, int threads, float* g, CancelFlag cancel) {
  parallel_for(threads, items, 64,
               [&](std::size_t begin, std::size_t end, int) { std::fill(g + begin * items, g + end * items, 0.0f); });
  if (method == GramMethod::Sparse)
    sparse_gram(by_user, items, threads, g, cancel);
  else
    dense_gram(by_user, items, threads, g, cancel);
}

void spd_inverse(std::size_t n, float* a, float* work, int threads, CancelFlag cancel) {
  cholesky(n, a, threads, cancel);
  lower_inverse(n, a, work, threads, cancel);
  gram_of_lower(n, work, a, threads, cancel);
}

void ease_fit(const EaseProblem& p, float* out, CancelFlag cancel) {
  if (!(p.lambda > 0.0f) || !std::isfinite(p.lambda))
    throw std::invalid_argument("EASE: lambda must be positive and finite, not " + std::to_string(p.lambda));
  const CsrView& m = p.by_user;
  const std::size_t nnz = static_cast<std::size_t>(m.indptr[m.rows]);
  // An empty array may come with no storage at all (JS hands over null).
  if (nnz > 0 && m.values == nullptr) throw std::invalid_argument("EASE: the interaction values are missing");
  for (std::size_t u = 0; u < m.rows; ++u)
    for (int32_t e = m.indptr[u]; e < m.indptr[u + 1]; ++e) {
      if (!std::isfinite(m.values[e]))
        throw std::invalid_argument("EASE: interaction value " + std::to_string(m.values[e]) + " of user " +
                                    std::to_string(u) + " is not finite");
      // The sparse Gram method reads a row's columns j <= i as its prefix.
      if (e > m.indptr[u] && m.indices[e] <= m.indices[e - 1])
        throw std::invalid_argument("EASE: the items of user " + std::to_string(u) + " are not strictly increasing");
    }
  const std::size_t n = p.items;
  if (n == 0) return;
  const int threads = std::max(1, p.threads);
  std::unique_ptr<float[]> g(new float[n * n]);
  ease_gram(p.by_user, n, ease_gram_method(p.by_user, n), threads, g.get(), cancel);
  for (std::size_t i = 0; i < n; ++i) g[i * n + i] += p.lambda;
  spd_inverse(n, g.get(), out, threads, cancel);  // `out` holds W = L^-1 meanwhile
  weights_from_inverse(n, g.get(), out, threads, cancel);
}

}  // namespace mfrec
