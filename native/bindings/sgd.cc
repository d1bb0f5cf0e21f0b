// Bindings for the explicit-rating SGD kernel (kernels/sgd.h). Each takes
// one arguments object (bindings/common.h); the grid, model and step objects
// are the twin's shapes (lib/twins/sgd.ts).
#include "kernels/sgd.h"

#include <cstdint>
#include <memory>
#include <string>

#include "bindings/common.h"
#include "bindings/modules.h"

namespace mfrec {

namespace {

constexpr int64_t kMaxIndex = 0x7fffffff;
constexpr int64_t kMaxUint32 = 0xffffffffLL;

// `grid`: { blocks, users, items, ratings, blockPtr }
SgdGrid ReadGrid(const Args& args) {
  const Args g = args.Object("grid");
  SgdGrid grid;
  grid.blocks = static_cast<int32_t>(g.IntIn("blocks", 1, 4096));
  grid.nnz = g.Length("users");
  grid.users = g.I32("users");
  grid.items = g.I32("items", grid.nnz);
  grid.ratings = g.F32("ratings", grid.nnz);
  grid.block_ptr = g.I32("blockPtr", static_cast<std::size_t>(grid.blocks) * grid.blocks + 1);
  return grid;
}

// `model`: { factors, globalBias, userFactors, itemFactors, userBias,
// itemBias, and optional per-row multipliers userRegularization,
// itemRegularization, userBiasRegularization, itemBiasRegularization }
SgdModel ReadModel(const Args& args) {
  const Args o = args.Object("model");
  SgdModel m;
  const int64_t k = o.IntIn("factors", 1, kMaxFactors);
  m.factors = static_cast<int32_t>(k);
  m.global_bias = static_cast<float>(o.Num("globalBias"));
  const std::size_t n_users = o.Length("userBias"), n_items = o.Length("itemBias");
  if (n_users > kMaxIndex || n_items > kMaxIndex) ThrowInvalid(o.Env(), "Too many rows in model");
  m.n_users = static_cast<int32_t>(n_users);
  m.n_items = static_cast<int32_t>(n_items);
  m.user_bias = o.F32("userBias");
  m.item_bias = o.F32("itemBias");
  m.user_factors = o.F32("userFactors", n_users * static_cast<std::size_t>(k));
  m.item_factors = o.F32("itemFactors", n_items * static_cast<std::size_t>(k));
  if (o.Has("userRegularization")) m.user_reg = o.F32("userRegularization", n_users);
  if (o.Has("itemRegularization")) m.item_reg = o.F32("itemRegularization", n_items);
  if (o.Has("userBiasRegularization")) m.user_bias_reg = o.F32("userBiasRegularization", n_users);
  if (o.Has("itemBiasRegularization")) m.item_bias_reg = o.F32("itemBiasRegularization", n_items);
  return m;
}

// sgdLayout({ users | userPtr, items, ratings, nUsers, nItems, seed, threads?, grid }) -> Promise<void>
// Fills the grid's arrays (allocated by the caller with the input's length)
// from each entry's user, or from user rows (userPtr: nUsers + 1 offsets into
// items and ratings); the grid does not depend on `threads` (default 1, 0: all).
Napi::Value Layout(const Napi::CallbackInfo& info) {
  const Args args(info);
  struct Call {
    std::size_t nnz;
    const int32_t* users;
    const int32_t* user_ptr;
    const int32_t* items;
    const float* ratings;
    int32_t n_users, n_items;
    uint32_t seed;
    int threads;
    SgdGrid grid;
  } c;
  c.n_users = static_cast<int32_t>(args.IntIn("nUsers", 0, kMaxIndex));
  c.n_items = static_cast<int32_t>(args.IntIn("nItems", 0, kMaxIndex));
  const bool by_rows = args.Has("userPtr");
  c.nnz = args.Length("items");
  c.users = by_rows ? nullptr : args.I32("users", c.nnz);
  c.user_ptr = by_rows ? args.I32("userPtr", static_cast<std::size_t>(c.n_users) + 1) : nullptr;
  c.items = args.I32("items", c.nnz);
  c.ratings = args.F32("ratings", c.nnz);
  c.seed = static_cast<uint32_t>(args.IntIn("seed", 0, kMaxUint32));
  c.threads = args.Has("threads") ? static_cast<int>(args.IntIn("threads", 0, 4096)) : 1;
  c.grid = ReadGrid(args);
  if (c.grid.nnz != c.nnz) ThrowInvalid(args.Env(), "Expected grid arrays of the input's length");
  return PromiseWorker::Start(args, [c] {
    int32_t* out_users = const_cast<int32_t*>(c.grid.users);
    int32_t* out_items = const_cast<int32_t*>(c.grid.items);
    float* out_ratings = const_cast<float*>(c.grid.ratings);
    int32_t* block_ptr = const_cast<int32_t*>(c.grid.block_ptr);
    if (c.user_ptr != nullptr) {
      sgd_layout_rows(c.user_ptr, c.n_users, c.items, c.ratings, c.n_items, c.grid.blocks, c.seed, out_users, out_items,
                      out_ratings, block_ptr, c.nnz, c.threads);
    } else {
      sgd_layout(c.nnz, c.users, c.items, c.ratings, c.n_users, c.n_items, c.grid.blocks, c.seed, out_users, out_items,
                 out_ratings, block_ptr, c.threads);
    }
  });
}

// sgdGroupRows({ grid, nUsers, nItems, userOrder, userRank, itemOrder,
// itemRank, threads }) -> undefined: synchronous, parallel; fills the four
// arrays and renumbers the grid in place (kernels/sgd.h: sgd_group_rows).
Napi::Value GroupRows(const Napi::CallbackInfo& info) {
  const Args args(info);
  const SgdGrid grid = ReadGrid(args);
  const std::size_t n_users = static_cast<std::size_t>(args.IntIn("nUsers", 0, kMaxIndex));
  const std::size_t n_items = static_cast<std::size_t>(args.IntIn("nItems", 0, kMaxIndex));
  SgdRowGroups out;
  out.user_order = args.I32("userOrder", n_users);
  out.user_rank = args.I32("userRank", n_users);
  out.item_order = args.I32("itemOrder", n_items);
  out.item_rank = args.I32("itemRank", n_items);
  const int threads = static_cast<int>(args.IntIn("threads", 0, 4096));
  RunSync(args.Env(),
          [&] { sgd_group_rows(grid, static_cast<int32_t>(n_users), static_cast<int32_t>(n_items), out, threads); });
  return args.Env().Undefined();
}

// sgdInitialFactors({ out, factors, seed, firstRow, sd, order?, threads }) -> out:
// synchronous, parallel (kernels/sgd.h: sgd_initial_factors).
Napi::Value InitialFactors(const Napi::CallbackInfo& info) {
  const Args args(info);
  const int32_t k = static_cast<int32_t>(args.IntIn("factors", 1, kMaxFactors));
  const std::size_t length = args.Length("out");
  if (length % static_cast<std::size_t>(k) != 0)
    ThrowInvalid(args.Env(), "Expected out of a whole number of rows of factors");
  const std::size_t rows = length / static_cast<std::size_t>(k);
  float* out = args.F32("out", length);
  const uint32_t seed = static_cast<uint32_t>(args.IntIn("seed", 0, kMaxUint32));
  const uint64_t first_row = static_cast<uint64_t>(args.IntIn("firstRow", 0, kMaxIndex));
  const float sd = static_cast<float>(args.Num("sd"));
  const int32_t* order = args.Has("order") ? args.I32("order", rows) : nullptr;
  const int threads = static_cast<int>(args.IntIn("threads", 0, 4096));
  RunSync(args.Env(), [&] { sgd_initial_factors(out, rows, k, seed, first_row, sd, order, threads); });
  return info[0].As<Napi::Object>().Get("out");
}

// sgdEpoch({ grid, model, step: { learningRate, regularization,
// biasRegularization, threads, seed, epoch }, cancel? })
//   -> Promise<number>: the sum of squared errors seen during the epoch.
Napi::Value Epoch(const Napi::CallbackInfo& info) {
  const Args args(info);
  struct Call {
    SgdGrid grid;
    SgdModel model;
    SgdStep step;
    CancelFlag cancel;
  } c;
  c.grid = ReadGrid(args);
  c.model = ReadModel(args);
  const Args s = args.Object("step");
  c.step.learning_rate = static_cast<float>(s.Num("learningRate"));
  c.step.regularization = static_cast<float>(s.Num("regularization"));
  c.step.bias_regularization = static_cast<float>(s.Num("biasRegularization"));
  c.step.threads = static_cast<int>(s.Int("threads"));
  c.step.seed = static_cast<uint32_t>(s.IntIn("seed", 0, kMaxUint32));
  c.step.epoch = static_cast<uint32_t>(s.IntIn("epoch", 0, kMaxUint32));
  c.cancel = args.Cancel();
  auto sse = std::make_shared<double>(0.0);
  return PromiseWorker::Start(
      args, [c, sse] { *sse = sgd_epoch(c.grid, c.model, c.step, c.cancel); },
      [sse](Napi::Env env) { return Napi::Number::New(env, *sse); });
}

// sgdPredict({ model, users, items, out, min, max, threads }) -> out:
// synchronous, parallel; -1 marks an unknown user or item.
Napi::Value Predict(const Napi::CallbackInfo& info) {
  const Args args(info);
  const SgdModel model = ReadModel(args);
  const std::size_t n = args.Length("users");
  const int32_t* users = args.I32("users");
  const int32_t* items = args.I32("items", n);
  float* out = args.F32("out", n);
  const float lo = static_cast<float>(args.Num("min"));
  const float hi = static_cast<float>(args.Num("max"));
  const int threads = static_cast<int>(args.Int("threads"));
  RunSync(args.Env(), [&] { sgd_predict(model, n, users, items, lo, hi, threads, out); });
  return info[0].As<Napi::Object>().Get("out");
}

// sgdLineOffset({ array }) -> number: how many bytes past a 64-byte cache
// line the Float32Array's first element lies. An array placed on a line
// (lib/models/explicit/aligned-factors.ts) lets the epoch train its rows in
// place instead of on a line-aligned copy (kernels/sgd.cc: LineAlignedRows).
// Backing stores of array buffers never move, so the answer stays true.
Napi::Value LineOffset(const Napi::CallbackInfo& info) {
  const Args args(info);
  const float* data = args.F32("array");
  return Napi::Number::New(args.Env(), static_cast<double>(reinterpret_cast<std::uintptr_t>(data) % 64));
}

}  // namespace

void RegisterSgd(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdLayout", Napi::Function::New(env, Layout, "sgdLayout"));
  exports.Set("sgdGroupRows", Napi::Function::New(env, GroupRows, "sgdGroupRows"));
  exports.Set("sgdInitialFactors", Napi::Function::New(env, InitialFactors, "sgdInitialFactors"));
  exports.Set("sgdEpoch", Napi::Function::New(env, Epoch, "sgdEpoch"));
  exports.Set("sgdPredict", Napi::Function::New(env, Predict, "sgdPredict"));
  exports.Set("sgdLineOffset", Napi::Function::New(env, LineOffset, "sgdLineOffset"));
}

}  // namespace mfrec
