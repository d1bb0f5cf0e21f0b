// Fuzzes one BPR epoch on a training matrix built from the input. As in the
// addon, the matrix first goes through csr_problem (the binding's check, with
// the true length of the index array); the kernel validates it again itself.
// Any input must end in an epoch or std::invalid_argument, never a stray access.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "kernels/bpr.h"
#include "kernels/csr.h"

using mfrec_fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  mfrec::BprParams p;
  p.factors = 1 + in.below(6);
  p.threads = 1 + static_cast<int>(in.below(2));
  p.verify_negative = in.flag();
  p.seed = static_cast<uint32_t>(in.i32());
  const bool raw_val = in.flag(), raw_idx = in.flag(), raw_ptr = in.flag();
  p.learning_rate = in.f32(raw_val);
  p.regularization = in.f32(raw_val);

  mfrec::CsrView d;
  d.rows = in.below(12);
  const std::size_t items = in.below(12);
  std::vector<int32_t> indptr = in.indptr(d.rows, raw_ptr);
  const std::size_t nnz = !raw_ptr ? static_cast<std::size_t>(indptr[d.rows]) : in.below(40);
  std::vector<int32_t> indices = in.indices(nnz, items, raw_idx);
  indices.reserve(1);
  d.indptr = indptr.data();
  d.indices = indices.data();
  if (mfrec::csr_problem(d, items, nnz) != nullptr) return 0;  // the binding throws here

  std::vector<float> uf = in.floats(d.rows * p.factors, raw_val);
  std::vector<float> vf = in.floats(items * p.factors, raw_val);
  std::vector<float> bias = in.floats(items, raw_val);
  uf.reserve(1);
  vf.reserve(1);
  bias.reserve(1);
  try {
    mfrec::bpr_epoch(p, d, items, uf.data(), vf.data(), bias.data(), 1 + in.u8(), {});
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
