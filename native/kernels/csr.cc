#include "kernels/csr.h"

namespace mfrec {

const char* csr_problem(const CsrView& m, std::size_t cols, std::size_t nnz) {
  const int32_t* p = m.indptr;
  if (p[0] != 0 || p[m.rows] < 0 || static_cast<std::size_t>(p[m.rows]) != nnz) return "Inconsistent indptr";
  for (std::size_t r = 0; r < m.rows; ++r)
    if (p[r + 1] < p[r]) return "Decreasing indptr";
  for (std::size_t e = 0; e < nnz; ++e)
    if (m.indices[e] < 0 || static_cast<std::size_t>(m.indices[e]) >= cols) return "Column index out of range";
  return nullptr;
}

}  // namespace mfrec
