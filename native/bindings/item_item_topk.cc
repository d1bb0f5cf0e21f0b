// Bindings for kernels/item_item_topk.h: itemItemTopKSync(args) runs on the
// calling thread (one user, a live cart), itemItemTopK(args) returns a
// Promise (batches). Both take one already-validated object; see
// lib/addon/item-item-topk.ts for its shape.
#include "kernels/item_item_topk.h"

#include <cstdint>
#include <string>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "bindings/ranking_rules.h"

namespace mfrec {

namespace {

struct ItemItemTopKCall {
  ItemItemTopKQuery query;
  int32_t* items = nullptr;
  float* scores = nullptr;
  CancelFlag cancel;
};

// Reads the arguments, checking element types and every length the kernel
// relies on; index contents are checked by the kernel itself.
ItemItemTopKCall ReadCall(const Args& o) {
  Napi::Env env = o.Env();
  ItemItemTopKCall c;
  ItemItemTopKQuery& q = c.query;
  q.items = static_cast<std::size_t>(o.IntIn("items", 0, INT32_MAX));
  q.k = static_cast<std::size_t>(o.IntAtLeast("k", 1));
  q.threads = static_cast<int>(o.Int("threads"));

  const std::size_t history_offsets = o.Length("historyIndptr");
  if (history_offsets == 0) ThrowInvalid(env, "historyIndptr must hold at least one offset (rows + 1)");
  q.history.rows = history_offsets - 1;
  q.history.indptr = o.I32("historyIndptr");
  q.history.indices = o.I32("historyIndices");
  q.history_nnz = o.Length("historyIndices");
  q.history.values = o.F32("historyValues", q.history_nnz);
  q.rows = o.I32("rows");
  q.n_rows = o.Length("rows");

  const bool sparse = o.Has("sparseIndptr") || o.Has("sparseIndices") || o.Has("sparseValues");
  if (o.Has("dense") == sparse)
    ThrowInvalid(env, "give exactly one of dense and sparseIndptr/sparseIndices/sparseValues");
  if (sparse) {
    q.sparse.rows = q.items;
    q.sparse.indptr = o.I32("sparseIndptr", q.items + 1);
    q.sparse.indices = o.I32("sparseIndices");
    q.sparse_nnz = o.Length("sparseIndices");
    q.sparse.values = o.F32("sparseValues", q.sparse_nnz);
  } else {
    q.dense = o.F32("dense", Count(env, q.items, q.items, "dense"));
  }

  q.rules = ReadRankingRules(o, q.items);
  ReadRankingFilters(o, q.history.rows, q);
  const std::size_t out_length = Count(env, q.n_rows, q.k, "outItems");
  c.items = o.I32("outItems", out_length);
  c.scores = o.F32("outScores", out_length);
  return c;
}

// itemItemTopKSync({ historyIndptr, ..., outItems, outScores }) -> undefined
Napi::Value ItemItemTopKSync(const Napi::CallbackInfo& info) {
  const Args args(info);
  const ItemItemTopKCall c = ReadCall(args);
  RunSync(args.Env(), [&] { item_item_topk(c.query, c.items, c.scores); });
  return args.Env().Undefined();
}

// itemItemTopK({ ..., cancel? }) -> Promise<void>
Napi::Value ItemItemTopKAsync(const Napi::CallbackInfo& info) {
  const Args args(info);
  ItemItemTopKCall c = ReadCall(args);
  c.cancel = args.Cancel();
  return PromiseWorker::Start(args, [c] { item_item_topk(c.query, c.items, c.scores, c.cancel); });
}

}  // namespace

void RegisterItemItemTopK(Napi::Env env, Napi::Object exports) {
  exports.Set("itemItemTopKSync", Napi::Function::New(env, ItemItemTopKSync, "itemItemTopKSync"));
  exports.Set("itemItemTopK", Napi::Function::New(env, ItemItemTopKAsync, "itemItemTopK"));
}

}  // namespace mfrec
