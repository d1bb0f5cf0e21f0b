// The selection half of the top-K kernels (internal): which targets are
// ranked (candidates minus exclusions), which of them one query row drops
// (its seen filter, itself), the bounded heap that keeps the k best scores,
// and the final sort and padding. The factor kernel (topk.cc) and the
// item-to-item kernel (item_item_topk.cc) only differ in how they compute a
// row's scores; everything after is this file, so both order, filter and
// pad identically.
//
// Ordering: decreasing score, ties to the lower target index, NaN never
// kept; missing results are item -1 with score -infinity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "kernels/csr.h"

namespace mfrec {
namespace topk_select {

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

// Offers one entry, columns in any order, to a heap of capacity kk holding
// n entries; returns the new n. The kept set is the same as select_row's
// (the k best under one strict order); NaN never enters.
inline std::size_t offer(Entry* h, std::size_t n, std::size_t kk, Entry e) {
  if (e.s != e.s) return n;  // NaN
  if (n < kk) {
    h[n] = e;
    sift_up(h, n);
    return n + 1;
  }
  if (worse(h[0], e)) {
    h[0] = e;
    sift_down(h, kk, 0);
  }
  return n;
}

// Feeds the scores of columns c0 .. c0+width (s[0 .. width)) into a heap of
// capacity kk holding n entries; returns the new n. mask[j] != 0 drops
// column c0+j (null: nothing dropped). Columns arrive in increasing order,
// so a score equal to the current worst never displaces it: the earlier
// (lower) column wins ties.
std::size_t select_row(const float* s, const uint8_t* mask, std::size_t width, int32_t c0, Entry* h, std::size_t n,
                       std::size_t kk);

// Throws std::invalid_argument unless a[0 .. n) are strictly increasing
// indices below `bound`; `name` says which list it was.
void check_sorted(const int32_t* a, std::size_t n, std::size_t bound, const char* name);

// The targets being ranked, numbered as columns 0 .. n: every target (the
// excluded ones then masked), or the subset candidates minus exclusions.
struct Columns {
  std::size_t n = 0;
  bool subset = false;
  std::vector<int32_t> item;       // subset: column -> target index
  std::vector<int32_t> of_target;  // subset: target index -> column or -1
  std::vector<uint8_t> excluded;   // all targets, when some are excluded: 1 = excluded

  int32_t column_of(int32_t t) const { return subset ? of_target[t] : t; }
  int32_t target_of(int32_t c) const { return subset ? item[c] : c; }
};

// Columns for `targets` targets; candidates and exclude are optional
// (null), already checked with check_sorted.
void build_columns(std::size_t targets, const int32_t* candidates, std::size_t n_candidates, const int32_t* exclude,
                   std::size_t n_exclude, Columns& cols);

// What one query row drops: its entries of a CSR filter (optional: indptr
// null) whose columns are target indices sorted per row, and optionally one
// more target (the row itself, for similarity).
struct RowDrops {
  const CsrView* filter = nullptr;
  std::size_t targets = 0;  // bound of the filter's target indices
  int32_t row = 0;
  int32_t self_target = -1;  // -1: none
};

// The mask of the columns c0 .. c0+width that `drops` (and the exclusions)
// remove, written into scratch (width bytes), or null when none of them lies
// there. Tiles of one row must come in increasing c0 from c0 = 0:
// *cursor, set to the row's filter start before the first tile, moves past
// the filter entries consumed. Throws std::invalid_argument for a filter
// index out of range.
const uint8_t* tile_mask(const Columns& cols, const RowDrops& drops, int32_t* cursor, std::size_t c0, std::size_t width,
                         uint8_t* scratch);

// Sorts the m kept entries of heap h best first and writes them as targets
// and scores to items / scores, padding up to k with -1 / -infinity.
void emit_row(Entry* h, std::size_t m, const Columns& cols, std::size_t k, int32_t* items, float* scores);

// n rows of k padding entries (-1 / -infinity).
void pad_rows(std::size_t n, std::size_t k, int32_t* items, float* scores);

}  // namespace topk_select
}  // namespace mfrec
