// Entry point of the addon: per-environment state and the list of modules.
#include <napi.h>

#include "bindings/common.h"
#include "bindings/modules.h"
#include "kernels/blas.h"
#include "kernels/parallel.h"
#include "kernels/simd.h"

namespace mfrec {

namespace {
Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) ThrowInvalid(env, "Expected a constructor");
  env.GetInstanceData<AddonData>()->error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("blas", Napi::String::New(env, blas_name()));
  o.Set("openblas", Napi::Boolean::New(env, blas_is_openblas()));
  o.Set("hardwareThreads", Napi::Number::New(env, hardware_threads()));
  o.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  o.Set("simd", Napi::String::New(env, simd_copy_name()));
  return o;
}
}  // namespace

void RegisterInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  blas_init();
  env.SetInstanceData<AddonData>(new AddonData());
  RegisterInfo(env, exports);
  RegisterSgd(env, exports);
  RegisterAls(env, exports);
  RegisterTopK(env, exports);
  RegisterBpr(env, exports);
  RegisterFoldIn(env, exports);
  RegisterBprFoldIn(env, exports);
  RegisterScoreSplit(env, exports);
  RegisterItemItemFit(env, exports);
  RegisterItemItemTopK(env, exports);
  RegisterHnsw(env, exports);
  RegisterCsrBuild(env, exports);
  RegisterChunkParse(env, exports);
  RegisterFinite(env, exports);
  return exports;
}

}  // namespace mfrec

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return mfrec::Init(env, exports); }

NODE_API_MODULE(mfrec, InitAddon)
