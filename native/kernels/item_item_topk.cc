#include "kernels/item_item_topk.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/simd.h"
#include "kernels/topk_select.h"

namespace mfrec {

namespace {

using topk_select::Columns;
using topk_select::Entry;

// Throws unless row r's entries [indptr[r], indptr[r+1]) of `m` lie within
// its nnz entries and hold item indices below `items`; `name` says which matrix.
void check_row(const CsrView& m, std::size_t nnz, int32_t r, std::size_t items, const char* name) {
  const int32_t b = m.indptr[r], e = m.indptr[r + 1];
  if (b < 0 || e < b || static_cast<std::size_t>(e) > nnz)
    throw std::invalid_argument(std::string(name) + " row pointers out of range at row " + std::to_string(r));
  for (int32_t p = b; p < e; ++p) {
    if (m.indices[p] < 0 || static_cast<std::size_t>(m.indices[p]) >= items)
      throw std::invalid_argument(std::string(name) + " index " + std::to_string(m.indices[p]) + " at row " +
                                  std::to_string(r) + " is not below " + std::to_string(items));
  }
}

// Every index the call will follow, checked before any row is scored: the
// requested rows, their history, filter and (for sparse W) the neighbour
// rows of every item their histories hold, each of those once.
void validate(const ItemItemTopKQuery& q) {
  if (q.k == 0) throw std::invalid_argument("k must be at least 1");
  // An empty dense W (no items) may come as a null pointer: only a sparse W
  // always has row pointers.
  const bool sparse = q.sparse.indptr != nullptr;
  if (sparse ? q.dense != nullptr : q.dense == nullptr && q.items > 0)
    throw std::invalid_argument("exactly one of dense and sparse W must be given");
  std::vector<uint8_t> checked(sparse ? q.items : 0);
  for (std::size_t r = 0; r < q.n_rows; ++r) {
    const int32_t row = q.rows[r];
    if (row < 0 || static_cast<std::size_t>(row) >= q.history.rows)
      throw std::invalid_argument("history row " + std::to_string(row) + " out of range (" +
                                  std::to_string(q.history.rows) + " rows)");
    check_row(q.history, q.history_nnz, row, q.items, "history");
    if (q.filter.indptr != nullptr) check_row(q.filter, q.filter_nnz, row, q.items, "filter");
    if (!sparse) continue;
    for (int32_t p = q.history.indptr[row]; p < q.history.indptr[row + 1]; ++p) {
      const int32_t item = q.history.indices[p];
      if (checked[item]) continue;
      checked[item] = 1;
      check_row(q.sparse, q.sparse_nnz, item, q.items, "sparse W");
    }
  }
  if (q.candidates != nullptr) topk_select::check_sorted(q.candidates, q.n_candidates, q.items, "candidates");
  if (q.exclude != nullptr) topk_select::check_sorted(q.exclude, q.n_exclude, q.items, "exclude");
  ranking_rules::validate(q.rules, q.items);
}

// s[j] += x * w[j]: one product and one addition per item, rounded to
// float32 each (nothing fused), so the AVX2 copy gives the plain copy's bits.
MFREC_INLINE void axpy_body(float x, const float* MFREC_RESTRICT w, float* MFREC_RESTRICT s, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) s[j] += x * w[j];
}
void axpy_plain(float x, const float* w, float* s, std::size_t n) { axpy_body(x, w, s, n); }
MFREC_TARGET_AVX2 void axpy_avx2(float x, const float* w, float* s, std::size_t n) { axpy_body(x, w, s, n); }
using AxpyFn = void (*)(float, const float*, float*, std::size_t);

// Dense W: one history row's scores of the ranked columns, into s[0 .. cols.n).
void score_dense_row(const ItemItemTopKQuery& q, const Columns& cols, AxpyFn axpy, int32_t row, float* s) {
  std::fill(s, s + cols.n, 0.0f);
  for (int32_t p = q.history.indptr[row]; p < q.history.indptr[row + 1]; ++p) {
    const float* w = q.dense + static_cast<std::size_t>(q.history.indices[p]) * q.items;
    const float x = q.history.values[p];
    if (!cols.subset) {
      axpy(x, w, s, q.items);
    } else {
      // Only the candidates' entries of the row.
      for (std::size_t c = 0; c < cols.n; ++c) s[c] += x * w[cols.item[c]];
    }
  }
}

// Columns selected per mask tile: the mask (one byte per column) stays in
// the first-level cache, and a tile without any dropped column takes the
// unmasked path of select_row.
constexpr std::size_t kTile = 4096;

// Sparse W: one ranked column's score and marks, side by side so that
// adding to a score reads one cache line.
struct SparseCell {
  float s;
  uint32_t mark;
};
constexpr uint32_t kReached = 1, kDropped = 2, kExcluded = 4;

// Scratch memory of one thread, allocated once per call.
struct Workspace {
  std::vector<float> s;  // dense W: ranked columns' scores of the current row
  std::vector<Entry> heap;
  std::vector<uint8_t> mask;  // dense W: one tile
  // Sparse W: every ranked column, score 0 and only kExcluded marks between
  // rows, and the columns the current row reached.
  std::vector<SparseCell> cells;
  std::vector<int32_t> touched;
  ranking_rules::Scratch rules;
};

// Dense W: scores of every ranked column, selected tile by tile.
std::size_t rank_dense_row(const ItemItemTopKQuery& q, const Columns& cols, AxpyFn axpy, int32_t row, Workspace& w,
                           std::size_t kk) {
  score_dense_row(q, cols, axpy, row, w.s.data());
  const topk_select::RowDrops drops{&q.filter, q.items, row, -1};
  int32_t cursor = q.filter.indptr ? q.filter.indptr[row] : 0;
  std::size_t n = 0;
  for (std::size_t c0 = 0; c0 < cols.n; c0 += kTile) {
    const std::size_t width = std::min(kTile, cols.n - c0);
    const uint8_t* mask =
        ranking_rules::mask_tile(q.rules, cols, topk_select::tile_mask(cols, drops, &cursor, c0, width, w.mask.data()),
                                 c0, width, w.mask.data());
    n = topk_select::select_row(w.s.data() + c0, mask, width, static_cast<int32_t>(c0), w.heap.data(), n, kk);
  }
  return n;
}

// Sparse W: a history reaches few columns (at most its length times the
// neighbours per item); every other column scores exactly 0. So only the
// reached columns are scored and offered, then the unreached ones in
// increasing order for as long as a 0 can still rank: the same k entries as
// scoring and scanning every column, at a cost that does not grow with the
// catalogue. Reached columns never hold -0 (0 + -0 is +0), so every 0 ties
// alike and goes to the lower column.
std::size_t rank_sparse_row(const ItemItemTopKQuery& q, const Columns& cols, int32_t row, Workspace& w,
                            std::size_t kk) {
  SparseCell* cell = w.cells.data();
  w.touched.clear();
  for (int32_t p = q.history.indptr[row]; p < q.history.indptr[row + 1]; ++p) {
    const std::size_t item = static_cast<std::size_t>(q.history.indices[p]);
    const float x = q.history.values[p];
    const int32_t end = q.sparse.indptr[item + 1];
    for (int32_t e = q.sparse.indptr[item]; e < end; ++e) {
      const int32_t c = cols.column_of(q.sparse.indices[e]);
      if (c < 0) continue;
      SparseCell& sc = cell[c];
      if (!(sc.mark & kReached)) {
        sc.mark |= kReached;
        w.touched.push_back(c);
      }
      sc.s += x * q.sparse.values[e];
    }
  }
  const int32_t f0 = q.filter.indptr ? q.filter.indptr[row] : 0;
  const int32_t f1 = q.filter.indptr ? q.filter.indptr[row + 1] : 0;
  for (int32_t p = f0; p < f1; ++p) {
    const int32_t c = cols.column_of(q.filter.indices[p]);
    if (c >= 0) cell[c].mark |= kDropped;
  }

  Entry* h = w.heap.data();
  std::size_t n = 0;
  for (int32_t c : w.touched)
    if (!(cell[c].mark & (kDropped | kExcluded))) n = topk_select::offer(h, n, kk, {cell[c].s, c});
  for (std::size_t c = 0; c < cols.n; ++c) {
    const Entry zero{0.0f, static_cast<int32_t>(c)};
    // Once the heap is full and its worst beats (0, c), no later column can enter.
    if (n == kk && !topk_select::worse(h[0], zero)) break;
    if (cell[c].mark == 0) n = topk_select::offer(h, n, kk, zero);
  }

  // Leave the scores at 0 and only the exclusions marked for the next row.
  for (int32_t c : w.touched) cell[c] = {0.0f, cell[c].mark & kExcluded};
  for (int32_t p = f0; p < f1; ++p) {
    const int32_t c = cols.column_of(q.filter.indices[p]);
    if (c >= 0) cell[c].mark &= kExcluded;
  }
  return n;
}

}  // namespace

void item_item_topk(const ItemItemTopKQuery& q, int32_t* out_items, float* out_scores, CancelFlag cancel) {
  validate(q);
  const std::size_t k = q.k;
  Columns cols;
  topk_select::build_columns(q.items, q.candidates, q.n_candidates, q.exclude, q.n_exclude, cols);
  const std::size_t kk = ranking_rules::heap_capacity(q.rules, k, cols.n);
  if (kk == 0 || q.n_rows == 0) {
    topk_select::pad_rows(q.n_rows, k, out_items, out_scores);
    return;
  }
  const bool sparse = q.sparse.indptr != nullptr;
  const AxpyFn axpy = pick_cpu_copy<AxpyFn>(&axpy_plain, &axpy_avx2);
  // Rows are handed out 8 at a time: enough to balance histories of unequal
  // length across threads, few enough that a cancel request is seen soon.
  const std::size_t grain = 8;
  const int threads = static_cast<int>(
      std::min<std::size_t>(static_cast<std::size_t>(resolve_threads(q.threads)), (q.n_rows + grain - 1) / grain));
  std::vector<Workspace> spaces(static_cast<std::size_t>(threads));
  const RuleSimilarity similarity{nullptr, 0, q.dense, q.items, q.sparse, q.sparse_nnz};
  std::vector<uint8_t> retry(q.rules.reranks() ? q.n_rows : 0);

  parallel_for(threads, q.n_rows, grain, [&](std::size_t r0, std::size_t r1, int t) {
    Workspace& w = spaces[static_cast<std::size_t>(t)];
    if (w.heap.empty()) {
      w.heap.resize(kk);
      if (sparse) {
        w.cells.assign(cols.n, {0.0f, 0});
        for (std::size_t c = 0; c < cols.excluded.size(); ++c)
          if (cols.excluded[c]) w.cells[c].mark = kExcluded;
        // Targets the rules' permit mask leaves out count as excluded.
        if (q.rules.permit != nullptr)
          for (std::size_t c = 0; c < cols.n; ++c)
            if (!ranking_rules::permitted(q.rules, cols.target_of(static_cast<int32_t>(c))))
              w.cells[c].mark = kExcluded;
      } else {
        w.s.resize(cols.n);
        w.mask.resize(std::min(cols.n, kTile));
      }
    }
    if (cancel.requested()) throw Cancelled{};
    for (std::size_t r = r0; r < r1; ++r) {
      const int32_t row = q.rows[r];
      const std::size_t n = sparse ? rank_sparse_row(q, cols, row, w, kk) : rank_dense_row(q, cols, axpy, row, w, kk);
      if (!ranking_rules::emit_row(q.rules, similarity, w.heap.data(), n, kk, cols, k, out_items + r * k,
                                   out_scores + r * k, w.rules))
        retry[r] = 1;
    }
  });
  // Rows whose category caps a full pool could not satisfy: again, alone, with a larger pool.
  for (std::size_t r = 0; r < retry.size(); ++r) {
    if (!retry[r]) continue;
    ItemItemTopKQuery one = q;
    one.rows = q.rows + r;
    one.n_rows = 1;
    one.threads = 1;
    one.rules.pool = ranking_rules::next_pool(kk, cols.n);
    item_item_topk(one, out_items + r * k, out_scores + r * k, cancel);
  }
}

}  // namespace mfrec
