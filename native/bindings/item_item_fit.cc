// Bindings for the item-to-item training kernels (kernels/ease.h,
// kernels/neighbours.h): easeFit(args) and itemNeighbours(args), each taking
// one arguments object (see lib/addon/item-item-fit.ts) and returning a
// Promise.
#include <string>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "kernels/ease.h"
#include "kernels/neighbours.h"

namespace mfrec {

namespace {

struct EaseCall {
  EaseProblem problem;
  float* out = nullptr;
  CancelFlag cancel;
};

// { byUser, lambda, threads, out, cancel? }
EaseCall ReadEase(const Args& o) {
  EaseCall c;
  EaseProblem& p = c.problem;
  p.by_user = o.Csr("byUser", &p.items);
  p.lambda = static_cast<float>(o.Num("lambda"));
  p.threads = resolve_threads(static_cast<int>(o.IntIn("threads", 0, 1 << 20)));
  c.out = o.F32("out", Count(o.Env(), p.items, p.items, "out"));
  c.cancel = o.Cancel();
  return c;
}

// easeFit({ byUser, lambda, threads, out, cancel? }) -> Promise<void>
Napi::Value EaseFit(const Napi::CallbackInfo& info) {
  const Args args(info);
  const EaseCall c = ReadEase(args);
  return PromiseWorker::Start(args, [c] { ease_fit(c.problem, c.out, c.cancel); });
}

struct NeighboursCall {
  NeighboursProblem problem;
  int32_t* indices = nullptr;
  float* scores = nullptr;
  CancelFlag cancel;
};

// { byItem, byUser, colScale?, shrink, k, threads, outIndices, outScores, cancel? }
NeighboursCall ReadNeighbours(const Args& o) {
  NeighboursCall c;
  NeighboursProblem& p = c.problem;
  std::size_t item_cols = 0, user_cols = 0;
  p.by_item = o.Csr("byItem", &item_cols);
  p.by_user = o.Csr("byUser", &user_cols);
  if (p.by_item.rows != user_cols || item_cols != p.by_user.rows)
    ThrowInvalid(o.Env(), "byItem (" + std::to_string(p.by_item.rows) + " x " + std::to_string(item_cols) +
                              ") and byUser (" + std::to_string(p.by_user.rows) + " x " + std::to_string(user_cols) +
                              ") are not items x users and users x items");
  p.items = p.by_item.rows;
  p.users = p.by_user.rows;
  if (o.Has("colScale")) p.col_scale = o.F32("colScale", p.items);
  p.shrink = static_cast<float>(o.Num("shrink"));
  p.k = static_cast<std::size_t>(o.IntIn("k", 1, 0x7fffffff));
  p.threads = resolve_threads(static_cast<int>(o.IntIn("threads", 0, 1 << 20)));
  const std::size_t out_length = Count(o.Env(), p.items, p.k, "outIndices");
  c.indices = o.I32("outIndices", out_length);
  c.scores = o.F32("outScores", out_length);
  c.cancel = o.Cancel();
  return c;
}

// itemNeighbours({ byItem, byUser, colScale?, shrink, k, threads, outIndices, outScores, cancel? }) -> Promise<void>
Napi::Value ItemNeighbours(const Napi::CallbackInfo& info) {
  const Args args(info);
  const NeighboursCall c = ReadNeighbours(args);
  return PromiseWorker::Start(args, [c] { item_neighbours(c.problem, c.indices, c.scores, c.cancel); });
}

}  // namespace

void RegisterItemItemFit(Napi::Env env, Napi::Object exports) {
  exports.Set("easeFit", Napi::Function::New(env, EaseFit, "easeFit"));
  exports.Set("itemNeighbours", Napi::Function::New(env, ItemNeighbours, "itemNeighbours"));
}

}  // namespace mfrec
