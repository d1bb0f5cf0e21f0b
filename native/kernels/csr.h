// The compressed-sparse-row matrix every kernel reads (ALS's interactions by
// user and by item, BPR's by user, top-K's seen-filter), and the structural
// check each one from JavaScript passes before a kernel indexes with it. The
// check lives here, not in the bindings, so that the fuzz harnesses
// (native/fuzz/) run exactly the check the addon runs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mfrec {

// A read-only CSR view: row r's entries are [indptr[r], indptr[r+1]).
// `values` may be null where a kernel reads only the pattern (BPR, filters).
struct CsrView {
  std::size_t rows = 0;
  const int32_t* indptr = nullptr;   // rows + 1 offsets
  const int32_t* indices = nullptr;  // column index of each entry
  const float* values = nullptr;     // value of each entry, or null
};

// Why `m` (with `nnz` entries and `cols` columns) is unsafe to index, or
// nullptr when it is safe: indptr starts at 0, never decreases and ends at
// nnz; every column index lies in [0, cols). `m.indptr` must hold rows + 1
// values and `m.indices` nnz values (the binding checks those lengths).
const char* csr_problem(const CsrView& m, std::size_t cols, std::size_t nnz);

}  // namespace mfrec
