// Bindings for the implicit ALS kernels (kernels/als.h). Each takes one
// arguments object (bindings/common.h) holding CSR matrices (SparseRows from
// lib/data/sparse.ts), factor arrays and `options` (AlsKernelOptions).
#include "kernels/als.h"

#include <memory>
#include <string>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "kernels/blas.h"
#include "kernels/csr.h"
#include "kernels/parallel.h"

namespace mfrec {

namespace {

// `options`: { factors, regularization, alpha, confidence, epsilon, solver,
// cgSteps, scaleRegularization, regularizationExponent?, threads }, enums as
// integers; regularizationExponent defaults to 1.
AlsOptions ReadOptions(const Args& args) {
  const Args o = args.Object("options");
  AlsOptions a;
  a.factors = static_cast<std::size_t>(o.IntIn("factors", 1, kMaxFactors));
  a.regularization = static_cast<float>(o.Num("regularization"));
  a.alpha = static_cast<float>(o.Num("alpha"));
  a.confidence = static_cast<AlsConfidence>(o.IntIn("confidence", 0, 1));
  a.epsilon = static_cast<float>(o.Num("epsilon"));
  a.solver = static_cast<AlsSolver>(o.IntIn("solver", 0, 1));
  a.cg_steps = static_cast<int>(o.IntIn("cgSteps", 1, 1000000));
  a.scale_regularization = o.Bool("scaleRegularization");
  if (o.Has("regularizationExponent")) a.regularization_exponent = static_cast<float>(o.Num("regularizationExponent"));
  a.threads = resolve_threads(static_cast<int>(o.Int("threads")));
  return a;
}

// The arguments of alsIteration and alsLoss.
struct PairCall {
  AlsOptions options;
  CsrView by_user, by_item;
  float* user_factors = nullptr;
  float* item_factors = nullptr;
  CancelFlag cancel;
};

// { byUser, byItem, userFactors, itemFactors, options, cancel? }
PairCall ReadPair(const Args& args) {
  PairCall c;
  c.options = ReadOptions(args);
  std::size_t user_cols = 0, item_cols = 0;
  c.by_user = args.Csr("byUser", &user_cols);
  c.by_item = args.Csr("byItem", &item_cols);
  if (c.by_user.rows != item_cols || c.by_item.rows != user_cols ||
      c.by_user.indptr[c.by_user.rows] != c.by_item.indptr[c.by_item.rows])
    ThrowInvalid(args.Env(), "byUser and byItem are not transposes of each other");
  c.user_factors = args.F32("userFactors", c.by_user.rows * c.options.factors);
  c.item_factors = args.F32("itemFactors", c.by_item.rows * c.options.factors);
  c.cancel = args.Cancel();
  return c;
}

// alsIteration({ byUser, byItem, userFactors, itemFactors, options, cancel? }) -> Promise<void>
Napi::Value Iteration(const Napi::CallbackInfo& info) {
  const Args args(info);
  const PairCall c = ReadPair(args);
  return PromiseWorker::Start(
      args, [c] { als_iteration(c.by_user, c.by_item, c.user_factors, c.item_factors, c.options, c.cancel); });
}

// alsLoss({ byUser, byItem, userFactors, itemFactors, options, cancel? }) -> Promise<number>
Napi::Value Loss(const Napi::CallbackInfo& info) {
  const Args args(info);
  const PairCall c = ReadPair(args);
  auto loss = std::make_shared<double>(0.0);
  return PromiseWorker::Start(
      args, [c, loss] { *loss = als_loss(c.by_user, c.by_item, c.user_factors, c.item_factors, c.options, c.cancel); },
      [loss](Napi::Env env) { return Napi::Number::New(env, *loss); });
}

// alsGram({ y, rows, factors, out }) -> undefined, on the calling thread:
// out (factors x factors) = Y^T Y for Y = y (rows x factors).
Napi::Value GramSync(const Napi::CallbackInfo& info) {
  const Args args(info);
  const std::size_t n = static_cast<std::size_t>(args.IntAtLeast("rows", 0));
  const std::size_t k = static_cast<std::size_t>(args.IntIn("factors", 1, kMaxFactors));
  const float* y = args.F32("y", Count(args.Env(), n, k, "y"));
  float* out = args.F32("out", k * k);
  RunSync(args.Env(), [&] { gram(n, k, y, out); });
  return args.Env().Undefined();
}

// The arguments of alsSolveRows and alsSolveRowsSync.
struct RowsCall {
  AlsOptions options;
  CsrView rows;
  std::size_t y_rows = 0;
  const float* y = nullptr;
  const float* gram = nullptr;
  float* x = nullptr;
  CancelFlag cancel;
};

// { rows, y, gram, x, options, cancel? }: gram = Y^T Y, factors x factors.
RowsCall ReadRows(const Args& args) {
  RowsCall c;
  c.options = ReadOptions(args);
  c.rows = args.Csr("rows", &c.y_rows);
  const std::size_t k = c.options.factors;
  c.y = args.F32("y", c.y_rows * k);
  c.gram = args.F32("gram", k * k);
  c.x = args.F32("x", c.rows.rows * k);
  c.cancel = args.Cancel();
  return c;
}

// alsSolveRows({ rows, y, gram, x, options, cancel? }) -> Promise<void>
Napi::Value SolveRows(const Napi::CallbackInfo& info) {
  const Args args(info);
  const RowsCall c = ReadRows(args);
  return PromiseWorker::Start(args, [c] { als_solve_rows(c.rows, c.y, c.y_rows, c.gram, c.x, c.options, c.cancel); });
}

// alsSolveRowsSync({ rows, y, gram, x, options }) -> undefined, on the calling
// thread (options.threads is ignored): the fold-in of one live shopper is far
// cheaper than handing work to another thread.
Napi::Value SolveRowsSync(const Napi::CallbackInfo& info) {
  const Args args(info);
  RowsCall c = ReadRows(args);
  c.options.threads = 1;
  RunSync(args.Env(), [&] { als_solve_rows(c.rows, c.y, c.y_rows, c.gram, c.x, c.options, CancelFlag{}); });
  return args.Env().Undefined();
}

}  // namespace

void RegisterAls(Napi::Env env, Napi::Object exports) {
  exports.Set("alsIteration", Napi::Function::New(env, Iteration, "alsIteration"));
  exports.Set("alsLoss", Napi::Function::New(env, Loss, "alsLoss"));
  exports.Set("alsGram", Napi::Function::New(env, GramSync, "alsGram"));
  exports.Set("alsSolveRows", Napi::Function::New(env, SolveRows, "alsSolveRows"));
  exports.Set("alsSolveRowsSync", Napi::Function::New(env, SolveRowsSync, "alsSolveRowsSync"));
}

}  // namespace mfrec
