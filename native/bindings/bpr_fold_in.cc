// Binding for kernels/bpr_fold_in.h: synchronous, since one row's fold-in
// takes about a millisecond (bench/README.md). See lib/addon/bpr-fold-in.ts
// for the argument shapes.
#include "kernels/bpr_fold_in.h"

#include <string>

#include "bindings/common.h"
#include "bindings/modules.h"

namespace mfrec {

namespace {

BprFoldInParams ReadParams(const Args& args) {
  BprFoldInParams p;
  p.factors = static_cast<std::size_t>(args.IntIn("factors", 1, kMaxFactors));
  p.iterations = static_cast<uint32_t>(args.IntIn("iterations", 0, 0x7fffffff));
  p.learning_rate = args.Num("learningRate");
  p.regularization = args.Num("regularization");
  p.seed = static_cast<uint32_t>(args.IntIn("seed", 0, 0xffffffffLL));
  p.verify_negative = args.Bool("verifyNegative");
  return p;
}

// bprFoldInUser({ factors, iterations, learningRate, regularization, seed,
// verifyNegative, itemFactors, itemBias, positives, out }) -> out
Napi::Value FoldInUser(const Napi::CallbackInfo& info) {
  const Args args(info);
  Napi::Env env = args.Env();
  const BprFoldInParams p = ReadParams(args);
  const std::size_t n_items = args.Length("itemBias");
  const float* item_bias = args.F32("itemBias");
  const float* item_factors = args.F32("itemFactors", Count(env, n_items, p.factors, "itemFactors"));
  const int32_t* positives = args.I32("positives");
  const std::size_t n = args.Length("positives");
  float* out = args.F32("out", p.factors);
  RunSync(env, [&] { bpr_fold_in_user(p, item_factors, item_bias, n_items, positives, n, out); });
  return info[0].As<Napi::Object>().Get("out");
}

// bprFoldInItem({ ...params, userFactors, itemFactors, itemBias, seen,
// userOfEntry, columnCounts, fans, item, out }) -> bias (out holds the factors)
Napi::Value FoldInItem(const Napi::CallbackInfo& info) {
  const Args args(info);
  Napi::Env env = args.Env();
  const BprFoldInParams p = ReadParams(args);
  BprItemContext c;
  c.n_items = args.Length("itemBias");
  c.item_bias = args.F32("itemBias");
  c.item_factors = args.F32("itemFactors", Count(env, c.n_items, p.factors, "itemFactors"));
  c.n_users = args.Length("userFactors") / p.factors;
  c.user_factors = args.F32("userFactors", Count(env, c.n_users, p.factors, "userFactors"));
  std::size_t cols = 0;
  c.seen = args.Csr("seen", &cols);
  if (cols != c.n_items) ThrowInvalid(env, "seen.cols must equal the number of items");
  if (c.seen.rows > c.n_users) ThrowInvalid(env, "seen has more rows than userFactors");
  c.nnz = static_cast<std::size_t>(c.seen.indptr[c.seen.rows]);
  c.user_of_entry = args.I32("userOfEntry", c.nnz);
  for (std::size_t e = 0; e < c.nnz; ++e) {
    if (c.user_of_entry[e] < 0 || static_cast<std::size_t>(c.user_of_entry[e]) >= c.seen.rows)
      ThrowInvalid(env, "userOfEntry[" + std::to_string(e) + "] out of range");
  }
  c.column_counts = args.F32("columnCounts", c.n_items);
  const int32_t* fans = args.I32("fans");
  const std::size_t nf = args.Length("fans");
  const int32_t item = static_cast<int32_t>(args.IntIn("item", -1, 0x7fffffff));
  float* out = args.F32("out", p.factors);
  double bias = 0;
  RunSync(env, [&] { bpr_fold_in_item(p, c, fans, nf, item, out, &bias); });
  return Napi::Number::New(env, bias);
}

}  // namespace

void RegisterBprFoldIn(Napi::Env env, Napi::Object exports) {
  exports.Set("bprFoldInUser", Napi::Function::New(env, FoldInUser, "bprFoldInUser"));
  exports.Set("bprFoldInItem", Napi::Function::New(env, FoldInItem, "bprFoldInItem"));
}

}  // namespace mfrec
