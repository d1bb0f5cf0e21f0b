#include "bindings/ranking_rules.h"

#include <cstdint>

namespace mfrec {

RankingRules ReadRankingRules(const Args& o, std::size_t targets) {
  RankingRules r;
  if (!o.Has("rules")) return r;
  const Args a = o.Object("rules");
  if (a.Has("permit")) {
    r.permit_words = (targets + 31) / 32;
    r.permit = reinterpret_cast<const uint32_t*>(a.I32("permit", r.permit_words));
  }
  if (a.Has("category") != a.Has("caps")) ThrowInvalid(a.Env(), "rules.category and rules.caps come together");
  if (a.Has("category")) {
    r.category = a.I32("category", targets);
    r.cap = a.I32("caps");
    r.n_caps = a.Length("caps");
  }
  if (a.Has("lambda")) {
    r.diversity = true;
    r.lambda = a.Num("lambda");
  }
  r.pool = static_cast<std::size_t>(a.IntIn("pool", 0, INT32_MAX));
  return r;
}

}  // namespace mfrec
