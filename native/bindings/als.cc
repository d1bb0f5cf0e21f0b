// Bindings for the implicit ALS kernels (kernels/als.h): typed-array checks,
// options into AlsOptions, and async work that settles a Promise.
#include "kernels/als.h"

#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "kernels/blas.h"
#include "kernels/csr.h"
#include "kernels/parallel.h"

namespace mfrec {

namespace {

// A SparseRows object from lib/data/sparse.ts, checked so that no index can
// point outside the factor matrices: indptr non-decreasing from 0 to nnz,
// column indices in [0, cols).
struct CsrArg {
  CsrView view;
  std::size_t cols = 0;
  std::vector<Napi::Value> arrays;
};

CsrArg ReadCsr(const Napi::Value& v, const char* name) {
  Napi::Env env = v.Env();
  if (!v.IsObject()) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", std::string("Expected a sparse matrix for ") + name);
  Napi::Object o = v.As<Napi::Object>();
  int64_t rows = Int(o, "rows");
  int64_t cols = Int(o, "cols");
  if (rows < 0 || cols < 0 || rows > 0x7fffffff || cols > 0x7fffffff)
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", std::string("Bad shape for ") + name);
  CsrArg a;
  a.view.rows = static_cast<std::size_t>(rows);
  a.cols = static_cast<std::size_t>(cols);
  Napi::Value indptr = o.Get("indptr"), indices = o.Get("indices"), values = o.Get("values");
  a.view.indptr = I32(indptr, "indptr", a.view.rows + 1);
  std::size_t nnz = Length(indices);
  a.view.indices = I32(indices, "indices", nnz);
  a.view.values = F32(values, "values", nnz);
  if (const char* problem = csr_problem(a.view, a.cols, nnz))
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", std::string(problem) + " in " + name);
  a.arrays = {indptr, indices, values};
  return a;
}

AlsOptions ReadOptions(const Napi::Value& v) {
  Napi::Env env = v.Env();
  if (!v.IsObject()) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected an ALS options object");
  Napi::Object o = v.As<Napi::Object>();
  AlsOptions a;
  int64_t factors = Int(o, "factors");
  int64_t cg_steps = Int(o, "cgSteps");
  int64_t confidence = Int(o, "confidence");
  int64_t solver = Int(o, "solver");
  if (factors < 1 || factors > 65536 || cg_steps < 1 || cg_steps > 1000000 || confidence < 0 ||
      confidence > 1 || solver < 0 || solver > 1)
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "ALS options out of range");
  a.factors = static_cast<std::size_t>(factors);
  a.regularization = static_cast<float>(Num(o, "regularization"));
  a.alpha = static_cast<float>(Num(o, "alpha"));
  a.confidence = static_cast<AlsConfidence>(confidence);
  a.epsilon = static_cast<float>(Num(o, "epsilon"));
  a.solver = static_cast<AlsSolver>(solver);
  a.cg_steps = static_cast<int>(cg_steps);
  a.scale_regularization = Bool(o, "scaleRegularization");
  a.threads = resolve_threads(static_cast<int>(Int(o, "threads")));
  return a;
}

std::vector<Napi::Value> Keep(std::initializer_list<const CsrArg*> csrs, std::initializer_list<Napi::Value> more) {
  std::vector<Napi::Value> keep;
  for (const CsrArg* c : csrs) keep.insert(keep.end(), c->arrays.begin(), c->arrays.end());
  // References can only hold objects here (N-API 8): skip an absent cancel flag.
  for (const Napi::Value& v : more)
    if (v.IsObject()) keep.push_back(v);
  return keep;
}

// alsHalfSweep(rows: SparseRows, y: Float32Array, x: Float32Array, options, cancel?) -> Promise<void>
Napi::Value HalfSweep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CsrArg m = ReadCsr(info[0], "rows");
  AlsOptions o = ReadOptions(info[3]);
  float* y = F32(info[1], "y", m.cols * o.factors);
  float* x = F32(info[2], "x", m.view.rows * o.factors);
  CancelFlag cancel = Cancel(info[4]);
  CsrView view = m.view;
  std::size_t y_rows = m.cols;
  return PromiseWorker::Start(
      env, Keep({&m}, {info[1], info[2], info[4]}),
      [=] { als_half_sweep(view, y, y_rows, x, o, cancel); },
      [](Napi::Env e) { return e.Undefined(); });
}

struct Pair {
  CsrArg by_user, by_item;
  float* user_factors;
  float* item_factors;
};

Pair ReadPair(const Napi::CallbackInfo& info, const AlsOptions& o) {
  Napi::Env env = info.Env();
  Pair p{ReadCsr(info[0], "byUser"), ReadCsr(info[1], "byItem"), nullptr, nullptr};
  if (p.by_user.view.rows != p.by_item.cols || p.by_item.view.rows != p.by_user.cols ||
      p.by_user.view.indptr[p.by_user.view.rows] != p.by_item.view.indptr[p.by_item.view.rows])
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "byUser and byItem are not transposes of each other");
  p.user_factors = F32(info[2], "userFactors", p.by_user.view.rows * o.factors);
  p.item_factors = F32(info[3], "itemFactors", p.by_item.view.rows * o.factors);
  return p;
}

// alsIteration(byUser, byItem, userFactors, itemFactors, options, cancel?) -> Promise<void>
Napi::Value Iteration(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AlsOptions o = ReadOptions(info[4]);
  Pair p = ReadPair(info, o);
  CancelFlag cancel = Cancel(info[5]);
  CsrView bu = p.by_user.view, bi = p.by_item.view;
  float* uf = p.user_factors;
  float* itf = p.item_factors;
  return PromiseWorker::Start(
      env, Keep({&p.by_user, &p.by_item}, {info[2], info[3], info[5]}),
      [=] { als_iteration(bu, bi, uf, itf, o, cancel); },
      [](Napi::Env e) { return e.Undefined(); });
}

// alsLoss(byUser, byItem, userFactors, itemFactors, options, cancel?) -> Promise<number>
Napi::Value Loss(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AlsOptions o = ReadOptions(info[4]);
  Pair p = ReadPair(info, o);
  CancelFlag cancel = Cancel(info[5]);
  CsrView bu = p.by_user.view, bi = p.by_item.view;
  const float* uf = p.user_factors;
  const float* itf = p.item_factors;
  auto result = std::make_shared<double>(0.0);
  return PromiseWorker::Start(
      env, Keep({&p.by_user, &p.by_item}, {info[2], info[3], info[5]}),
      [=] { *result = als_loss(bu, bi, uf, itf, o, cancel); },
      [result](Napi::Env e) { return Napi::Number::New(e, *result); });
}

// The Y^T Y argument of the row solvers: factors x factors floats.
const float* Gram(const Napi::Value& v, const AlsOptions& o) {
  return F32(v, "gram", o.factors * o.factors);
}

// alsGram(y: Float32Array, rows, factors, out: Float32Array) -> void, on the calling thread.
// out (factors x factors) = Y^T Y for Y = y (rows x factors).
Napi::Value GramSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[1].IsNumber() || !info[2].IsNumber())
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected rows and factors as numbers");
  int64_t rows = info[1].As<Napi::Number>().Int64Value();
  int64_t factors = info[2].As<Napi::Number>().Int64Value();
  if (rows < 0 || factors < 1 || factors > 65536)
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Gram shape out of range");
  const std::size_t n = static_cast<std::size_t>(rows), k = static_cast<std::size_t>(factors);
  const float* y = F32(info[0], "y", Count(env, n, k, "y"));
  float* out = F32(info[3], "out", k * k);
  gram(n, k, y, out);
  return env.Undefined();
}

// alsSolveRows(rows, y, gram, x, options, cancel?) -> Promise<void>
Napi::Value SolveRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CsrArg m = ReadCsr(info[0], "rows");
  AlsOptions o = ReadOptions(info[4]);
  const float* y = F32(info[1], "y", m.cols * o.factors);
  const float* g = Gram(info[2], o);
  float* x = F32(info[3], "x", m.view.rows * o.factors);
  CancelFlag cancel = Cancel(info[5]);
  CsrView view = m.view;
  std::size_t y_rows = m.cols;
  return PromiseWorker::Start(
      env, Keep({&m}, {info[1], info[2], info[3], info[5]}),
      [=] { als_solve_rows(view, y, y_rows, g, x, o, cancel); },
      [](Napi::Env e) { return e.Undefined(); });
}

// alsSolveRowsSync(rows, y, gram, x, options) -> void, on the calling thread
// (options.threads is ignored): the fold-in of one live shopper is far
// cheaper than handing work to another thread.
Napi::Value SolveRowsSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CsrArg m = ReadCsr(info[0], "rows");
  AlsOptions o = ReadOptions(info[4]);
  o.threads = 1;
  const float* y = F32(info[1], "y", m.cols * o.factors);
  const float* g = Gram(info[2], o);
  float* x = F32(info[3], "x", m.view.rows * o.factors);
  try {
    als_solve_rows(m.view, y, m.cols, g, x, o, CancelFlag{});
  } catch (const std::bad_alloc&) {
    Throw(env, "ERR_MFREC_OUT_OF_MEMORY", "Out of memory while solving ALS rows");
  } catch (const std::exception& e) {
    Throw(env, "ERR_MFREC_NATIVE", e.what());
  }
  return env.Undefined();
}

}  // namespace

void RegisterAls(Napi::Env env, Napi::Object exports) {
  exports.Set("alsHalfSweep", Napi::Function::New(env, HalfSweep, "alsHalfSweep"));
  exports.Set("alsIteration", Napi::Function::New(env, Iteration, "alsIteration"));
  exports.Set("alsLoss", Napi::Function::New(env, Loss, "alsLoss"));
  exports.Set("alsGram", Napi::Function::New(env, GramSync, "alsGram"));
  exports.Set("alsSolveRows", Napi::Function::New(env, SolveRows, "alsSolveRows"));
  exports.Set("alsSolveRowsSync", Napi::Function::New(env, SolveRowsSync, "alsSolveRowsSync"));
}

}  // namespace mfrec
