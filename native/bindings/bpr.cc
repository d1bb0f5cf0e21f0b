// Glue for kernels/bpr.h: bprEpoch(args) trains one epoch off the event loop
// and resolves with its statistics. See lib/models/bpr.ts for the argument shape.
#include <memory>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "kernels/bpr.h"
#include "kernels/csr.h"

namespace mfrec {

namespace {

Napi::Value BprEpoch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected an arguments object");
  Napi::Object o = info[0].As<Napi::Object>();

  BprParams p;
  const int64_t factors = Int(o, "factors");
  const int64_t users = Int(o, "users");
  const int64_t items = Int(o, "items");
  if (factors < 1 || users < 0 || items < 1)
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected factors >= 1, users >= 0 and items >= 1");
  p.factors = static_cast<std::size_t>(factors);
  p.learning_rate = static_cast<float>(Num(o, "learningRate"));
  p.regularization = static_cast<float>(Num(o, "regularization"));
  p.seed = static_cast<uint32_t>(Int(o, "seed"));
  p.threads = static_cast<int>(Int(o, "threads"));
  p.verify_negative = Bool(o, "verifyNegative");
  const uint32_t epoch = static_cast<uint32_t>(Int(o, "epoch"));

  CsrView d;
  d.rows = static_cast<std::size_t>(users);
  const std::size_t n_items = static_cast<std::size_t>(items);
  Napi::Value indptr = o.Get("indptr"), indices = o.Get("indices");
  d.indptr = I32(indptr, "indptr", d.rows + 1);
  d.indices = I32(indices, "indices");
  if (const char* problem = csr_problem(d, n_items, Length(indices)))
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", std::string(problem) + " in the interactions");

  Napi::Value uf = o.Get("userFactors"), vf = o.Get("itemFactors"), bias = o.Get("itemBias");
  float* user_factors = F32(uf, "userFactors", Count(env, d.rows, p.factors, "userFactors"));
  float* item_factors = F32(vf, "itemFactors", Count(env, n_items, p.factors, "itemFactors"));
  float* item_bias = F32(bias, "itemBias", n_items);
  Napi::Value cancel_value = o.Get("cancel");
  CancelFlag cancel = Cancel(cancel_value);

  std::vector<Napi::Value> keep = {indptr, indices, uf, vf, bias};
  if (cancel.flag != nullptr) keep.push_back(cancel_value);
  auto stats = std::make_shared<BprEpochStats>();
  return PromiseWorker::Start(
      env, std::move(keep),
      [=] { *stats = bpr_epoch(p, d, n_items, user_factors, item_factors, item_bias, epoch, cancel); },
      [stats](Napi::Env e) {
        Napi::Object r = Napi::Object::New(e);
        r.Set("loss", Napi::Number::New(e, stats->loss));
        r.Set("correct", Napi::Number::New(e, stats->correct));
        r.Set("samples", Napi::Number::New(e, static_cast<double>(stats->samples)));
        return r;
      });
}

}  // namespace

void RegisterBpr(Napi::Env env, Napi::Object exports) {
  exports.Set("bprEpoch", Napi::Function::New(env, BprEpoch, "bprEpoch"));
}

}  // namespace mfrec
