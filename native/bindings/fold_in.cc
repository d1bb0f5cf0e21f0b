// Glue for the explicit model's fold-in solve (kernels/fold_in.h):
// synchronous, since one row's solve takes well under a millisecond.
#include <stdexcept>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "kernels/fold_in.h"

namespace mfrec {

namespace {

// foldInSolve({ vectors, factors, rows, targets, vectorPenalty, biasPenalty }, out)
//   -> out (Float32Array of factors + 1: the factors, then the bias).
Napi::Value Solve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected a fold-in problem object");
  Napi::Object o = info[0].As<Napi::Object>();
  BiasedRidge p;
  const int64_t k = Int(o, "factors");
  if (k < 1 || k > (1 << 24)) Throw(env, "ERR_MFREC_INVALID_ARGUMENT", "Expected factors in [1, 2^24]");
  p.factors = static_cast<int32_t>(k);
  Napi::Value vectors = o.Get("vectors");
  const std::size_t length = Length(vectors);
  p.vectors = F32(vectors, "vectors");
  p.n_vectors = length / static_cast<std::size_t>(k);
  Napi::Value rows = o.Get("rows");
  p.n = Length(rows);
  p.rows = I32(rows, "rows");
  p.targets = F64(o.Get("targets"), "targets", p.n);
  p.vector_penalty = Num(o, "vectorPenalty");
  p.bias_penalty = Num(o, "biasPenalty");
  float* out = F32(info[1], "out", static_cast<std::size_t>(k) + 1);
  try {
    solve_biased_ridge(p, out);
  } catch (const std::out_of_range& e) {
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT", e.what());
  }
  return info[1];
}

}  // namespace

void RegisterFoldIn(Napi::Env env, Napi::Object exports) {
  exports.Set("foldInSolve", Napi::Function::New(env, Solve, "foldInSolve"));
}

}  // namespace mfrec
