// Builds the by-user CSR matrix of Interactions.fromIndices from entries in
// any order (lib/data/interactions.ts; its twin is lib/twins/csr-build.ts):
// rows sorted by column, duplicates of a (row, column) pair combined. The
// result does not depend on the thread count.
//
// Order among duplicates is the entries' input order ('last' with times:
// their time order, ties broken by input order), as two stable counting sorts
// would leave them. Cost: one pass to count the entries of each row, one to
// scatter their positions, then each row sorted by column on its own (rows
// are short: n log(row length)), all in parallel over `threads` threads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mfrec {

enum class CsrAggregate { kSum, kMean, kLast };

struct CooEntries {
  std::size_t n = 0;
  const int32_t* rows = nullptr;  // row of each entry, in [0, n_rows)
  const int32_t* cols = nullptr;  // column of each entry, in [0, n_cols)
  const float* values = nullptr;  // value of each entry
  const double* times = nullptr;  // time of each entry, or null
  int32_t n_rows = 0;
};

// Outputs sized for n entries (indptr: n_rows + 1); times only when the
// input has them. Duplicates combine in double precision, rounded once:
// 'sum' adds, 'mean' averages, 'last' keeps the last; the time kept is the
// latest ('last': the last entry's).
struct CsrOut {
  int32_t* indptr = nullptr;
  int32_t* indices = nullptr;
  float* values = nullptr;
  double* times = nullptr;
};

// Fills `out` and returns the number of entries after combining duplicates
// (the first that many of each output array are used). Indices must be in
// range (the caller checks them).
std::size_t build_csr(const CooEntries& in, CsrAggregate aggregate, const CsrOut& out, int threads);

}  // namespace mfrec
