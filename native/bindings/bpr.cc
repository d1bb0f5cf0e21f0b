// Binding for kernels/bpr.h: bprEpoch(args) trains one epoch off the event
// loop and resolves with its statistics. See lib/addon/bpr.ts for the
// argument shape.
#include "kernels/bpr.h"

#include <memory>
#include <string>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "kernels/csr.h"

namespace mfrec {

namespace {

// bprEpoch({ indptr, indices, users, items, factors, userFactors,
// itemFactors, itemBias, learningRate, regularization, seed, epoch, threads,
// verifyNegative, cancel? }) -> Promise<{ loss, correct, samples }>
Napi::Value BprEpoch(const Napi::CallbackInfo& info) {
  const Args args(info);
  Napi::Env env = args.Env();
  struct Call {
    BprParams params;
    CsrView by_user;
    std::size_t items;
    float* user_factors;
    float* item_factors;
    float* item_bias;
    uint32_t epoch;
    CancelFlag cancel;
  } c;
  c.params.factors = static_cast<std::size_t>(args.IntIn("factors", 1, kMaxFactors));
  c.by_user.rows = static_cast<std::size_t>(args.IntIn("users", 0, 0x7fffffff));
  c.items = static_cast<std::size_t>(args.IntIn("items", 1, 0x7fffffff));
  c.params.learning_rate = static_cast<float>(args.Num("learningRate"));
  c.params.regularization = static_cast<float>(args.Num("regularization"));
  c.params.seed = static_cast<uint32_t>(args.Int("seed"));
  c.params.threads = static_cast<int>(args.Int("threads"));
  c.params.verify_negative = args.Bool("verifyNegative");
  c.epoch = static_cast<uint32_t>(args.Int("epoch"));

  c.by_user.indptr = args.I32("indptr", c.by_user.rows + 1);
  c.by_user.indices = args.I32("indices");
  if (const char* problem = csr_problem(c.by_user, c.items, args.Length("indices")))
    ThrowInvalid(env, std::string(problem) + " in indptr/indices");
  c.user_factors = args.F32("userFactors", Count(env, c.by_user.rows, c.params.factors, "userFactors"));
  c.item_factors = args.F32("itemFactors", Count(env, c.items, c.params.factors, "itemFactors"));
  c.item_bias = args.F32("itemBias", c.items);
  c.cancel = args.Cancel();

  auto stats = std::make_shared<BprEpochStats>();
  return PromiseWorker::Start(
      args,
      [c, stats] {
        *stats =
            bpr_epoch(c.params, c.by_user, c.items, c.user_factors, c.item_factors, c.item_bias, c.epoch, c.cancel);
      },
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
