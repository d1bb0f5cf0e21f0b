// Reads the optional "rules" object of both top-K bindings (the compiled
// RankingRules of lib/models/base/ranking-rules.ts) into kernels/ranking_rules.h's
// struct: lengths and types here, index ranges in the kernel.
#pragma once

#include <cstddef>

#include "bindings/common.h"
#include "kernels/ranking_rules.h"

namespace mfrec {

// { permit?: Int32Array (ceil(targets/32) words), category?: Int32Array
// (targets), caps?: Int32Array, lambda?: number, pool: integer }; absent
// "rules": the default rules, which change nothing.
RankingRules ReadRankingRules(const Args& o, std::size_t targets);

}  // namespace mfrec
