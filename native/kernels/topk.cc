#include "kernels/topk.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/blas.h"

namespace mfrec {

namespace {

// One kept result: score and column (position among the ranked targets).
struct Entry {
  float s;
  int32_t c;
};

// "a ranks below b": lower score, or the same score and a higher column.
inline bool worse(const Entry& a, const Entry& b) { return a.s < b.s || (a.s == b.s && a.c > b.c); }

// A heap whose top is the worst kept entry, so a new score only has to beat
// the top to enter.
inline void sift_up(Entry* h, std::size_t i) {
  while (i > 0) {
    std::size_t p = (i - 1) / 2;
    if (!worse(h[i], h[p])) break;
    std::swap(h[i], h[p]);
    i = p;
  }
}

inline void sift_down(Entry* h, std::size_t n, std::size_t i) {
  for (;;) {
    std::size_t l = 2 * i + 1;
    if (l >= n) break;
    std::size_t m = l;
    if (l + 1 < n && worse(h[l + 1], h[l])) m = l + 1;
    if (!worse(h[m], h[i])) break;
    std::swap(h[m], h[i]);
    i = m;
  }
}

// Feeds one row of a score tile (columns c0 .. c0+width) into a heap of
// capacity kk holding n entries; returns the new n. Columns arrive in
// increasing order, so a score equal to the current worst never displaces
// it: the earlier (lower) column wins ties.
std::size_t select_row(const float* s, const uint8_t* mask, std::size_t width, int32_t c0, Entry* h, std::size_t n,
                       std::size_t kk) {
  std::size_t j = 0;
  for (; j < width && n < kk; ++j) {
    if (mask != nullptr && mask[j]) continue;
    float v = s[j];
    if (std::isnan(v)) continue;
    h[n] = {v, c0 + static_cast<int32_t>(j)};
    sift_up(h, n);
    ++n;
  }
  if (n < kk || j == width) return n;
  float threshold = h[0].s;
  if (mask == nullptr) {
    // Most scores lose to the threshold: test 16 at a time (a branch-free
    // comparison the compiler vectorizes) and look closer only on a hit.
    for (; j + 16 <= width; j += 16) {
      bool any = false;
      for (std::size_t x = 0; x < 16; ++x) any |= s[j + x] > threshold;
      if (!any) continue;
      for (std::size_t x = j; x < j + 16; ++x) {
        if (s[x] > threshold) {
          h[0] = {s[x], c0 + static_cast<int32_t>(x)};
          sift_down(h, kk, 0);
          threshold = h[0].s;
        }
      }
    }
    for (; j < width; ++j) {
      if (s[j] > threshold) {
        h[0] = {s[j], c0 + static_cast<int32_t>(j)};
        sift_down(h, kk, 0);
        threshold = h[0].s;
      }
    }
  } else {
    for (; j < width; ++j) {
      if (s[j] > threshold && !mask[j]) {
        h[0] = {s[j], c0 + static_cast<int32_t>(j)};
        sift_down(h, kk, 0);
        threshold = h[0].s;
      }
    }
  }
  return n;
}

void check_sorted(const int32_t* a, std::size_t n, std::size_t bound, const char* name) {
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] < 0 || static_cast<std::size_t>(a[i]) >= bound || (i > 0 && a[i] <= a[i - 1])) {
      throw std::invalid_argument(std::string(name) + " must be strictly increasing indices below " +
                                  std::to_string(bound));
    }
  }
}

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
}

// The targets being ranked: every target, or a gathered subset.
struct Columns {
  std::size_t n = 0;
  const float* factors = nullptr;
  const float* scale = nullptr;
  const float* bias = nullptr;
  bool subset = false;
  std::vector<int32_t> item;       // subset: column -> target index
  std::vector<int32_t> of_target;  // subset: target index -> column or -1
  std::vector<float> gathered, gathered_scale, gathered_bias;
  std::vector<uint8_t> excluded;  // all targets: 1 = excluded

  int32_t column_of(int32_t t) const { return subset ? of_target[t] : t; }
  int32_t target_of(int32_t c) const { return subset ? item[c] : c; }
};

void build_columns(const TopKQuery& q, Columns& cols) {
  if (q.candidates == nullptr) {
    cols.n = q.targets;
    cols.factors = q.target;
    cols.scale = q.col_scale;
    cols.bias = q.col_bias;
    if (q.exclude != nullptr && q.n_exclude > 0) {
      cols.excluded.assign(q.targets, 0);
      for (std::size_t i = 0; i < q.n_exclude; ++i) cols.excluded[q.exclude[i]] = 1;
    }
    return;
  }
  // Candidates minus exclusions, both sorted: one merge. Copying the chosen
  // rows makes the subset contiguous, so BLAS scores only what is asked for.
  cols.subset = true;
  std::size_t e = 0;
  for (std::size_t i = 0; i < q.n_candidates; ++i) {
    int32_t t = q.candidates[i];
    while (q.exclude != nullptr && e < q.n_exclude && q.exclude[e] < t) ++e;
    if (q.exclude != nullptr && e < q.n_exclude && q.exclude[e] == t) continue;
    cols.item.push_back(t);
  }
  cols.n = cols.item.size();
  cols.of_target.assign(q.targets, -1);
  const std::size_t f = q.factors;
  cols.gathered.resize(cols.n * f);
  if (q.col_scale) cols.gathered_scale.resize(cols.n);
  if (q.col_bias) cols.gathered_bias.resize(cols.n);
  for (std::size_t c = 0; c < cols.n; ++c) {
    int32_t t = cols.item[c];
    cols.of_target[t] = static_cast<int32_t>(c);
    std::memcpy(cols.gathered.data() + c * f, q.target + static_cast<std::size_t>(t) * f, f * sizeof(float));
    if (q.col_scale) cols.gathered_scale[c] = q.col_scale[t];
    if (q.col_bias) cols.gathered_bias[c] = q.col_bias[t];
  }
  cols.factors = cols.gathered.data();
  cols.scale = q.col_scale ? cols.gathered_scale.data() : nullptr;
  cols.bias = q.col_bias ? cols.gathered_bias.data() : nullptr;
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
};

}  // namespace

void topk(const TopKQuery& q, int32_t* out_items, float* out_scores, CancelFlag cancel) {
  validate(q);
  const std::size_t k = q.k;
  const float pad_score = -std::numeric_limits<float>::infinity();
  Columns cols;
  build_columns(q, cols);
  const std::size_t kk = std::min(k, cols.n);
  if (kk == 0 || q.n_rows == 0) {
    std::fill(out_items, out_items + q.n_rows * k, -1);
    std::fill(out_scores, out_scores + q.n_rows * k, pad_score);
    return;
  }
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
        gemm_abt(n, width, f, 1.0f, w.q.data(), cols.factors + c0 * f, 0.0f, w.s.data());
        for (std::size_t b = 0; b < n; ++b) {
          const int32_t row = q.rows[r0 + b];
          float* s = w.s.data() + b * width;
          // Same operations, same order as the twin.
          if (cols.scale)
            for (std::size_t j = 0; j < width; ++j) s[j] *= cols.scale[c0 + j];
          if (q.row_scale) {
            const float rs = q.row_scale[row];
            for (std::size_t j = 0; j < width; ++j) s[j] *= rs;
          }
          if (cols.bias)
            for (std::size_t j = 0; j < width; ++j) s[j] += cols.bias[c0 + j];
          if (q.row_offset || q.offset != 0.0f) {
            const float add = (q.row_offset ? q.row_offset[row] : 0.0f) + q.offset;
            for (std::size_t j = 0; j < width; ++j) s[j] += add;
          }

          // Mask of this row's filtered columns inside the tile, built only
          // when something is filtered there.
          uint8_t* mask = nullptr;
          const std::size_t c1 = c0 + width;
          if (!cols.excluded.empty()) {
            mask = w.mask.data();
            std::memcpy(mask, cols.excluded.data() + c0, width);
          }
          auto drop = [&](int32_t c) {
            if (c < 0 || static_cast<std::size_t>(c) < c0 || static_cast<std::size_t>(c) >= c1) return;
            if (mask == nullptr) {
              mask = w.mask.data();
              std::memset(mask, 0, width);
            }
            mask[static_cast<std::size_t>(c) - c0] = 1;
          };
          if (q.filter.indptr) {
            const int32_t end = q.filter.indptr[row + 1];
            int32_t p = w.cursor[b];
            for (; p < end; ++p) {
              const int32_t target = q.filter.indices[p];
              if (target < 0 || static_cast<std::size_t>(target) >= q.targets)
                throw std::invalid_argument("filter index out of range");
              const int32_t c = cols.column_of(target);
              if (c < 0) continue;
              if (static_cast<std::size_t>(c) >= c1) break;
              drop(c);
            }
            w.cursor[b] = p;
          }
          if (q.exclude_self && static_cast<std::size_t>(row) < q.targets) drop(cols.column_of(row));

          w.size[b] = select_row(s, mask, width, static_cast<int32_t>(c0), w.heap.data() + b * kk, w.size[b], kk);
        }
      }
      for (std::size_t b = 0; b < n; ++b) {
        Entry* h = w.heap.data() + b * kk;
        const std::size_t m = w.size[b];
        std::sort(h, h + m, [](const Entry& x, const Entry& y) { return worse(y, x); });
        int32_t* items = out_items + (r0 + b) * k;
        float* scores = out_scores + (r0 + b) * k;
        for (std::size_t i = 0; i < m; ++i) {
          items[i] = cols.target_of(h[i].c);
          scores[i] = h[i].s;
        }
        std::fill(items + m, items + k, -1);
        std::fill(scores + m, scores + k, pad_score);
      }
    }
  });
}

}  // namespace mfrec
