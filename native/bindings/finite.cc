// Binding for kernels/finite.h: synchronous (one pass over memory, no
// allocation); see lib/addon/finite.ts.
#include "kernels/finite.h"

#include "bindings/common.h"
#include "bindings/modules.h"

namespace mfrec {

namespace {

// allFinite({ values }) -> whether every value of the Float32Array is finite.
Napi::Value AllFinite(const Napi::CallbackInfo& info) {
  const Args args(info);
  const float* values = args.F32("values");
  const std::size_t n = args.Length("values");
  return Napi::Boolean::New(args.Env(), all_finite(values, n));
}

}  // namespace

void RegisterFinite(Napi::Env env, Napi::Object exports) {
  exports.Set("allFinite", Napi::Function::New(env, AllFinite, "allFinite"));
}

}  // namespace mfrec
