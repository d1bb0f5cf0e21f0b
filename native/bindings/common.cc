#include "bindings/common.h"

#include <exception>
#include <new>
#include <stdexcept>

namespace mfrec {

Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message) {
  auto* data = env.GetInstanceData<AddonData>();
  if (data != nullptr && !data->error_class.IsEmpty()) {
    Napi::Value err = data->error_class.New({Napi::String::New(env, code),
                                             Napi::String::New(env, message)});
    return Napi::Error(env, err);
  }
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

void Throw(Napi::Env env, const std::string& code, const std::string& message) {
  throw MakeError(env, code, message);
}

namespace {
template <typename T>
T* TypedData(const Napi::Value& v, napi_typedarray_type type, const char* type_name,
             const char* name, std::size_t length) {
  Napi::Env env = v.Env();
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT",
          std::string("Expected ") + type_name + " for " + name);
  }
  auto arr = v.As<Napi::TypedArrayOf<T>>();
  if (length != SIZE_MAX && arr.ElementLength() != length) {
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT",
          std::string("Expected ") + name + " of length " + std::to_string(length) +
              " but received length " + std::to_string(arr.ElementLength()));
  }
  return arr.Data();
}
}  // namespace

float* F32(const Napi::Value& v, const char* name, std::size_t length) {
  return TypedData<float>(v, napi_float32_array, "Float32Array", name, length);
}
int32_t* I32(const Napi::Value& v, const char* name, std::size_t length) {
  return TypedData<int32_t>(v, napi_int32_array, "Int32Array", name, length);
}
double* F64(const Napi::Value& v, const char* name, std::size_t length) {
  return TypedData<double>(v, napi_float64_array, "Float64Array", name, length);
}
std::size_t Length(const Napi::Value& v) {
  if (!v.IsTypedArray()) Throw(v.Env(), "ERR_MFREC_INVALID_ARGUMENT", "Expected a typed array");
  return v.As<Napi::TypedArray>().ElementLength();
}

std::size_t Count(Napi::Env env, std::size_t a, std::size_t b, const char* what) {
  constexpr std::size_t kMax = std::size_t{1} << 53;
  if (a > kMax || b > kMax || (b != 0 && a > kMax / b)) {
    Throw(env, "ERR_MFREC_INVALID_ARGUMENT",
          std::string("Size of ") + what + " (" + std::to_string(a) + " x " + std::to_string(b) +
              ") is larger than any array can be");
  }
  return a * b;
}

double Num(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) Throw(o.Env(), "ERR_MFREC_INVALID_ARGUMENT", std::string("Expected number for ") + key);
  return v.As<Napi::Number>().DoubleValue();
}
int64_t Int(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) Throw(o.Env(), "ERR_MFREC_INVALID_ARGUMENT", std::string("Expected integer for ") + key);
  return v.As<Napi::Number>().Int64Value();
}
bool Bool(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsBoolean()) Throw(o.Env(), "ERR_MFREC_INVALID_ARGUMENT", std::string("Expected boolean for ") + key);
  return v.As<Napi::Boolean>().Value();
}

CancelFlag Cancel(const Napi::Value& v) {
  CancelFlag c;
  if (v.IsUndefined() || v.IsNull()) return c;
  c.flag = I32(v, "cancel flag", 1);
  return c;
}

Napi::Promise PromiseWorker::Start(Napi::Env env, std::vector<Napi::Value> keep, Work work,
                                   Result result) {
  auto* w = new PromiseWorker(env, std::move(keep), std::move(work), std::move(result));
  Napi::Promise p = w->deferred_.Promise();
  w->Queue();  // the worker deletes itself after OnOK / OnError
  return p;
}

PromiseWorker::PromiseWorker(Napi::Env env, std::vector<Napi::Value> keep, Work work,
                             Result result)
    : Napi::AsyncWorker(env, "mfrec"),
      deferred_(Napi::Promise::Deferred::New(env)),
      work_(std::move(work)),
      result_(std::move(result)) {
  // N-API 8 references hold objects only; anything else (an absent optional
  // argument) has no memory the work could touch.
  for (auto& v : keep)
    if (v.IsObject()) keep_.push_back(Napi::Persistent(v));
}

void PromiseWorker::Execute() {
  // Exceptions never cross into libuv: they become a code and a message here.
  try {
    work_();
  } catch (const Cancelled&) {
    error_code_ = "ERR_MFREC_ABORTED";
    error_message_ = "The operation was aborted";
  } catch (const std::bad_alloc&) {
    error_code_ = "ERR_MFREC_OUT_OF_MEMORY";
    error_message_ = "Out of memory in native kernel";
  } catch (const std::invalid_argument& e) {
    // A kernel's own index checks (out-of-range row, unsorted list): bad input, not a native failure.
    error_code_ = "ERR_MFREC_INVALID_ARGUMENT";
    error_message_ = e.what();
  } catch (const std::exception& e) {
    error_code_ = "ERR_MFREC_NATIVE";
    error_message_ = e.what();
  } catch (...) {
    error_code_ = "ERR_MFREC_NATIVE";
    error_message_ = "Unknown failure in native kernel";
  }
  if (!error_code_.empty()) SetError(error_message_);
}

void PromiseWorker::OnOK() {
  Napi::Env env = Env();
  try {
    deferred_.Resolve(result_(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  }
}

void PromiseWorker::OnError(const Napi::Error&) {
  deferred_.Reject(MakeError(Env(), error_code_, error_message_).Value());
}

}  // namespace mfrec
