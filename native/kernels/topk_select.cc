#include "kernels/topk_select.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace mfrec {
namespace topk_select {

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

void build_columns(std::size_t targets, const int32_t* candidates, std::size_t n_candidates, const int32_t* exclude,
                   std::size_t n_exclude, Columns& cols) {
  if (candidates == nullptr) {
    cols.n = targets;
    if (exclude != nullptr && n_exclude > 0) {
      cols.excluded.assign(targets, 0);
      for (std::size_t i = 0; i < n_exclude; ++i) cols.excluded[exclude[i]] = 1;
    }
    return;
  }
  // Candidates minus exclusions, both sorted: one merge.
  cols.subset = true;
  std::size_t e = 0;
  for (std::size_t i = 0; i < n_candidates; ++i) {
    int32_t t = candidates[i];
    while (exclude != nullptr && e < n_exclude && exclude[e] < t) ++e;
    if (exclude != nullptr && e < n_exclude && exclude[e] == t) continue;
    cols.item.push_back(t);
  }
  cols.n = cols.item.size();
  cols.of_target.assign(targets, -1);
  for (std::size_t c = 0; c < cols.n; ++c) cols.of_target[cols.item[c]] = static_cast<int32_t>(c);
}

const uint8_t* tile_mask(const Columns& cols, const RowDrops& drops, int32_t* cursor, std::size_t c0, std::size_t width,
                         uint8_t* scratch) {
  // Built only when something is dropped inside the tile.
  uint8_t* mask = nullptr;
  const std::size_t c1 = c0 + width;
  if (!cols.excluded.empty()) {
    mask = scratch;
    std::memcpy(mask, cols.excluded.data() + c0, width);
  }
  auto drop = [&](int32_t c) {
    if (c < 0 || static_cast<std::size_t>(c) < c0 || static_cast<std::size_t>(c) >= c1) return;
    if (mask == nullptr) {
      mask = scratch;
      std::memset(mask, 0, width);
    }
    mask[static_cast<std::size_t>(c) - c0] = 1;
  };
  const CsrView* filter = drops.filter;
  if (filter != nullptr && filter->indptr != nullptr) {
    const int32_t end = filter->indptr[drops.row + 1];
    int32_t p = *cursor;
    for (; p < end; ++p) {
      const int32_t target = filter->indices[p];
      if (target < 0 || static_cast<std::size_t>(target) >= drops.targets)
        throw std::invalid_argument("filter index out of range");
      const int32_t c = cols.column_of(target);
      if (c < 0) continue;
      if (static_cast<std::size_t>(c) >= c1) break;
      drop(c);
    }
    *cursor = p;
  }
  if (drops.self_target >= 0) drop(cols.column_of(drops.self_target));
  return mask;
}

void emit_row(Entry* h, std::size_t m, const Columns& cols, std::size_t k, int32_t* items, float* scores) {
  std::sort(h, h + m, [](const Entry& x, const Entry& y) { return worse(y, x); });
  for (std::size_t i = 0; i < m; ++i) {
    items[i] = cols.target_of(h[i].c);
    scores[i] = h[i].s;
  }
  std::fill(items + m, items + k, -1);
  std::fill(scores + m, scores + k, -std::numeric_limits<float>::infinity());
}

void pad_rows(std::size_t n, std::size_t k, int32_t* items, float* scores) {
  std::fill(items, items + n * k, -1);
  std::fill(scores, scores + n * k, -std::numeric_limits<float>::infinity());
}

}  // namespace topk_select
}  // namespace mfrec
