// Bindings for kernels/topk.h: topkSync(args) runs on the calling thread
// (single user, small work), topk(args) returns a Promise (batches). Both
// take one already-validated object; see lib/addon/topk.ts for its
// shape.
#include "kernels/topk.h"

#include <string>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "bindings/ranking_rules.h"
#include "bindings/topk_query.h"

namespace mfrec {

namespace {

struct TopKCall {
  TopKQuery query;
  int32_t* items = nullptr;
  float* scores = nullptr;
  CancelFlag cancel;
};

// Reads the arguments (the request through ReadTopKQuery, then the rules and
// the outputs); index contents are checked by the kernel itself.
TopKCall ReadCall(const Args& o) {
  Napi::Env env = o.Env();
  TopKCall c;
  c.query = ReadTopKQuery(o);
  TopKQuery& q = c.query;
  q.rules = ReadRankingRules(o, q.targets);
  const std::size_t out_length = Count(env, q.n_rows, q.k, "items");
  c.items = o.I32("items", out_length);
  c.scores = o.F32("scores", out_length);
  return c;
}

// topkSync({ query, target, rows, factors, k, ... }) -> undefined
Napi::Value TopKSync(const Napi::CallbackInfo& info) {
  const Args args(info);
  const TopKCall c = ReadCall(args);
  RunSync(args.Env(), [&] { topk(c.query, c.items, c.scores); });
  return args.Env().Undefined();
}

// topk({ ..., cancel? }) -> Promise<void>
Napi::Value TopKAsync(const Napi::CallbackInfo& info) {
  const Args args(info);
  TopKCall c = ReadCall(args);
  c.cancel = args.Cancel();
  return PromiseWorker::Start(args, [c] { topk(c.query, c.items, c.scores, c.cancel); });
}

}  // namespace

void RegisterTopK(Napi::Env env, Napi::Object exports) {
  exports.Set("topkSync", Napi::Function::New(env, TopKSync, "topkSync"));
  exports.Set("topk", Napi::Function::New(env, TopKAsync, "topk"));
}

}  // namespace mfrec
