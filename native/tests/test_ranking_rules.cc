// Ranking rules inside both top-K kernels: a permit mask ranks what the same
// items as candidates rank; category caps give the greedy pass over the
// full ranking, also when the first pool falls short and rows are ranked
// again; rules that do not fit the catalogue are refused.
#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

#include "check.h"
#include "kernels/item_item_topk.h"
#include "kernels/topk.h"

using namespace mfrec;

namespace {

struct Factors {
  std::size_t users, items, f;
  std::vector<float> u, v;
  std::vector<int32_t> rows;
};

Factors random_factors(uint32_t seed, std::size_t users, std::size_t items, std::size_t f) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> small(-2, 2);
  Factors p{users, items, f, std::vector<float>(users * f), std::vector<float>(items * f), {}};
  for (auto& x : p.u) x = static_cast<float>(small(rng));
  for (auto& x : p.v) x = static_cast<float>(small(rng));
  for (std::size_t r = 0; r < users; ++r) p.rows.push_back(static_cast<int32_t>(r));
  return p;
}

TopKQuery query_of(const Factors& p, std::size_t k) {
  TopKQuery q;
  q.query = p.u.data();
  q.query_rows = p.users;
  q.rows = p.rows.data();
  q.n_rows = p.rows.size();
  q.target = p.v.data();
  q.targets = p.items;
  q.factors = p.f;
  q.k = k;
  q.threads = 2;
  return q;
}

}  // namespace

MFREC_TEST(permit_mask_ranks_like_candidates) {
  const Factors p = random_factors(3, 40, 300, 5);
  std::mt19937 rng(9);
  std::vector<uint32_t> permit((p.items + 31) / 32, 0);
  std::vector<int32_t> candidates;
  for (std::size_t t = 0; t < p.items; ++t) {
    if (rng() % 3 == 0) continue;
    permit[t >> 5] |= 1u << (t & 31);
    candidates.push_back(static_cast<int32_t>(t));
  }
  const std::size_t k = 12;
  std::vector<int32_t> a(p.users * k), b(p.users * k);
  std::vector<float> sa(p.users * k), sb(p.users * k);
  TopKQuery masked = query_of(p, k);
  masked.rules.permit = permit.data();
  masked.rules.permit_words = permit.size();
  topk(masked, a.data(), sa.data());
  TopKQuery listed = query_of(p, k);
  listed.candidates = candidates.data();
  listed.n_candidates = candidates.size();
  topk(listed, b.data(), sb.data());
  CHECK(a == b);
}

MFREC_TEST(category_caps_are_the_greedy_pass_over_the_full_ranking) {
  const Factors p = random_factors(5, 30, 200, 4);
  std::vector<int32_t> category(p.items), caps{1, 3};
  for (std::size_t t = 0; t < p.items; ++t) category[t] = t % 7 == 0 ? -1 : (t % 5 == 0 ? 1 : 0);
  const std::size_t k = 9;
  std::vector<int32_t> got(p.users * k);
  std::vector<float> scores(p.users * k);
  TopKQuery capped = query_of(p, k);
  capped.rules.category = category.data();
  capped.rules.cap = caps.data();
  capped.rules.n_caps = caps.size();
  capped.rules.pool = 1;  // forces the rows to be ranked again with larger pools
  topk(capped, got.data(), scores.data());

  std::vector<int32_t> all(p.users * p.items);
  std::vector<float> all_scores(p.users * p.items);
  topk(query_of(p, p.items), all.data(), all_scores.data());
  for (std::size_t r = 0; r < p.users; ++r) {
    std::vector<int32_t> want, used(caps.size(), 0);
    for (std::size_t j = 0; j < p.items && want.size() < k; ++j) {
      const int32_t t = all[r * p.items + j];
      const int32_t c = category[t];
      if (c >= 0 && used[c] >= caps[c]) continue;
      if (c >= 0) ++used[c];
      want.push_back(t);
    }
    want.resize(k, -1);
    CHECK(std::equal(want.begin(), want.end(), got.begin() + r * k));
  }
}

MFREC_TEST(item_item_sparse_honours_permit_and_caps) {
  // 6 items; item 0's neighbours score 1..5 in order 5 > 4 > 3 > 2 > 1.
  const std::vector<int32_t> h_indptr{0, 1}, h_indices{0};
  const std::vector<float> h_values{1};
  const std::vector<int32_t> w_indptr{0, 5, 5, 5, 5, 5, 5}, w_indices{1, 2, 3, 4, 5};
  const std::vector<float> w_values{5, 4, 3, 2, 1};
  const std::vector<int32_t> rows{0};
  ItemItemTopKQuery q;
  q.history = {1, h_indptr.data(), h_indices.data(), h_values.data()};
  q.history_nnz = 1;
  q.rows = rows.data();
  q.n_rows = 1;
  q.items = 6;
  q.sparse = {6, w_indptr.data(), w_indices.data(), w_values.data()};
  q.sparse_nnz = 5;
  q.filter = q.history;
  q.filter_nnz = 1;
  q.k = 3;
  const std::vector<uint32_t> permit{0b111101u};  // item 1 not allowed
  const std::vector<int32_t> category{-1, 0, 0, 0, 1, 1}, caps{1, 5};
  q.rules.permit = permit.data();
  q.rules.permit_words = 1;
  q.rules.category = category.data();
  q.rules.cap = caps.data();
  q.rules.n_caps = 2;
  q.rules.pool = 3;
  std::vector<int32_t> items(3);
  std::vector<float> scores(3);
  item_item_topk(q, items.data(), scores.data());
  CHECK(items == (std::vector<int32_t>{2, 4, 5}));
}

MFREC_TEST(rules_that_do_not_fit_are_refused) {
  const Factors p = random_factors(1, 2, 40, 2);
  std::vector<int32_t> out(2 * 3);
  std::vector<float> scores(2 * 3);
  std::vector<uint32_t> short_permit(1, ~0u);
  TopKQuery q = query_of(p, 3);
  q.rules.permit = short_permit.data();
  q.rules.permit_words = 1;  // 40 targets need 2 words
  bool threw = false;
  try {
    topk(q, out.data(), scores.data());
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
  std::vector<int32_t> category(p.items, 2), caps{1};
  TopKQuery c = query_of(p, 3);
  c.rules.category = category.data();
  c.rules.cap = caps.data();
  c.rules.n_caps = 1;
  threw = false;
  try {
    topk(c, out.data(), scores.data());
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}
