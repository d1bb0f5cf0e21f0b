// What every binding shares: the one calling convention (one arguments
// object, read into a plain struct), the per-environment state, and the
// Promise worker that runs a kernel off the event loop.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bindings/errors.h"
#include "kernels/csr.h"
#include "kernels/parallel.h"

namespace mfrec {

// Per-environment state (one per main thread / worker_thread).
struct AddonData {
  Napi::FunctionReference error_class;  // MfrecError from lib/errors.ts
};

// The one calling convention: every binding takes one arguments object,
// which it reads, field by field and with every check, into the plain struct
// its kernel takes before any kernel runs. Reading is done through Args,
// which also records every JS object whose memory the struct points into: an
// asynchronous call gathers them into one holder array and keeps it alive as
// one persistent reference, so reassigning a property of the arguments object
// while the kernel runs cannot free memory the kernel uses.
class Args {
 public:
  // The arguments object info[0]; INVALID_ARGUMENT when it is not an object.
  explicit Args(const Napi::CallbackInfo& info);
  // The object property `key` (e.g. "grid"), read the same way; its fields
  // are named "grid.users" in errors and kept by the same holder.
  Args Object(const char* key) const;

  Napi::Env Env() const { return object_.Env(); }
  // Present, and neither undefined nor null.
  bool Has(const char* key) const;
  double Num(const char* key) const;
  int64_t Int(const char* key) const;
  // An integer in [lo, hi], else INVALID_ARGUMENT naming the field.
  int64_t IntIn(const char* key, int64_t lo, int64_t hi) const;
  int64_t IntAtLeast(const char* key, int64_t lo) const;
  bool Bool(const char* key) const;

  // Typed arrays: the element type is checked and, when `length` is not
  // SIZE_MAX, the element count. The pointers alias JS memory, kept alive by
  // the holder; never null, even for an empty array.
  float* F32(const char* key, std::size_t length = SIZE_MAX) const;
  int32_t* I32(const char* key, std::size_t length = SIZE_MAX) const;
  double* F64(const char* key, std::size_t length = SIZE_MAX) const;
  // The element count of the typed array at `key`.
  std::size_t Length(const char* key) const;

  // The optional "cancel" property: an Int32Array of length 1.
  CancelFlag Cancel() const;
  // The SparseRows object (lib/data/sparse.ts) at `key`, passed through
  // csr_problem so that no index points outside the factor matrices; its
  // column count goes to *cols.
  CsrView Csr(const char* key, std::size_t* cols) const;

  // Every JS object read so far, in one new array (the holder).
  Napi::Object Holder() const;

 private:
  Args(Napi::Object object, std::string path, std::shared_ptr<std::vector<Napi::Value>> kept);
  std::string Name(const char* key) const;
  Napi::Value Get(const char* key) const;
  void Keep(const Napi::Value& v) const;
  template <typename T>
  T* Typed(const char* key, napi_typedarray_type type, const char* type_name, std::size_t length) const;

  Napi::Object object_;
  std::string path_;  // "" or "grid."
  // Handles of the call's scope; only an asynchronous call turns them into
  // a holder, so a synchronous call allocates nothing on the JS heap.
  std::shared_ptr<std::vector<Napi::Value>> kept_;
};

// The factor count every kernel accepts: 1 .. kMaxFactors. One bound for all
// models: an ALS row solve works on a factors x factors system, which at 2^16
// factors is already 2^32 floats, and no useful model comes near it.
constexpr int64_t kMaxFactors = 65536;

// a * b as an element count for a length check. Refuses (INVALID_ARGUMENT)
// a product that wraps around or exceeds 2^53: otherwise huge sizes from JS
// could multiply to a small number and pass the check with a short array.
std::size_t Count(Napi::Env env, std::size_t a, std::size_t b, const char* what);

// Runs `work` on a libuv worker thread and settles a Promise: resolves with
// `result(env)` or rejects with the typed error CurrentFailure() names.
// `holder` (Args::Holder()) stays referenced until then.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Result = std::function<Napi::Value(Napi::Env)>;

  static Napi::Promise Start(const Args& args, Work work, Result result);
  // For work that resolves with undefined.
  static Napi::Promise Start(const Args& args, Work work);

 private:
  PromiseWorker(Napi::Env env, Napi::Object holder, Work work, Result result);
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference holder_;
  Work work_;
  Result result_;
  Failure failure_{nullptr, {}};
};

// The ranking filters both top-K bindings read, into a query with the
// fields of kernels/topk.h and kernels/item_item_topk.h: the per-row "seen"
// filter (CSR over `query_rows`), targets never returned, and the candidate
// subset. Each is optional; lengths are checked, index ranges by the kernel.
template <class Query>
void ReadRankingFilters(const Args& o, std::size_t query_rows, Query& q) {
  if (o.Has("filterIndptr")) {
    q.filter.rows = query_rows;
    q.filter.indptr = o.I32("filterIndptr", query_rows + 1);
    q.filter.indices = o.I32("filterIndices");
    q.filter_nnz = o.Length("filterIndices");
  }
  if (o.Has("exclude")) {
    q.exclude = o.I32("exclude");
    q.n_exclude = o.Length("exclude");
  }
  if (o.Has("candidates")) {
    q.candidates = o.I32("candidates");
    q.n_candidates = o.Length("candidates");
  }
}

}  // namespace mfrec
