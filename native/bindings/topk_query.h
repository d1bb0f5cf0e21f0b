// The factor top-K request as both ranking bindings read it (bindings/topk.cc
// for exact scoring, bindings/hnsw.cc for the approximate search): factors,
// query and target matrices, the optional per-row and per-column terms, and
// the filters. Element types and every length the kernels rely on are
// checked here; index contents are checked by the kernels.
#pragma once

#include <cstddef>

#include "bindings/common.h"
#include "kernels/topk.h"

namespace mfrec {

inline TopKQuery ReadTopKQuery(const Args& o) {
  Napi::Env env = o.Env();
  TopKQuery q;
  q.factors = static_cast<std::size_t>(o.IntIn("factors", 1, kMaxFactors));
  q.k = static_cast<std::size_t>(o.IntAtLeast("k", 1));
  q.threads = static_cast<int>(o.Int("threads"));
  q.offset = static_cast<float>(o.Num("offset"));
  q.exclude_self = o.Bool("excludeSelf");

  q.query = o.F32("query");
  if (o.Length("query") % q.factors != 0) ThrowInvalid(env, "query length is not a multiple of factors");
  q.query_rows = o.Length("query") / q.factors;
  q.target = o.F32("target");
  if (o.Length("target") % q.factors != 0) ThrowInvalid(env, "target length is not a multiple of factors");
  q.targets = o.Length("target") / q.factors;
  q.rows = o.I32("rows");
  q.n_rows = o.Length("rows");

  auto optional_f32 = [&](const char* key, std::size_t length) -> const float* {
    return o.Has(key) ? o.F32(key, length) : nullptr;
  };
  q.row_scale = optional_f32("rowScale", q.query_rows);
  q.row_offset = optional_f32("rowOffset", q.query_rows);
  q.col_scale = optional_f32("colScale", q.targets);
  q.col_bias = optional_f32("colBias", q.targets);

  ReadRankingFilters(o, q.query_rows, q);
  return q;
}

}  // namespace mfrec
