// Helpers shared by every binding: typed-array access with checks, typed
// errors, and a Promise-returning worker that runs a kernel off the event loop.
#pragma once

#include <napi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kernels/parallel.h"

namespace mfrec {

// Per-environment state (one per main thread / worker_thread).
struct AddonData {
  Napi::FunctionReference error_class;  // MfrecError from lib/errors.ts
};

// Builds an MfrecError(code, message) if JS registered the class, else a plain Error
// with a `code` property.
Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message);
[[noreturn]] void Throw(Napi::Env env, const std::string& code, const std::string& message);

// Typed-array arguments. They check the element type and, when `length` is
// not SIZE_MAX, the element count; `name` goes into the error message.
// The pointers alias JS memory: valid while the array is referenced.
float* F32(const Napi::Value& v, const char* name, std::size_t length = SIZE_MAX);
int32_t* I32(const Napi::Value& v, const char* name, std::size_t length = SIZE_MAX);
double* F64(const Napi::Value& v, const char* name, std::size_t length = SIZE_MAX);
std::size_t Length(const Napi::Value& v);

// a * b as an element count for a length check. Refuses (INVALID_ARGUMENT)
// a product that wraps around or exceeds 2^53: otherwise huge sizes from JS
// could multiply to a small number and pass the check with a short array.
std::size_t Count(Napi::Env env, std::size_t a, std::size_t b, const char* what);

// Plain values out of an already-validated options object.
double Num(const Napi::Object& o, const char* key);
int64_t Int(const Napi::Object& o, const char* key);
bool Bool(const Napi::Object& o, const char* key);

// Cancellation flag: an Int32Array of length 1 (or undefined for none).
CancelFlag Cancel(const Napi::Value& v);

// Runs `work` on a libuv worker thread and settles a Promise: resolves with
// `result(env)` or rejects with a typed error. `keep` holds every JS value
// whose memory the work touches so that GC cannot free it meanwhile.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Result = std::function<Napi::Value(Napi::Env)>;

  static Napi::Promise Start(Napi::Env env, std::vector<Napi::Value> keep, Work work,
                             Result result);

 protected:
  PromiseWorker(Napi::Env env, std::vector<Napi::Value> keep, Work work, Result result);
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
  Work work_;
  Result result_;
  std::string error_code_;
  std::string error_message_;
};

}  // namespace mfrec
