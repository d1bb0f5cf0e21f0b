// Binding for the explicit model's fold-in solve (kernels/fold_in.h):
// synchronous, since one row's solve takes well under a millisecond.
#include "kernels/fold_in.h"

#include "bindings/common.h"
#include "bindings/modules.h"

namespace mfrec {

namespace {

// foldInSolve({ vectors, factors, rows, targets, vectorPenalty, biasPenalty, out })
//   -> out (Float32Array of factors + 1: the factors, then the bias).
Napi::Value Solve(const Napi::CallbackInfo& info) {
  const Args args(info);
  BiasedRidge p;
  const int64_t k = args.IntIn("factors", 1, kMaxFactors);
  p.factors = static_cast<int32_t>(k);
  p.vectors = args.F32("vectors");
  p.n_vectors = args.Length("vectors") / static_cast<std::size_t>(k);
  p.n = args.Length("rows");
  p.rows = args.I32("rows");
  p.targets = args.F64("targets", p.n);
  p.vector_penalty = args.Num("vectorPenalty");
  p.bias_penalty = args.Num("biasPenalty");
  float* out = args.F32("out", static_cast<std::size_t>(k) + 1);
  RunSync(args.Env(), [&] { solve_biased_ridge(p, out); });
  return info[0].As<Napi::Object>().Get("out");
}

}  // namespace

void RegisterFoldIn(Napi::Env env, Napi::Object exports) {
  exports.Set("foldInSolve", Napi::Function::New(env, Solve, "foldInSolve"));
}

}  // namespace mfrec
