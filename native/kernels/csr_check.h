// The structural check every CSR matrix from JavaScript passes before a
// kernel indexes with it. It lives here, not in the binding, so that the
// fuzz harnesses (native/fuzz/) run exactly the check the addon runs.
#pragma once

#include <cstddef>

#include "kernels/als.h"

namespace mfrec {

// Why `m` (with `nnz` entries and `cols` columns) is unsafe to index, or
// nullptr when it is safe: indptr starts at 0, never decreases and ends at
// nnz; every column index lies in [0, cols). `m.indptr` must hold rows + 1
// values and `m.indices` nnz values (the binding checks those lengths).
const char* csr_problem(const CsrView& m, std::size_t cols, std::size_t nnz);

}  // namespace mfrec
