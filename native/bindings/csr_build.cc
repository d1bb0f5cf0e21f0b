// Binding for kernels/csr_build.h: synchronous, as Interactions.fromIndices
// is; the kernel's own threads do the work. See lib/addon/csr-build.ts for
// the argument shape.
#include "kernels/csr_build.h"

#include "bindings/common.h"
#include "bindings/modules.h"

namespace mfrec {

namespace {

// csrBuild({ rows, cols, values, times?, nRows, nCols, aggregate (0 sum, 1
// mean, 2 last), threads, indptr, indices, outValues, outTimes? }) -> the
// number of entries after duplicates combined, or -1 (nothing written) when
// a row or column index is out of range.
Napi::Value Build(const Napi::CallbackInfo& info) {
  const Args args(info);
  Napi::Env env = args.Env();
  CooEntries in;
  in.rows = args.I32("rows");
  in.n = args.Length("rows");
  in.cols = args.I32("cols", in.n);
  in.values = args.F32("values", in.n);
  if (args.Has("times")) in.times = args.F64("times", in.n);
  in.n_rows = static_cast<int32_t>(args.IntIn("nRows", 0, 0x7fffffff));
  const int64_t n_cols = args.IntIn("nCols", 0, 0x7fffffff);
  if (in.n > 0x7fffffff) ThrowInvalid(env, "rows: more than 2^31-1 entries");
  const auto aggregate = static_cast<CsrAggregate>(args.IntIn("aggregate", 0, 2));
  const int threads = resolve_threads(static_cast<int>(args.IntIn("threads", 0, 4096)));
  CsrOut out;
  out.indptr = args.I32("indptr", static_cast<std::size_t>(in.n_rows) + 1);
  out.indices = args.I32("indices", in.n);
  out.values = args.F32("outValues", in.n);
  if (in.times != nullptr) out.times = args.F64("outTimes", in.n);
  // Indices index the counts and rows: one out of range would write outside
  // them. Checked here, in one fast pass; the caller names the bad one.
  for (std::size_t k = 0; k < in.n; ++k) {
    if (in.rows[k] < 0 || in.rows[k] >= in.n_rows || in.cols[k] < 0 || in.cols[k] >= n_cols)
      return Napi::Number::New(env, -1);
  }
  std::size_t m = 0;
  RunSync(env, [&] { m = build_csr(in, aggregate, out, threads); });
  return Napi::Number::New(env, static_cast<double>(m));
}

}  // namespace

void RegisterCsrBuild(Napi::Env env, Napi::Object exports) {
  exports.Set("csrBuild", Napi::Function::New(env, Build, "csrBuild"));
}

}  // namespace mfrec
