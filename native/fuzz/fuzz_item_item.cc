// Fuzzes the item-to-item training kernels the addon exposes (easeFit,
// itemNeighbours): CSR matrices built from the input go through csr_problem
// and the binding's shape checks; only what those accept reaches the
// kernels, with raw or small parameters. Under ASan this must never read or
// write out of bounds; a refused input is a std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "kernels/blas.h"
#include "kernels/csr.h"
#include "kernels/ease.h"
#include "kernels/neighbours.h"

using mfrec_fuzz::FuzzInput;

namespace {

struct Csr {
  std::size_t rows = 0, cols = 0, nnz = 0;
  std::vector<int32_t> indptr, indices;
  std::vector<float> values;
  mfrec::CsrView view() const { return {rows, indptr.data(), indices.data(), values.data()}; }
  bool valid() const { return mfrec::csr_problem(view(), cols, nnz) == nullptr; }
};

// A rows x cols CSR (sizes from the input unless given), possibly invalid.
Csr ReadCsr(FuzzInput& in, std::size_t rows, std::size_t cols) {
  Csr m;
  m.rows = rows;
  m.cols = cols;
  const bool raw_ptr = in.flag(), raw_idx = in.flag(), raw_val = in.flag(), consistent = in.flag();
  m.indptr = in.indptr(m.rows, raw_ptr);
  m.nnz = consistent && m.indptr[m.rows] >= 0 && m.indptr[m.rows] < 256 ? static_cast<std::size_t>(m.indptr[m.rows])
                                                                        : in.below(48);
  m.indices = in.indices(m.nnz, m.cols, raw_idx);
  m.values = in.floats(m.nnz, raw_val);
  // Empty arrays reach the kernels as null pointers, as from JavaScript.
  if (m.nnz == 0) {
    m.indices = {};
    m.values = {};
    m.indices.shrink_to_fit();
    m.values.shrink_to_fit();
  }
  return m;
}

void FuzzEase(FuzzInput& in) {
  const std::size_t users = in.below(17), items = in.below(17);
  const Csr m = ReadCsr(in, users, items);
  if (!m.valid()) return;  // the binding throws here
  const float lambda = in.f32(in.flag());
  std::vector<float> out(items * items);
  try {
    mfrec::ease_fit({m.view(), items, lambda, 1 + static_cast<int>(in.below(2))}, out.data());
  } catch (const std::invalid_argument&) {
  }
}

void FuzzNeighbours(FuzzInput& in) {
  const std::size_t items = in.below(17), users = in.below(17);
  const Csr by_item = ReadCsr(in, items, users);
  const Csr by_user = ReadCsr(in, users, items);
  if (!by_item.valid() || !by_user.valid()) return;
  const bool raw = in.flag();
  std::vector<float> col_scale = in.floats(items, raw);
  const bool scaled = in.flag();
  const float shrink = in.f32(raw);
  const std::size_t k = 1 + in.below(5);
  std::vector<int32_t> idx(items * k);
  std::vector<float> scores(items * k);
  mfrec::NeighboursProblem p{by_item.view(),
                             by_user.view(),
                             items,
                             users,
                             scaled ? col_scale.data() : nullptr,
                             shrink,
                             k,
                             1 + static_cast<int>(in.below(2))};
  try {
    mfrec::item_neighbours(p, idx.data(), scores.data());
  } catch (const std::invalid_argument&) {
    return;
  }
  for (int32_t i : idx)
    if (i < -1 || i >= static_cast<int32_t>(items)) __builtin_trap();  // results are real items or -1
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  mfrec::blas_init();
  FuzzInput in(data, size);
  if (in.flag())
    FuzzEase(in);
  else
    FuzzNeighbours(in);
  return 0;
}
