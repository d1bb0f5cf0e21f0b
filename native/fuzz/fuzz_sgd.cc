// Fuzzes the explicit-rating SGD kernels: sgd_layout on raw (user, item)
// pairs, sgd_epoch on either that layout or a raw grid (block offsets and
// indices straight from the input), sgd_predict on raw index pairs,
// sgd_group_rows on the grid, sgd_layout_rows on raw user row offsets and
// sgd_initial_factors on a raw row order. Every path must end in a result or
// std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "kernels/sgd.h"

using mfrec_fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const int32_t n_users = static_cast<int32_t>(in.below(10));
  const int32_t n_items = static_cast<int32_t>(in.below(10));
  const int32_t blocks = 1 + static_cast<int32_t>(in.below(4));
  const int32_t factors = 1 + static_cast<int32_t>(in.below(20));  // crosses the unrolled sizes
  const bool raw_idx = in.flag(), raw_val = in.flag(), raw_grid = in.flag();
  const std::size_t nnz = in.below(40);

  std::vector<int32_t> users = in.indices(nnz, static_cast<std::size_t>(n_users), raw_idx);
  std::vector<int32_t> items = in.indices(nnz, static_cast<std::size_t>(n_items), raw_idx);
  std::vector<float> ratings = in.floats(nnz, raw_val);
  const std::size_t nb = static_cast<std::size_t>(blocks) * static_cast<std::size_t>(blocks);
  std::vector<int32_t> gu(nnz + 1), gi(nnz + 1), ptr(nb + 1);
  std::vector<float> gr(nnz + 1);

  mfrec::SgdGrid grid;
  grid.blocks = blocks;
  grid.nnz = nnz;
  if (raw_grid) {
    gu = in.indices(nnz, static_cast<std::size_t>(n_users), raw_idx);
    gi = in.indices(nnz, static_cast<std::size_t>(n_items), raw_idx);
    gr = ratings;
    ptr = in.indptr(nb, in.flag());
    gu.reserve(1);
    gi.reserve(1);
    gr.reserve(1);
  } else {
    try {
      mfrec::sgd_layout(nnz, users.data(), items.data(), ratings.data(), n_users, n_items, blocks,
                        static_cast<uint32_t>(in.i32()), gu.data(), gi.data(), gr.data(), ptr.data());
    } catch (const std::invalid_argument&) {
      return 0;
    }
  }
  grid.users = gu.data();
  grid.items = gi.data();
  grid.ratings = gr.data();
  grid.block_ptr = ptr.data();

  std::vector<float> uf = in.floats(static_cast<std::size_t>(n_users) * factors + 1, raw_val);
  std::vector<float> itf = in.floats(static_cast<std::size_t>(n_items) * factors + 1, raw_val);
  std::vector<float> ub = in.floats(static_cast<std::size_t>(n_users) + 1, raw_val);
  std::vector<float> ib = in.floats(static_cast<std::size_t>(n_items) + 1, raw_val);
  mfrec::SgdModel model;
  model.factors = factors;
  model.n_users = n_users;
  model.n_items = n_items;
  model.global_bias = in.f32(raw_val);
  model.user_factors = uf.data();
  model.item_factors = itf.data();
  model.user_bias = ub.data();
  model.item_bias = ib.data();
  mfrec::SgdStep step;
  step.learning_rate = in.f32(raw_val);
  step.regularization = in.f32(raw_val);
  step.bias_regularization = in.f32(raw_val);
  // Parallel epochs rely on the layout's partition (a user in one row block, an
  // item in one column block: blocks run together share no row). A raw grid
  // need not keep it, so it runs on one thread; its indices are still checked.
  const int wanted_threads = 1 + static_cast<int>(in.below(2));
  step.threads = raw_grid ? 1 : wanted_threads;
  step.seed = static_cast<uint32_t>(in.i32());
  step.epoch = in.u8();
  try {
    volatile double sse = mfrec::sgd_epoch(grid, model, step, {});
    (void)sse;
  } catch (const std::invalid_argument&) {
  }

  const std::size_t n = in.below(16);
  std::vector<int32_t> pu(n + 1), pi(n + 1);
  for (std::size_t e = 0; e < n; ++e) {
    pu[e] = raw_idx ? in.i32() : static_cast<int32_t>(in.below(static_cast<std::size_t>(n_users) + 2)) - 1;
    pi[e] = raw_idx ? in.i32() : static_cast<int32_t>(in.below(static_cast<std::size_t>(n_items) + 2)) - 1;
  }
  std::vector<float> out(n + 1);
  try {
    mfrec::sgd_predict(model, n, pu.data(), pi.data(), 1.0f, 5.0f, step.threads, out.data());
  } catch (const std::invalid_argument&) {
  }

  std::vector<int32_t> uo(static_cast<std::size_t>(n_users) + 1), ur(uo.size());
  std::vector<int32_t> io(static_cast<std::size_t>(n_items) + 1), ir(io.size());
  try {
    mfrec::sgd_group_rows(grid, n_users, n_items, {uo.data(), ur.data(), io.data(), ir.data()}, wanted_threads);
  } catch (const std::invalid_argument&) {
  }

  const std::vector<int32_t> user_ptr = in.indptr(static_cast<std::size_t>(n_users), in.flag());
  std::vector<int32_t> ru(nnz + 1), ri(nnz + 1), rptr(nb + 1);
  std::vector<float> rr(nnz + 1);
  try {
    mfrec::sgd_layout_rows(user_ptr.data(), n_users, items.data(), ratings.data(), n_items, blocks,
                           static_cast<uint32_t>(in.i32()), ru.data(), ri.data(), rr.data(), rptr.data(), nnz,
                           wanted_threads);
  } catch (const std::invalid_argument&) {
  }

  const std::vector<int32_t> order =
      in.indices(static_cast<std::size_t>(n_items), static_cast<std::size_t>(n_items), raw_idx);
  std::vector<float> init(static_cast<std::size_t>(n_items) * factors + 1);
  try {
    mfrec::sgd_initial_factors(init.data(), static_cast<std::size_t>(n_items), factors, static_cast<uint32_t>(in.i32()),
                               static_cast<uint64_t>(in.below(100)), 0.1f, in.flag() ? order.data() : nullptr,
                               wanted_threads);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
