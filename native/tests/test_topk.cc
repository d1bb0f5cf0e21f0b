#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "check.h"
#include "kernels/topk.h"

using namespace mfrec;

namespace {

struct Problem {
  std::size_t users, items, f;
  std::vector<float> u, v, bias, row_scale, col_scale, row_offset;
  std::vector<int32_t> indptr, indices;
};

Problem random_problem(uint32_t seed, std::size_t users, std::size_t items, std::size_t f, bool integer_values) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-1, 1);
  std::uniform_int_distribution<int> small(-2, 2);
  auto draw = [&] { return integer_values ? static_cast<float>(small(rng)) : uni(rng); };
  Problem p{users, items, f, {}, {}, {}, {}, {}, {}, {}, {}};
  p.u.resize(users * f);
  p.v.resize(items * f);
  for (auto& x : p.u) x = draw();
  for (auto& x : p.v) x = draw();
  p.bias.resize(items);
  for (auto& x : p.bias) x = draw();
  p.row_scale.resize(users);
  for (auto& x : p.row_scale) x = 0.5f + std::fabs(uni(rng));
  p.col_scale.resize(items);
  for (auto& x : p.col_scale) x = 0.5f + std::fabs(uni(rng));
  p.row_offset.resize(users);
  for (auto& x : p.row_offset) x = uni(rng);
  p.indptr.push_back(0);
  std::bernoulli_distribution seen(0.3);
  for (std::size_t r = 0; r < users; ++r) {
    for (std::size_t i = 0; i < items; ++i)
      if (seen(rng)) p.indices.push_back(static_cast<int32_t>(i));
    p.indptr.push_back(static_cast<int32_t>(p.indices.size()));
  }
  return p;
}

// Scores every allowed target in double, sorts them all, keeps k.
void brute_force(const TopKQuery& q, std::vector<int32_t>& items, std::vector<float>& scores) {
  items.assign(q.n_rows * q.k, -1);
  scores.assign(q.n_rows * q.k, -std::numeric_limits<float>::infinity());
  for (std::size_t r = 0; r < q.n_rows; ++r) {
    const int32_t row = q.rows[r];
    std::vector<std::pair<double, int32_t>> all;
    for (std::size_t t = 0; t < q.targets; ++t) {
      const int32_t ti = static_cast<int32_t>(t);
      if (q.candidates && !std::binary_search(q.candidates, q.candidates + q.n_candidates, ti)) continue;
      if (q.exclude && std::binary_search(q.exclude, q.exclude + q.n_exclude, ti)) continue;
      if (q.filter.indptr &&
          std::binary_search(q.filter.indices + q.filter.indptr[row], q.filter.indices + q.filter.indptr[row + 1], ti))
        continue;
      if (q.exclude_self && ti == row) continue;
      double s = 0;
      for (std::size_t p = 0; p < q.factors; ++p)
        s += static_cast<double>(q.query[row * q.factors + p]) * q.target[t * q.factors + p];
      if (q.col_scale) s *= q.col_scale[t];
      if (q.row_scale) s *= q.row_scale[row];
      if (q.col_bias) s += q.col_bias[t];
      s += (q.row_offset ? q.row_offset[row] : 0.0) + q.offset;
      all.push_back({s, ti});
    }
    std::sort(all.begin(), all.end(),
              [](auto& a, auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    for (std::size_t i = 0; i < std::min(q.k, all.size()); ++i) {
      items[r * q.k + i] = all[i].second;
      scores[r * q.k + i] = static_cast<float>(all[i].first);
    }
  }
}

// Same items (or, where scores are within rounding of each other, the same
// scores); same padding.
bool agree(const std::vector<int32_t>& ai, const std::vector<float>& as, const std::vector<int32_t>& bi,
           const std::vector<float>& bs) {
  for (std::size_t i = 0; i < ai.size(); ++i) {
    if (ai[i] == bi[i] && (ai[i] == -1 || std::fabs(as[i] - bs[i]) <= 1e-4)) continue;
    if (ai[i] != -1 && bi[i] != -1 && std::fabs(as[i] - bs[i]) <= 1e-4) continue;
    std::fprintf(stderr, "  mismatch at %zu: %d (%g) vs %d (%g)\n", i, ai[i], as[i], bi[i], bs[i]);
    return false;
  }
  return true;
}

TopKQuery base_query(const Problem& p, const std::vector<int32_t>& rows, std::size_t k) {
  TopKQuery q;
  q.query = p.u.data();
  q.query_rows = p.users;
  q.rows = rows.data();
  q.n_rows = rows.size();
  q.target = p.v.data();
  q.targets = p.items;
  q.factors = p.f;
  q.k = k;
  q.threads = 2;
  return q;
}

std::vector<int32_t> all_rows(std::size_t n) {
  std::vector<int32_t> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = static_cast<int32_t>(i);
  return rows;
}

bool run_and_compare(const TopKQuery& q) {
  std::vector<int32_t> items(q.n_rows * q.k), bi;
  std::vector<float> scores(q.n_rows * q.k), bs;
  topk(q, items.data(), scores.data());
  brute_force(q, bi, bs);
  return agree(items, scores, bi, bs);
}

}  // namespace

MFREC_TEST(topk_plain_matches_brute_force) {
  // 150 rows span two blocks (the second partial); 3000 targets span six tiles.
  Problem p = random_problem(11, 150, 3000, 8, false);
  auto rows = all_rows(p.users);
  CHECK(run_and_compare(base_query(p, rows, 10)));
}

MFREC_TEST(topk_filters_bias_and_scales_match_brute_force) {
  Problem p = random_problem(12, 70, 1300, 5, false);
  auto rows = all_rows(p.users);
  std::vector<int32_t> exclude = {0, 3, 17, 640, 1299};
  TopKQuery q = base_query(p, rows, 7);
  q.filter.indptr = p.indptr.data();
  q.filter.rows = q.query_rows;
  q.filter.indices = p.indices.data();
  q.filter_nnz = p.indices.size();
  q.exclude = exclude.data();
  q.n_exclude = exclude.size();
  q.col_bias = p.bias.data();
  q.col_scale = p.col_scale.data();
  q.row_scale = p.row_scale.data();
  q.row_offset = p.row_offset.data();
  q.offset = 3.5f;
  CHECK(run_and_compare(q));
}

MFREC_TEST(topk_candidates_rank_only_the_subset) {
  Problem p = random_problem(13, 20, 500, 4, false);
  std::vector<int32_t> rows = {5, 0, 19, 5};  // any order, repeats allowed
  std::vector<int32_t> candidates, exclude = {2, 40};
  for (int32_t i = 0; i < 500; i += 7) candidates.push_back(i);
  TopKQuery q = base_query(p, rows, 12);
  q.candidates = candidates.data();
  q.n_candidates = candidates.size();
  q.exclude = exclude.data();
  q.n_exclude = exclude.size();
  q.filter.indptr = p.indptr.data();
  q.filter.rows = q.query_rows;
  q.filter.indices = p.indices.data();
  q.filter_nnz = p.indices.size();
  q.col_bias = p.bias.data();
  CHECK(run_and_compare(q));
}

MFREC_TEST(topk_ties_break_by_lower_index_and_pads) {
  // Integer factors in [-2, 2] produce many exact ties.
  Problem p = random_problem(14, 9, 40, 2, true);
  auto rows = all_rows(p.users);
  TopKQuery q = base_query(p, rows, 15);
  q.filter.indptr = p.indptr.data();
  q.filter.rows = q.query_rows;
  q.filter.indices = p.indices.data();
  q.filter_nnz = p.indices.size();
  std::vector<int32_t> items(q.n_rows * q.k), bi;
  std::vector<float> scores(q.n_rows * q.k), bs;
  topk(q, items.data(), scores.data());
  brute_force(q, bi, bs);
  CHECK(items == bi);  // exact: ties resolved identically
  // k larger than the catalogue: every allowed target, then padding.
  q.k = 100;
  q.filter.indptr = nullptr;
  std::vector<int32_t> all(q.n_rows * q.k);
  std::vector<float> all_scores(q.n_rows * q.k);
  topk(q, all.data(), all_scores.data());
  CHECK(all[39] != -1 && all[40] == -1 && std::isinf(all_scores[99]) && all_scores[99] < 0);
  brute_force(q, bi, bs);
  CHECK(all == bi);
}

MFREC_TEST(topk_exclude_self_for_similarity) {
  Problem p = random_problem(15, 30, 30, 6, false);
  auto rows = all_rows(30);
  TopKQuery q = base_query(p, rows, 5);
  q.query = p.v.data();  // items against items
  q.query_rows = 30;
  q.exclude_self = true;
  q.col_scale = p.col_scale.data();
  std::vector<int32_t> items(30 * 5);
  std::vector<float> scores(30 * 5);
  topk(q, items.data(), scores.data());
  bool self_absent = true;
  for (std::size_t r = 0; r < 30; ++r)
    for (std::size_t i = 0; i < 5; ++i) self_absent = self_absent && items[r * 5 + i] != static_cast<int32_t>(r);
  CHECK(self_absent);
  CHECK(run_and_compare(q));
}

MFREC_TEST(topk_nan_scores_never_qualify) {
  Problem p = random_problem(16, 2, 10, 3, false);
  p.v[4 * 3] = std::numeric_limits<float>::quiet_NaN();
  auto rows = all_rows(2);
  TopKQuery q = base_query(p, rows, 10);
  std::vector<int32_t> items(20);
  std::vector<float> scores(20);
  topk(q, items.data(), scores.data());
  bool absent = true;
  for (int32_t x : items) absent = absent && x != 4;
  CHECK(absent && items[9] == -1 && items[8] != -1);
}

MFREC_TEST(topk_rejects_bad_indices_and_honours_cancel) {
  Problem p = random_problem(17, 4, 10, 2, false);
  std::vector<int32_t> rows = {0, 4};
  TopKQuery q = base_query(p, rows, 3);
  std::vector<int32_t> items(6);
  std::vector<float> scores(6);
  bool threw = false;
  try {
    topk(q, items.data(), scores.data());
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
  rows = {0, 1};
  std::vector<int32_t> unsorted = {3, 1};
  q.rows = rows.data();
  q.candidates = unsorted.data();
  q.n_candidates = 2;
  threw = false;
  try {
    topk(q, items.data(), scores.data());
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
  q.candidates = nullptr;
  int32_t flag = 1;
  CancelFlag cancel{&flag};
  bool cancelled = false;
  try {
    topk(q, items.data(), scores.data(), cancel);
  } catch (const Cancelled&) {
    cancelled = true;
  }
  CHECK(cancelled);
}
