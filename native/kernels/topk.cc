#include "kernels/topk.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/blas.h"
#include "kernels/topk_select.h"

namespace mfrec {

namespace {

using topk_select::check_sorted;
using topk_select::Columns;
using topk_select::Entry;

void validate(const TopKQuery& q) {
  if (q.factors == 0) throw std::invalid_argument("factors must be at least 1");
  if (q.k == 0) throw std::invalid_argument("k must be at least 1");
  for (std::size_t r = 0; r < q.n_rows; ++r) {
    if (q.rows[r] < 0 || static_cast<std::size_t>(q.rows[r]) >= q.query_rows)
      throw std::invalid_argument("query row index out of range");
    if (q.filter.indptr != nullptr) {
      int32_t b = q.filter.indptr[q.rows[r]], e = q.filter.indptr[q.rows[r] + 1];
      if (b < 0 || e < b || static_cast<std::size_t>(e) > q.filter_nnz)
        throw std::invalid_argument("filter row pointers out of range");
    }
  }
  if (q.candidates != nullptr) check_sorted(q.candidates, q.n_candidates, q.targets, "candidates");
  if (q.exclude != nullptr) check_sorted(q.exclude, q.n_exclude, q.targets, "exclude");
  ranking_rules::validate(q.rules, q.targets);
}

// The ranked targets' factor rows, scales and biases: the caller's arrays,
// or for a subset of candidates copies gathered into contiguous memory, so
// BLAS scores only what is asked for.
struct FactorColumns {
  const float* factors = nullptr;
  const float* scale = nullptr;
  const float* bias = nullptr;
  std::vector<float> gathered, gathered_scale, gathered_bias;
};

void gather_factors(const TopKQuery& q, const Columns& cols, FactorColumns& fc) {
  if (!cols.subset) {
    fc.factors = q.target;
    fc.scale = q.col_scale;
    fc.bias = q.col_bias;
    return;
  }
  const std::size_t f = q.factors;
  fc.gathered.resize(cols.n * f);
  if (q.col_scale) fc.gathered_scale.resize(cols.n);
  if (q.col_bias) fc.gathered_bias.resize(cols.n);
  for (std::size_t c = 0; c < cols.n; ++c) {
    int32_t t = cols.item[c];
    std::memcpy(fc.gathered.data() + c * f, q.target + static_cast<std::size_t>(t) * f, f * sizeof(float));
    if (q.col_scale) fc.gathered_scale[c] = q.col_scale[t];
    if (q.col_bias) fc.gathered_bias[c] = q.col_bias[t];
  }
  fc.factors = fc.gathered.data();
  fc.scale = q.col_scale ? fc.gathered_scale.data() : nullptr;
  fc.bias = q.col_bias ? fc.gathered_bias.data() : nullptr;
}

// Scratch memory of one thread, allocated once per call and reused for every
// block of rows it handles: nothing is allocated per row.
struct Workspace {
  std::vector<float> q;     // block x factors query rows
  std::vector<float> s;     // block x tile scores
  std::vector<Entry> heap;  // block x kk kept entries
  std::vector<std::size_t> size;
  std::vector<int32_t> cursor;  // next filter entry per row
  std::vector<uint8_t> mask;    // tile
  ranking_rules::Scratch rules;
};

}  // namespace

void topk(const TopKQuery& q, int32_t* out_items, float* out_scores, CancelFlag cancel) {
  validate(q);
  const std::size_t k = q.k;
  Columns cols;
  topk_select::build_columns(q.targets, q.candidates, q.n_candidates, q.exclude, q.n_exclude, cols);
  const std::size_t kk = ranking_rules::heap_capacity(q.rules, k, cols.n);
  if (kk == 0 || q.n_rows == 0) {
    topk_select::pad_rows(q.n_rows, k, out_items, out_scores);
    return;
  }
  FactorColumns fc;
  gather_factors(q, cols, fc);
  const std::size_t f = q.factors;

  // Blocks of up to 128 rows make the product arithmetic-bound (each target
  // vector loaded is used 128 times); tiles of targets keep the score block
  // near 256 KB so selection reads it from cache, and the heaps stay bounded
  // however large k is. Measured: 128 x 512 ran OpenBLAS sgemm at its
  // full-matrix speed where 64 x 512 lost a quarter of it.
  std::size_t block = std::min<std::size_t>(q.n_rows, 128);
  block = std::max<std::size_t>(1, std::min(block, (std::size_t{8} << 20) / (kk * sizeof(Entry))));
  const std::size_t tile = std::min(cols.n, std::max<std::size_t>(256, (std::size_t{64} << 10) / block));
  const std::size_t n_blocks = (q.n_rows + block - 1) / block;
  const int threads =
      static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(resolve_threads(q.threads)), n_blocks));
  std::vector<Workspace> spaces(static_cast<std::size_t>(threads));
  const RuleSimilarity similarity{q.target, f, nullptr, 0, {}};
  std::vector<uint8_t> retry(q.rules.reranks() ? q.n_rows : 0);

  parallel_for(threads, n_blocks, 1, [&](std::size_t b0, std::size_t b1, int t) {
    Workspace& w = spaces[static_cast<std::size_t>(t)];
    if (w.s.empty()) {
      w.q.resize(block * f);
      w.s.resize(block * tile);
      w.heap.resize(block * kk);
      w.size.resize(block);
      w.cursor.resize(block);
      w.mask.resize(tile);
    }
    for (std::size_t blk = b0; blk < b1; ++blk) {
      if (cancel.requested()) throw Cancelled{};
      const std::size_t r0 = blk * block;
      const std::size_t n = std::min(block, q.n_rows - r0);
      for (std::size_t b = 0; b < n; ++b) {
        const int32_t row = q.rows[r0 + b];
        std::memcpy(w.q.data() + b * f, q.query + static_cast<std::size_t>(row) * f, f * sizeof(float));
        w.size[b] = 0;
        w.cursor[b] = q.filter.indptr ? q.filter.indptr[row] : 0;
      }
      for (std::size_t c0 = 0; c0 < cols.n; c0 += tile) {
        const std::size_t width = std::min(tile, cols.n - c0);
        gemm_abt(n, width, f, 1.0f, w.q.data(), fc.factors + c0 * f, 0.0f, w.s.data());
        for (std::size_t b = 0; b < n; ++b) {
          const int32_t row = q.rows[r0 + b];
          float* s = w.s.data() + b * width;
          // Same operations, same order as the twin.
          if (fc.scale)
            for (std::size_t j = 0; j < width; ++j) s[j] *= fc.scale[c0 + j];
          if (q.row_scale) {
            const float rs = q.row_scale[row];
            for (std::size_t j = 0; j < width; ++j) s[j] *= rs;
          }
          if (fc.bias)
            for (std::size_t j = 0; j < width; ++j) s[j] += fc.bias[c0 + j];
          if (q.row_offset || q.offset != 0.0f) {
            const float add = (q.row_offset ? q.row_offset[row] : 0.0f) + q.offset;
            for (std::size_t j = 0; j < width; ++j) s[j] += add;
          }

          const topk_select::RowDrops drops{&q.filter, q.targets, row,
                                            q.exclude_self && static_cast<std::size_t>(row) < q.targets ? row : -1};
          const uint8_t* mask = ranking_rules::mask_tile(
              q.rules, cols, topk_select::tile_mask(cols, drops, &w.cursor[b], c0, width, w.mask.data()), c0, width,
              w.mask.data());
          w.size[b] =
              topk_select::select_row(s, mask, width, static_cast<int32_t>(c0), w.heap.data() + b * kk, w.size[b], kk);
        }
      }
      for (std::size_t b = 0; b < n; ++b) {
        if (!ranking_rules::emit_row(q.rules, similarity, w.heap.data() + b * kk, w.size[b], kk, cols, k,
                                     out_items + (r0 + b) * k, out_scores + (r0 + b) * k, w.rules))
          retry[r0 + b] = 1;
      }
    }
  });
  // Rows whose category caps a full pool could not satisfy: again, alone, with a larger pool.
  for (std::size_t r = 0; r < retry.size(); ++r) {
    if (!retry[r]) continue;
    TopKQuery one = q;
    one.rows = q.rows + r;
    one.n_rows = 1;
    one.threads = 1;
    one.rules.pool = ranking_rules::next_pool(kk, cols.n);
    topk(one, out_items + r * k, out_scores + r * k, cancel);
  }
}

}  // namespace mfrec
