// Glue for kernels/topk.h: topkSync(args) runs on the calling thread (single
// user, small work), topk(args) returns a Promise (batches). Both take one
// already-validated object; see lib/models/topk-native.ts for its shape.
#include <stdexcept>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "kernels/topk.h"

namespace mfrec {

namespace {

bool Present(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return !v.IsUndefined() && !v.IsNull();
}

// Reads the arguments, checking element types and every length the kernel
// relies on; index contents are checked by the kernel itself.
TopKQuery ReadQuery(const Napi::Object& o, std::vector<Napi::Value>& keep, int32_t*& items,
                    float*& scores) {
  Napi::Env env = o.Env();
  TopKQuery q;
  const int64_t factors = Int(o, "factors");
  const int64_t k = Int(o, "k");
  if (factors < 1 || k < 1) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected factors >= 1 and k >= 1");
  q.factors = static_cast<std::size_t>(factors);
  q.k = static_cast<std::size_t>(k);
  q.threads = static_cast<int>(Int(o, "threads"));
  q.offset = static_cast<float>(Num(o, "offset"));
  q.exclude_self = Bool(o, "excludeSelf");

  Napi::Value query = o.Get("query");
  q.query = F32(query, "query");
  if (Length(query) % q.factors != 0) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "query length is not a multiple of factors");
  q.query_rows = Length(query) / q.factors;
  Napi::Value target = o.Get("target");
  q.target = F32(target, "target");
  if (Length(target) % q.factors != 0) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "target length is not a multiple of factors");
  q.targets = Length(target) / q.factors;
  Napi::Value rows = o.Get("rows");
  q.rows = I32(rows, "rows");
  q.n_rows = Length(rows);
  keep.insert(keep.end(), {query, target, rows});

  auto optional_f32 = [&](const char* key, std::size_t length) -> const float* {
    if (!Present(o, key)) return nullptr;
    Napi::Value v = o.Get(key);
    keep.push_back(v);
    return F32(v, key, length);
  };
  q.row_scale = optional_f32("rowScale", q.query_rows);
  q.row_offset = optional_f32("rowOffset", q.query_rows);
  q.col_scale = optional_f32("colScale", q.targets);
  q.col_bias = optional_f32("colBias", q.targets);

  if (Present(o, "filterIndptr")) {
    Napi::Value indptr = o.Get("filterIndptr"), indices = o.Get("filterIndices");
    q.filter.indptr = I32(indptr, "filterIndptr", q.query_rows + 1);
    q.filter.rows = q.query_rows;
    q.filter.indices = I32(indices, "filterIndices");
    q.filter_nnz = Length(indices);
    keep.insert(keep.end(), {indptr, indices});
  }
  if (Present(o, "exclude")) {
    Napi::Value v = o.Get("exclude");
    q.exclude = I32(v, "exclude");
    q.n_exclude = Length(v);
    keep.push_back(v);
  }
  if (Present(o, "candidates")) {
    Napi::Value v = o.Get("candidates");
    q.candidates = I32(v, "candidates");
    q.n_candidates = Length(v);
    keep.push_back(v);
  }
  Napi::Value out_items = o.Get("items"), out_scores = o.Get("scores");
  const std::size_t out_length = Count(env, q.n_rows, q.k, "items");
  items = I32(out_items, "items", out_length);
  scores = F32(out_scores, "scores", out_length);
  keep.insert(keep.end(), {out_items, out_scores});
  return q;
}

Napi::Object Args(const Napi::CallbackInfo& info) {
  if (!info[0].IsObject()) Throw(info.Env(), "ERR_MFREC_INVALID_ARGUMENT", "Expected an arguments object");
  return info[0].As<Napi::Object>();
}

Napi::Value TopKSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<Napi::Value> keep;
  int32_t* items = nullptr;
  float* scores = nullptr;
  TopKQuery q = ReadQuery(Args(info), keep, items, scores);
  try {
    topk(q, items, scores);
  } catch (const std::invalid_argument& e) {
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", e.what());
  } catch (const std::bad_alloc&) {
    Throw(env, "ERR_MFREC_OUT_OF_MEMORY", "Out of memory in native kernel");
  }
  return env.Undefined();
}

Napi::Value TopKAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object args = Args(info);
  std::vector<Napi::Value> keep;
  int32_t* items = nullptr;
  float* scores = nullptr;
  TopKQuery q = ReadQuery(args, keep, items, scores);
  CancelFlag cancel = Cancel(args.Get("cancel"));
  if (cancel.flag != nullptr) keep.push_back(args.Get("cancel"));
  return PromiseWorker::Start(
      env, std::move(keep), [q, items, scores, cancel] { topk(q, items, scores, cancel); },
      [](Napi::Env e) { return e.Undefined(); });
}

}  // namespace

void RegisterTopK(Napi::Env env, Napi::Object exports) {
  exports.Set("topkSync", Napi::Function::New(env, TopKSync, "topkSync"));
  exports.Set("topk", Napi::Function::New(env, TopKAsync, "topk"));
}

}  // namespace mfrec
