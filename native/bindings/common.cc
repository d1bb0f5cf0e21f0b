#include "bindings/common.h"

#include <cmath>
#include <utility>

namespace mfrec {

Args::Args(const Napi::CallbackInfo& info) : kept_(std::make_shared<std::vector<Napi::Value>>()) {
  if (info.Length() < 1 || !info[0].IsObject()) ThrowInvalid(info.Env(), "Expected one arguments object");
  object_ = info[0].As<Napi::Object>();
}

Args::Args(Napi::Object object, std::string path, std::shared_ptr<std::vector<Napi::Value>> kept)
    : object_(object), path_(std::move(path)), kept_(std::move(kept)) {}

Args Args::Object(const char* key) const {
  Napi::Value v = Get(key);
  if (!v.IsObject() || v.IsTypedArray()) ThrowInvalid(Env(), "Expected an object for " + Name(key));
  Keep(v);
  return Args(v.As<Napi::Object>(), Name(key) + ".", kept_);
}

std::string Args::Name(const char* key) const { return path_ + key; }

Napi::Value Args::Get(const char* key) const { return object_.Get(key); }

void Args::Keep(const Napi::Value& v) const { kept_->push_back(v); }

Napi::Object Args::Holder() const {
  Napi::Array holder = Napi::Array::New(Env(), kept_->size());
  for (std::size_t i = 0; i < kept_->size(); ++i) holder.Set(static_cast<uint32_t>(i), (*kept_)[i]);
  return holder;
}

bool Args::Has(const char* key) const {
  Napi::Value v = Get(key);
  return !v.IsUndefined() && !v.IsNull();
}

double Args::Num(const char* key) const {
  Napi::Value v = Get(key);
  if (!v.IsNumber()) ThrowInvalid(Env(), "Expected number for " + Name(key));
  return v.As<Napi::Number>().DoubleValue();
}

int64_t Args::Int(const char* key) const {
  Napi::Value v = Get(key);
  if (!v.IsNumber()) ThrowInvalid(Env(), "Expected integer for " + Name(key));
  // A fraction, NaN or a number past int64 would otherwise be truncated or
  // saturated into some other count (1.5 -> 1, NaN -> 0) and silently used.
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(std::trunc(d) == d && std::fabs(d) < 0x1p63))
    ThrowInvalid(Env(), "Expected integer for " + Name(key) + ", got " + v.ToString().Utf8Value());
  return static_cast<int64_t>(d);
}

int64_t Args::IntIn(const char* key, int64_t lo, int64_t hi) const {
  const int64_t n = Int(key);
  if (n < lo || n > hi)
    ThrowInvalid(Env(), Name(key) + " out of range: " + std::to_string(n) + " is not in [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + "]");
  return n;
}

int64_t Args::IntAtLeast(const char* key, int64_t lo) const {
  const int64_t n = Int(key);
  if (n < lo)
    ThrowInvalid(Env(), Name(key) + " out of range: " + std::to_string(n) + " is below " + std::to_string(lo));
  return n;
}

bool Args::Bool(const char* key) const {
  Napi::Value v = Get(key);
  if (!v.IsBoolean()) ThrowInvalid(Env(), "Expected boolean for " + Name(key));
  return v.As<Napi::Boolean>().Value();
}

template <typename T>
T* Args::Typed(const char* key, napi_typedarray_type type, const char* type_name, std::size_t length) const {
  Napi::Value v = Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    ThrowInvalid(Env(), std::string("Expected ") + type_name + " for " + Name(key));
  auto arr = v.As<Napi::TypedArrayOf<T>>();
  if (length != SIZE_MAX && arr.ElementLength() != length)
    ThrowInvalid(Env(), "Expected " + Name(key) + " of length " + std::to_string(length) + " but received length " +
                            std::to_string(arr.ElementLength()));
  Keep(v);
  // An empty array may have no memory at all (Data() is null), and kernels
  // read a null pointer as "not given": an empty candidate list would then
  // rank every target. Point empty arrays at a sentinel no one reads.
  if (arr.ElementLength() == 0) {
    alignas(64) static T empty_array_sentinel[1] = {};
    return empty_array_sentinel;
  }
  return arr.Data();
}

float* Args::F32(const char* key, std::size_t length) const {
  return Typed<float>(key, napi_float32_array, "Float32Array", length);
}
int32_t* Args::I32(const char* key, std::size_t length) const {
  return Typed<int32_t>(key, napi_int32_array, "Int32Array", length);
}
double* Args::F64(const char* key, std::size_t length) const {
  return Typed<double>(key, napi_float64_array, "Float64Array", length);
}

std::size_t Args::Length(const char* key) const {
  Napi::Value v = Get(key);
  if (!v.IsTypedArray()) ThrowInvalid(Env(), "Expected a typed array for " + Name(key));
  return v.As<Napi::TypedArray>().ElementLength();
}

CancelFlag Args::Cancel() const {
  CancelFlag c;
  if (Has("cancel")) c.flag = I32("cancel", 1);
  return c;
}

CsrView Args::Csr(const char* key, std::size_t* cols) const {
  const Args m = Object(key);
  const std::size_t rows = static_cast<std::size_t>(m.IntIn("rows", 0, 0x7fffffff));
  *cols = static_cast<std::size_t>(m.IntIn("cols", 0, 0x7fffffff));
  CsrView view;
  view.rows = rows;
  view.indptr = m.I32("indptr", rows + 1);
  const std::size_t nnz = m.Length("indices");
  view.indices = m.I32("indices", nnz);
  view.values = m.F32("values", nnz);
  if (const char* problem = csr_problem(view, *cols, nnz))
    ThrowInvalid(Env(), std::string(problem) + " in " + Name(key));
  return view;
}

std::size_t Count(Napi::Env env, std::size_t a, std::size_t b, const char* what) {
  constexpr std::size_t kMax = std::size_t{1} << 53;
  if (a > kMax || b > kMax || (b != 0 && a > kMax / b))
    ThrowInvalid(env, std::string("Size of ") + what + " (" + std::to_string(a) + " x " + std::to_string(b) +
                          ") is larger than any array can be");
  return a * b;
}

Napi::Promise PromiseWorker::Start(const Args& args, Work work, Result result) {
  auto* w = new PromiseWorker(args.Env(), args.Holder(), std::move(work), std::move(result));
  Napi::Promise p = w->deferred_.Promise();
  w->Queue();  // the worker deletes itself after OnOK / OnError
  return p;
}

Napi::Promise PromiseWorker::Start(const Args& args, Work work) {
  return Start(args, std::move(work), [](Napi::Env env) { return env.Undefined(); });
}

PromiseWorker::PromiseWorker(Napi::Env env, Napi::Object holder, Work work, Result result)
    : Napi::AsyncWorker(env, "mfrec"),
      deferred_(Napi::Promise::Deferred::New(env)),
      holder_(Napi::Persistent(holder)),
      work_(std::move(work)),
      result_(std::move(result)) {}

void PromiseWorker::Execute() {
  // Exceptions never cross into libuv: they become a code and a message here.
  try {
    work_();
  } catch (...) {
    failure_ = CurrentFailure();
    SetError(failure_.message);
  }
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
  deferred_.Reject(MakeError(Env(), failure_.code, failure_.message).Value());
}

}  // namespace mfrec
