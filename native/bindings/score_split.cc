// Binding for kernels/score_split.h: synchronous (one small solve per call).
// See lib/addon/score-split.ts for the argument shape.
#include "kernels/score_split.h"

#include "bindings/common.h"
#include "bindings/modules.h"

namespace mfrec {

namespace {

// scoreSplit({ factors, biasColumn, vectors, rows, weights, base?, diagonal,
// query, out }) -> true, or false when the system does not factor.
Napi::Value Split(const Napi::CallbackInfo& info) {
  const Args args(info);
  Napi::Env env = args.Env();
  ScoreSplit p;
  p.factors = static_cast<std::size_t>(args.IntIn("factors", 1, kMaxFactors));
  p.bias_column = args.Bool("biasColumn");
  const std::size_t d = p.factors + (p.bias_column ? 1 : 0);
  p.vectors = args.F32("vectors");
  p.n_vectors = args.Length("vectors") / p.factors;
  if (p.n_vectors * p.factors != args.Length("vectors"))
    ThrowInvalid(env, "vectors: length is not a multiple of factors");
  p.rows = args.I32("rows");
  p.n = args.Length("rows");
  p.weights = args.F64("weights", p.n);
  if (args.Has("base")) p.base = args.F64("base", d * d);
  p.diagonal = args.F64("diagonal", d);
  p.query = static_cast<int32_t>(args.IntIn("query", 0, 0x7fffffff));
  double* out = args.F64("out", p.n);
  bool ok = false;
  RunSync(env, [&] { ok = split_score(p, out); });
  return Napi::Boolean::New(env, ok);
}

}  // namespace

void RegisterScoreSplit(Napi::Env env, Napi::Object exports) {
  exports.Set("scoreSplit", Napi::Function::New(env, Split, "scoreSplit"));
}

}  // namespace mfrec
