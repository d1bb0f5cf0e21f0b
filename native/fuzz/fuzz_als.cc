// Fuzzes the ALS path the addon exposes: a CSR matrix built from the input
// goes through csr_problem (the binding's check); only a matrix it accepts
// reaches the kernels (half-sweep, solve-rows, a full iteration, the loss).
// Under ASan this must never read or write out of bounds.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "kernels/als.h"
#include "kernels/blas.h"
#include "kernels/csr.h"

using mfrec_fuzz::FuzzInput;

namespace {

struct Csr {
  std::size_t rows = 0, cols = 0, nnz = 0;
  std::vector<int32_t> indptr, indices;
  std::vector<float> values;
  mfrec::CsrView view() const { return {rows, indptr.data(), indices.data(), values.data()}; }
};

Csr ReadCsr(FuzzInput& in) {
  Csr m;
  m.rows = in.below(17);
  m.cols = in.below(17);
  const bool raw_ptr = in.flag(), raw_idx = in.flag(), raw_val = in.flag(), consistent = in.flag();
  m.indptr = in.indptr(m.rows, raw_ptr);
  m.nnz = consistent && m.indptr[m.rows] >= 0 && m.indptr[m.rows] < 256 ? static_cast<std::size_t>(m.indptr[m.rows])
                                                                        : in.below(48);
  m.indices = in.indices(m.nnz, m.cols, raw_idx);
  m.values = in.floats(m.nnz, raw_val);
  // The binding's length checks: indptr has rows + 1 values, values and
  // indices nnz each. The data() of an empty vector may be null; the binding
  // never passes null (JS arrays always have storage), so keep one slot.
  if (m.indices.empty()) m.indices.reserve(1);
  if (m.values.empty()) m.values.reserve(1);
  return m;
}

// The transpose of a valid matrix (what Interactions.byItem holds).
Csr Transpose(const Csr& m) {
  Csr t;
  t.rows = m.cols;
  t.cols = m.rows;
  t.nnz = m.nnz;
  t.indptr.assign(t.rows + 1, 0);
  for (std::size_t e = 0; e < m.nnz; ++e) ++t.indptr[static_cast<std::size_t>(m.indices[e]) + 1];
  for (std::size_t r = 0; r < t.rows; ++r) t.indptr[r + 1] += t.indptr[r];
  std::vector<int32_t> next(t.indptr.begin(), t.indptr.end() - 1);
  t.indices.resize(m.nnz);
  t.values.resize(m.nnz);
  t.indices.reserve(1);
  t.values.reserve(1);
  for (std::size_t r = 0; r < m.rows; ++r) {
    for (int32_t e = m.indptr[r]; e < m.indptr[r + 1]; ++e) {
      const auto c = static_cast<std::size_t>(m.indices[static_cast<std::size_t>(e)]);
      const auto dst = static_cast<std::size_t>(next[c]++);
      t.indices[dst] = static_cast<int32_t>(r);
      t.values[dst] = m.values[static_cast<std::size_t>(e)];
    }
  }
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  mfrec::blas_init();
  FuzzInput in(data, size);
  mfrec::AlsOptions o;
  o.factors = 1 + in.below(6);
  o.solver = in.flag() ? mfrec::AlsSolver::Cholesky : mfrec::AlsSolver::ConjugateGradient;
  o.confidence = in.flag() ? mfrec::AlsConfidence::Log : mfrec::AlsConfidence::Linear;
  o.cg_steps = 1 + static_cast<int>(in.below(4));
  o.scale_regularization = in.flag();
  o.threads = 1 + static_cast<int>(in.below(2));
  const bool raw_params = in.flag();
  o.regularization = in.f32(raw_params);
  o.alpha = in.f32(raw_params);
  o.epsilon = in.f32(raw_params);

  Csr m = ReadCsr(in);
  if (mfrec::csr_problem(m.view(), m.cols, m.nnz) != nullptr) return 0;  // the binding throws here

  const bool raw_factors = in.flag();
  std::vector<float> x = in.floats(m.rows * o.factors, raw_factors);
  std::vector<float> y = in.floats(m.cols * o.factors, raw_factors);
  x.reserve(1);
  y.reserve(1);
  Csr t = Transpose(m);
  try {
    mfrec::als_half_sweep(m.view(), y.data(), m.cols, x.data(), o, {});
    std::vector<float> g(o.factors * o.factors);
    mfrec::gram(m.cols, o.factors, y.data(), g.data());
    mfrec::als_solve_rows(m.view(), y.data(), m.cols, g.data(), x.data(), o, {});
    mfrec::als_iteration(m.view(), t.view(), x.data(), y.data(), o, {});
    volatile double loss = mfrec::als_loss(m.view(), t.view(), x.data(), y.data(), o, {});
    (void)loss;
  } catch (const std::exception&) {
    // A system that is not positive definite is a clean failure, not a crash.
  }
  return 0;
}
