// Bindings for kernels/topk.h: topkSync(args) runs on the calling thread
// (single user, small work), topk(args) returns a Promise (batches). Both
// take one already-validated object; see lib/addon/topk.ts for its
// shape.
#include "kernels/topk.h"

#include <string>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "bindings/ranking_rules.h"

namespace mfrec {

namespace {

struct TopKCall {
  TopKQuery query;
  int32_t* items = nullptr;
  float* scores = nullptr;
  CancelFlag cancel;
};

// Reads the arguments, checking element types and every length the kernel
// relies on; index contents are checked by the kernel itself.
TopKCall ReadCall(const Args& o) {
  Napi::Env env = o.Env();
  TopKCall c;
  TopKQuery& q = c.query;
  q.factors = static_cast<std::size_t>(o.IntIn("factors", 1, kMaxFactors));
  q.k = static_cast<std::size_t>(o.IntAtLeast("k", 1));
  q.threads = static_cast<int>(o.Int("threads"));
  q.offset = static_cast<float>(o.Num("offset"));
  q.exclude_self = o.Bool("excludeSelf");

  q.query = o.F32("query");
  if (o.Length("query") % q.factors != 0) ThrowInvalid(env, "query length is not a multiple of factors");
  q.query_rows = o.Length("query") / q.factors;
  q.target = o.F32("target");
  if (o.Length("target") % q.factors != 0) ThrowInvalid(env, "target length is not a multiple of factors");
  q.targets = o.Length("target") / q.factors;
  q.rows = o.I32("rows");
  q.n_rows = o.Length("rows");

  auto optional_f32 = [&](const char* key, std::size_t length) -> const float* {
    return o.Has(key) ? o.F32(key, length) : nullptr;
  };
  q.row_scale = optional_f32("rowScale", q.query_rows);
  q.row_offset = optional_f32("rowOffset", q.query_rows);
  q.col_scale = optional_f32("colScale", q.targets);
  q.col_bias = optional_f32("colBias", q.targets);

  q.rules = ReadRankingRules(o, q.targets);
  ReadRankingFilters(o, q.query_rows, q);
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
