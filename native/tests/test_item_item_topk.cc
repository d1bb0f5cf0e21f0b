#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "check.h"
#include "kernels/item_item_topk.h"

using namespace mfrec;

namespace {

struct Problem {
  std::size_t users, items;
  std::vector<int32_t> h_indptr, h_indices;  // history, also the seen filter
  std::vector<float> h_values;
  std::vector<float> dense;                  // items x items
  std::vector<int32_t> s_indptr, s_indices;  // the same weights as neighbour rows
  std::vector<float> s_values;
};

// A history (every fourth row empty) and W, dense and as sparse neighbour rows
// holding the same weights: `per` random neighbours per item, unsorted, all
// other weights 0. Integer weights produce exact ties.
Problem random_problem(uint32_t seed, std::size_t users, std::size_t items, std::size_t per, bool integer_values) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-1, 1);
  std::uniform_int_distribution<int> small(-2, 2);
  std::uniform_int_distribution<int32_t> item(0, static_cast<int32_t>(items) - 1);
  auto draw = [&] { return integer_values ? static_cast<float>(small(rng)) : uni(rng); };
  Problem p{users, items, {0}, {}, {}, {}, {0}, {}, {}};
  std::bernoulli_distribution held(0.2);
  for (std::size_t r = 0; r < users; ++r) {
    for (std::size_t i = 0; i < items && r % 4 != 0; ++i) {
      if (!held(rng)) continue;
      p.h_indices.push_back(static_cast<int32_t>(i));
      p.h_values.push_back(integer_values ? 1.0f : 0.5f + std::fabs(uni(rng)));
    }
    p.h_indptr.push_back(static_cast<int32_t>(p.h_indices.size()));
  }
  p.dense.assign(items * items, 0.0f);
  for (std::size_t i = 0; i < items; ++i) {
    std::set<int32_t> row;
    while (row.size() < std::min(per, items)) row.insert(item(rng));
    std::vector<int32_t> shuffled(row.begin(), row.end());
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    for (int32_t j : shuffled) {
      const float v = draw();
      p.s_indices.push_back(j);
      p.s_values.push_back(v);
      p.dense[i * items + static_cast<std::size_t>(j)] = v;
    }
    p.s_indptr.push_back(static_cast<int32_t>(p.s_indices.size()));
  }
  return p;
}

ItemItemTopKQuery base_query(const Problem& p, const std::vector<int32_t>& rows, std::size_t k, bool sparse) {
  ItemItemTopKQuery q;
  q.history = {p.users, p.h_indptr.data(), p.h_indices.data(), p.h_values.data()};
  q.history_nnz = p.h_indices.size();
  q.rows = rows.data();
  q.n_rows = rows.size();
  q.items = p.items;
  if (sparse) {
    q.sparse = {p.items, p.s_indptr.data(), p.s_indices.data(), p.s_values.data()};
    q.sparse_nnz = p.s_indices.size();
  } else {
    q.dense = p.dense.data();
  }
  q.k = k;
  q.threads = 2;
  return q;
}

void with_seen_filter(const Problem& p, ItemItemTopKQuery& q) {
  q.filter = {p.users, p.h_indptr.data(), p.h_indices.data(), nullptr};
  q.filter_nnz = p.h_indices.size();
}

// Scores every allowed item in double from the dense weights, sorts them all, keeps k.
void brute_force(const Problem& p, const ItemItemTopKQuery& q, std::vector<int32_t>& items,
                 std::vector<float>& scores) {
  items.assign(q.n_rows * q.k, -1);
  scores.assign(q.n_rows * q.k, -std::numeric_limits<float>::infinity());
  for (std::size_t r = 0; r < q.n_rows; ++r) {
    const int32_t row = q.rows[r];
    std::vector<std::pair<double, int32_t>> all;
    for (std::size_t j = 0; j < q.items; ++j) {
      const int32_t ji = static_cast<int32_t>(j);
      if (q.candidates && !std::binary_search(q.candidates, q.candidates + q.n_candidates, ji)) continue;
      if (q.exclude && std::binary_search(q.exclude, q.exclude + q.n_exclude, ji)) continue;
      if (q.filter.indptr &&
          std::binary_search(q.filter.indices + q.filter.indptr[row], q.filter.indices + q.filter.indptr[row + 1], ji))
        continue;
      double s = 0;
      for (int32_t e = p.h_indptr[row]; e < p.h_indptr[row + 1]; ++e)
        s += static_cast<double>(p.h_values[e]) * p.dense[static_cast<std::size_t>(p.h_indices[e]) * p.items + j];
      all.push_back({s, ji});
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

std::vector<int32_t> all_rows(std::size_t n) {
  std::vector<int32_t> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = static_cast<int32_t>(i);
  return rows;
}

struct Result {
  std::vector<int32_t> items;
  std::vector<float> scores;
};

Result run(const ItemItemTopKQuery& q) {
  Result r{std::vector<int32_t>(q.n_rows * q.k), std::vector<float>(q.n_rows * q.k)};
  item_item_topk(q, r.items.data(), r.scores.data());
  return r;
}

// Dense and sparse W hold the same weights, so both must give the same bits
// (each column's products and additions happen in the same order), and agree
// with the brute force.
bool dense_sparse_and_brute_force_agree(const Problem& p, ItemItemTopKQuery q) {
  q.sparse = {};
  q.dense = p.dense.data();
  const Result dense = run(q);
  q.dense = nullptr;
  q.sparse = {p.items, p.s_indptr.data(), p.s_indices.data(), p.s_values.data()};
  q.sparse_nnz = p.s_indices.size();
  const Result sparse = run(q);
  Result brute;
  brute_force(p, q, brute.items, brute.scores);
  return dense.items == sparse.items && dense.scores == sparse.scores &&
         agree(dense.items, dense.scores, brute.items, brute.scores);
}

template <typename Fn>
bool throws_invalid(Fn fn) {
  try {
    fn();
  } catch (const std::invalid_argument&) {
    return true;
  }
  return false;
}

}  // namespace

MFREC_TEST(item_item_topk_matches_brute_force_over_tiles) {
  // 4500 items span two selection tiles of 4096.
  Problem p = random_problem(21, 12, 4500, 30, false);
  auto rows = all_rows(p.users);
  ItemItemTopKQuery q = base_query(p, rows, 10, false);
  with_seen_filter(p, q);
  CHECK(dense_sparse_and_brute_force_agree(p, q));
}

MFREC_TEST(item_item_topk_exclusions_and_candidates) {
  Problem p = random_problem(22, 30, 400, 25, false);
  std::vector<int32_t> rows = {5, 0, 29, 5, 12};  // any order, repeats allowed
  std::vector<int32_t> exclude = {0, 3, 17, 200, 399}, candidates;
  for (int32_t i = 0; i < 400; i += 3) candidates.push_back(i);
  ItemItemTopKQuery q = base_query(p, rows, 8, false);
  with_seen_filter(p, q);
  q.exclude = exclude.data();
  q.n_exclude = exclude.size();
  CHECK(dense_sparse_and_brute_force_agree(p, q));
  q.candidates = candidates.data();
  q.n_candidates = candidates.size();
  CHECK(dense_sparse_and_brute_force_agree(p, q));
  const Result r = run(q);
  bool only_candidates = true;
  for (int32_t x : r.items) only_candidates = only_candidates && x % 3 == 0 && x != 0;
  CHECK(only_candidates);
}

MFREC_TEST(item_item_topk_ties_padding_and_empty_histories) {
  // Integer weights: many exact ties, resolved to the lower index.
  Problem p = random_problem(23, 9, 40, 12, true);
  auto rows = all_rows(p.users);
  ItemItemTopKQuery q = base_query(p, rows, 15, true);
  with_seen_filter(p, q);
  Result r = run(q), brute;
  brute_force(p, q, brute.items, brute.scores);
  CHECK(r.items == brute.items);
  CHECK(dense_sparse_and_brute_force_agree(p, q));
  // k past the catalogue: every item, then padding. Row 0 has no history:
  // every score is 0, so the items come in index order.
  q.k = 50;
  q.filter = {};
  r = run(q);
  CHECK(r.items[39] != -1 && r.items[40] == -1 && std::isinf(r.scores[49]) && r.scores[49] < 0);
  bool in_order = true;
  for (int32_t i = 0; i < 40; ++i) in_order = in_order && r.items[i] == i && r.scores[i] == 0.0f;
  CHECK(in_order);
  brute_force(p, q, brute.items, brute.scores);
  CHECK(r.items == brute.items);
}

MFREC_TEST(item_item_topk_threads_do_not_change_bits) {
  Problem p = random_problem(24, 90, 700, 40, false);
  auto rows = all_rows(p.users);
  for (bool sparse : {false, true}) {
    ItemItemTopKQuery q = base_query(p, rows, 9, sparse);
    with_seen_filter(p, q);
    q.threads = 1;
    const Result one = run(q);
    q.threads = 2;
    const Result two = run(q);
    CHECK(one.items == two.items && one.scores == two.scores);
  }
}

MFREC_TEST(item_item_topk_nan_scores_never_qualify) {
  Problem p = random_problem(25, 2, 10, 10, false);
  std::vector<int32_t> rows = {1};
  const int32_t held = p.h_indices[p.h_indptr[1]];
  p.dense[static_cast<std::size_t>(held) * 10 + 4] = std::numeric_limits<float>::quiet_NaN();
  ItemItemTopKQuery q = base_query(p, rows, 10, false);
  const Result r = run(q);
  CHECK(std::find(r.items.begin(), r.items.end(), 4) == r.items.end() && r.items[9] == -1 && r.items[8] != -1);
}

MFREC_TEST(item_item_topk_rejects_bad_indices_and_honours_cancel) {
  Problem p = random_problem(26, 4, 10, 3, false);
  std::vector<int32_t> rows = {1, 2};
  std::vector<int32_t> out_items(6);
  std::vector<float> out_scores(6);
  auto call = [&](const ItemItemTopKQuery& q) { item_item_topk(q, out_items.data(), out_scores.data()); };
  ItemItemTopKQuery good = base_query(p, rows, 3, true);
  call(good);

  std::vector<int32_t> bad_rows = {1, 4};
  ItemItemTopKQuery q = good;
  q.rows = bad_rows.data();
  CHECK(throws_invalid([&] { call(q); }));

  std::vector<int32_t> bad_history = p.h_indices;
  for (auto& x : bad_history) x = 10;
  q = good;
  q.history.indices = bad_history.data();
  CHECK(throws_invalid([&] { call(q); }));

  std::vector<int32_t> bad_neighbours = p.s_indices;
  for (auto& x : bad_neighbours) x = -1;
  q = good;
  q.sparse.indices = bad_neighbours.data();
  CHECK(throws_invalid([&] { call(q); }));

  q = good;
  q.sparse_nnz = 2;  // the rows' pointers now run past the entries
  CHECK(throws_invalid([&] { call(q); }));

  std::vector<int32_t> filter_indptr = {0, 0, 1, 1, 1}, filter_indices = {10};
  q = good;
  q.filter = {4, filter_indptr.data(), filter_indices.data(), nullptr};
  q.filter_nnz = 1;
  CHECK(throws_invalid([&] { call(q); }));

  std::vector<int32_t> unsorted = {3, 1};
  q = good;
  q.exclude = unsorted.data();
  q.n_exclude = 2;
  CHECK(throws_invalid([&] { call(q); }));
  q = good;
  q.candidates = unsorted.data();
  q.n_candidates = 2;
  CHECK(throws_invalid([&] { call(q); }));

  q = good;
  q.dense = p.dense.data();  // both forms of W
  CHECK(throws_invalid([&] { call(q); }));

  int32_t flag = 1;
  bool cancelled = false;
  try {
    item_item_topk(good, out_items.data(), out_scores.data(), CancelFlag{&flag});
  } catch (const Cancelled&) {
    cancelled = true;
  }
  CHECK(cancelled);
}

MFREC_TEST(item_item_topk_sparse_w_reaching_few_items) {
  // Two neighbours per item over 300 items: most items are unreached and
  // score 0, tying with reached items whose weights cancel; integer weights
  // make reached scores of exactly 0 and below common.
  Problem p = random_problem(27, 16, 300, 2, true);
  auto rows = all_rows(p.users);
  std::vector<int32_t> exclude = {0, 1, 7}, candidates;
  for (int32_t i = 0; i < 300; i += 2) candidates.push_back(i);
  for (std::size_t k : {3, 40, 300}) {
    ItemItemTopKQuery q = base_query(p, rows, k, true);
    with_seen_filter(p, q);
    q.exclude = exclude.data();
    q.n_exclude = exclude.size();
    CHECK(dense_sparse_and_brute_force_agree(p, q));
    q.candidates = candidates.data();
    q.n_candidates = candidates.size();
    CHECK(dense_sparse_and_brute_force_agree(p, q));
  }
}
