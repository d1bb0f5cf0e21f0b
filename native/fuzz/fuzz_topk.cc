// Fuzzes the top-K kernel as the addon calls it: the binding checks array
// types and lengths (reproduced here by allocating exactly those lengths),
// the kernel checks every index (rows, the seen-filter CSR, candidates,
// exclusions). Any input must end in results or std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "kernels/blas.h"
#include "kernels/topk.h"

using mfrec_fuzz::FuzzInput;

namespace {

// Sorted, strictly increasing indices below `bound` when not raw.
std::vector<int32_t> SortedList(FuzzInput& in, std::size_t bound, bool raw) {
  const std::size_t n = in.below(10);
  if (raw) return in.indices(n, bound, true);
  std::vector<int32_t> v;
  int32_t next = 0;
  for (std::size_t i = 0; i < n; ++i) {
    next += static_cast<int32_t>(in.below(3));
    v.push_back(next++);
  }
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  mfrec::blas_init();
  FuzzInput in(data, size);
  mfrec::TopKQuery q;
  q.factors = 1 + in.below(6);
  q.query_rows = in.below(12);
  q.targets = in.below(40);
  q.k = 1 + in.below(8);
  q.threads = 1 + static_cast<int>(in.below(2));
  q.exclude_self = in.flag();
  const bool raw_idx = in.flag(), raw_val = in.flag();
  q.offset = in.f32(raw_val);

  std::vector<float> query = in.floats(q.query_rows * q.factors, raw_val);
  std::vector<float> target = in.floats(q.targets * q.factors, raw_val);
  std::vector<int32_t> rows = in.indices(in.below(16), q.query_rows, raw_idx);
  query.reserve(1);
  target.reserve(1);
  rows.reserve(1);
  q.query = query.data();
  q.target = target.data();
  q.rows = rows.data();
  q.n_rows = rows.size();

  std::vector<float> row_scale, row_offset, col_scale, col_bias;
  if (in.flag()) q.row_scale = (row_scale = in.floats(q.query_rows, raw_val), row_scale.reserve(1), row_scale.data());
  if (in.flag())
    q.row_offset = (row_offset = in.floats(q.query_rows, raw_val), row_offset.reserve(1), row_offset.data());
  if (in.flag()) q.col_scale = (col_scale = in.floats(q.targets, raw_val), col_scale.reserve(1), col_scale.data());
  if (in.flag()) q.col_bias = (col_bias = in.floats(q.targets, raw_val), col_bias.reserve(1), col_bias.data());

  std::vector<int32_t> filter_indptr, filter_indices;
  if (in.flag()) {
    filter_indptr = in.indptr(q.query_rows, in.flag());
    filter_indices = in.indices(in.below(48), q.targets, raw_idx);
    filter_indices.reserve(1);
    q.filter.indptr = filter_indptr.data();
    q.filter.rows = q.query_rows;
    q.filter.indices = filter_indices.data();
    q.filter_nnz = filter_indices.size();
  }
  std::vector<int32_t> exclude, candidates;
  if (in.flag()) {
    exclude = SortedList(in, q.targets, in.flag());
    exclude.reserve(1);
    q.exclude = exclude.data();
    q.n_exclude = exclude.size();
  }
  if (in.flag()) {
    candidates = SortedList(in, q.targets, in.flag());
    candidates.reserve(1);
    q.candidates = candidates.data();
    q.n_candidates = candidates.size();
  }

  std::vector<int32_t> items(q.n_rows * q.k + 1);
  std::vector<float> scores(q.n_rows * q.k + 1);
  try {
    mfrec::topk(q, items.data(), scores.data());
  } catch (const std::invalid_argument&) {
    return 0;
  }
  // Every returned item is a real target or the -1 padding.
  for (std::size_t i = 0; i < q.n_rows * q.k; ++i) {
    if (items[i] < -1 || items[i] >= static_cast<int32_t>(q.targets)) __builtin_trap();
  }
  return 0;
}
