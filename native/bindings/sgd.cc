// Glue for the explicit-rating SGD kernel (kernels/sgd.h): typed-array checks
// and conversion of the already-validated option objects built by
// lib/models/explicit-mf.ts.
#include <memory>
#include <stdexcept>
#include <vector>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "kernels/sgd.h"

namespace mfrec {

namespace {

struct GridArg {
  SgdGrid grid;
  std::vector<Napi::Value> arrays;
};

// { blocks, users, items, ratings, blockPtr }
GridArg ToGrid(const Napi::Value& v) {
  Napi::Env env = v.Env();
  if (!v.IsObject()) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected a grid object");
  Napi::Object o = v.As<Napi::Object>();
  GridArg g;
  const int64_t blocks = Int(o, "blocks");
  if (blocks < 1 || blocks > 4096) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected blocks in [1, 4096]");
  g.grid.blocks = static_cast<int32_t>(blocks);
  Napi::Value users = o.Get("users"), items = o.Get("items"), ratings = o.Get("ratings"),
              ptr = o.Get("blockPtr");
  g.grid.nnz = Length(users);
  g.grid.users = I32(users, "grid.users");
  g.grid.items = I32(items, "grid.items", g.grid.nnz);
  g.grid.ratings = F32(ratings, "grid.ratings", g.grid.nnz);
  g.grid.block_ptr = I32(ptr, "grid.blockPtr", static_cast<std::size_t>(blocks * blocks + 1));
  g.arrays = {users, items, ratings, ptr};
  return g;
}

struct ModelArg {
  SgdModel model;
  std::vector<Napi::Value> arrays;
};

// { factors, globalBias, userFactors, itemFactors, userBias, itemBias }
ModelArg ToModel(const Napi::Value& v) {
  Napi::Env env = v.Env();
  if (!v.IsObject()) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected a model object");
  Napi::Object o = v.As<Napi::Object>();
  ModelArg m;
  const int64_t k = Int(o, "factors");
  if (k < 1 || k > (1 << 24)) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected factors in [1, 2^24]");
  m.model.factors = static_cast<int32_t>(k);
  m.model.global_bias = static_cast<float>(Num(o, "globalBias"));
  Napi::Value uf = o.Get("userFactors"), itf = o.Get("itemFactors"), ub = o.Get("userBias"),
              ib = o.Get("itemBias");
  const std::size_t n_users = Length(ub), n_items = Length(ib);
  if (n_users > 0x7fffffff || n_items > 0x7fffffff) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Too many rows");
  m.model.n_users = static_cast<int32_t>(n_users);
  m.model.n_items = static_cast<int32_t>(n_items);
  m.model.user_bias = F32(ub, "model.userBias");
  m.model.item_bias = F32(ib, "model.itemBias");
  m.model.user_factors = F32(uf, "model.userFactors", n_users * static_cast<std::size_t>(k));
  m.model.item_factors = F32(itf, "model.itemFactors", n_items * static_cast<std::size_t>(k));
  m.arrays = {uf, itf, ub, ib};
  // Optional per-row regularization multipliers.
  Napi::Value ur = o.Get("userRegularization"), ir = o.Get("itemRegularization");
  if (!ur.IsUndefined()) {
    m.model.user_reg = F32(ur, "model.userRegularization", n_users);
    m.arrays.push_back(ur);
  }
  if (!ir.IsUndefined()) {
    m.model.item_reg = F32(ir, "model.itemRegularization", n_items);
    m.arrays.push_back(ir);
  }
  Napi::Value ubr = o.Get("userBiasRegularization"), ibr = o.Get("itemBiasRegularization");
  if (!ubr.IsUndefined()) {
    m.model.user_bias_reg = F32(ubr, "model.userBiasRegularization", n_users);
    m.arrays.push_back(ubr);
  }
  if (!ibr.IsUndefined()) {
    m.model.item_bias_reg = F32(ibr, "model.itemBiasRegularization", n_items);
    m.arrays.push_back(ibr);
  }
  return m;
}

uint32_t Seed(const Napi::Object& o, const char* key) {
  const int64_t s = Int(o, key);
  if (s < 0 || s > 0xffffffffLL) Throw(o.Env(), "ERR_MFREC_INVALID_ARGUMENT", std::string("Expected uint32 for ") + key);
  return static_cast<uint32_t>(s);
}

// sgdLayout(users, items, ratings, { nUsers, nItems, seed }, grid) -> Promise<void>
// Fills the grid's arrays (allocated by the caller with the input's length).
Napi::Value Layout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::size_t nnz = Length(info[0]);
  const int32_t* users = I32(info[0], "users");
  const int32_t* items = I32(info[1], "items", nnz);
  const float* ratings = F32(info[2], "ratings", nnz);
  if (!info[3].IsObject()) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected an options object");
  Napi::Object o = info[3].As<Napi::Object>();
  const int64_t n_users = Int(o, "nUsers"), n_items = Int(o, "nItems");
  if (n_users < 0 || n_users > 0x7fffffff || n_items < 0 || n_items > 0x7fffffff) {
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected nUsers and nItems in [0, 2^31-1]");
  }
  const uint32_t seed = Seed(o, "seed");
  GridArg g = ToGrid(info[4]);
  if (g.grid.nnz != nnz) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected grid arrays of the input's length");
  std::vector<Napi::Value> keep = g.arrays;
  keep.insert(keep.end(), {info[0], info[1], info[2]});
  SgdGrid grid = g.grid;
  auto* out_users = const_cast<int32_t*>(grid.users);
  auto* out_items = const_cast<int32_t*>(grid.items);
  auto* out_ratings = const_cast<float*>(grid.ratings);
  auto* block_ptr = const_cast<int32_t*>(grid.block_ptr);
  return PromiseWorker::Start(
      env, keep,
      [=]() {
        sgd_layout(nnz, users, items, ratings, static_cast<int32_t>(n_users), static_cast<int32_t>(n_items),
                   grid.blocks, seed, out_users, out_items, out_ratings, block_ptr);
      },
      [](Napi::Env e) { return e.Undefined(); });
}

// sgdEpoch(grid, model, { learningRate, regularization, biasRegularization, threads, seed, epoch }, cancel)
//   -> Promise<number>: the sum of squared errors seen during the epoch.
Napi::Value Epoch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  GridArg g = ToGrid(info[0]);
  ModelArg m = ToModel(info[1]);
  if (!info[2].IsObject()) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected a step options object");
  Napi::Object o = info[2].As<Napi::Object>();
  SgdStep step;
  step.learning_rate = static_cast<float>(Num(o, "learningRate"));
  step.regularization = static_cast<float>(Num(o, "regularization"));
  step.bias_regularization = static_cast<float>(Num(o, "biasRegularization"));
  step.threads = static_cast<int>(Int(o, "threads"));
  step.seed = Seed(o, "seed");
  step.epoch = Seed(o, "epoch");
  CancelFlag cancel = Cancel(info[3]);
  std::vector<Napi::Value> keep = g.arrays;
  keep.insert(keep.end(), m.arrays.begin(), m.arrays.end());
  if (cancel.flag != nullptr) keep.push_back(info[3]);
  auto sse = std::make_shared<double>(0.0);
  SgdGrid grid = g.grid;
  SgdModel model = m.model;
  return PromiseWorker::Start(
      env, keep, [=]() { *sse = sgd_epoch(grid, model, step, cancel); },
      [sse](Napi::Env e) { return Napi::Number::New(e, *sse); });
}

// sgdPredict(model, users, items, out, { min, max, threads }): synchronous,
// parallel; -1 marks an unknown user or item.
Napi::Value Predict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ModelArg m = ToModel(info[0]);
  const std::size_t n = Length(info[1]);
  const int32_t* users = I32(info[1], "users");
  const int32_t* items = I32(info[2], "items", n);
  float* out = F32(info[3], "out", n);
  if (!info[4].IsObject()) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected an options object");
  Napi::Object o = info[4].As<Napi::Object>();
  const float lo = static_cast<float>(Num(o, "min"));
  const float hi = static_cast<float>(Num(o, "max"));
  const int threads = static_cast<int>(Int(o, "threads"));
  try {
    sgd_predict(m.model, n, users, items, lo, hi, threads, out);
  } catch (const std::exception& e) {
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", e.what());
  }
  return info[3];
}

}  // namespace

void RegisterSgd(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdLayout", Napi::Function::New(env, Layout, "sgdLayout"));
  exports.Set("sgdEpoch", Napi::Function::New(env, Epoch, "sgdEpoch"));
  exports.Set("sgdPredict", Napi::Function::New(env, Predict, "sgdPredict"));
}

}  // namespace mfrec
