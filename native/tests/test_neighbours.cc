#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/neighbours.h"

using namespace mfrec;

namespace {

struct Csr {
  std::size_t rows = 0, cols = 0;
  std::vector<int32_t> indptr{0}, indices;
  std::vector<float> values;
  CsrView view() const { return {rows, indptr.data(), indices.data(), values.data()}; }
};

// Users x items with positive values; every `empty_every`-th user and item empty.
Csr random_by_user(uint32_t seed, std::size_t users, std::size_t items, double density, std::size_t empty_every) {
  std::mt19937 rng(seed);
  std::bernoulli_distribution present(density);
  std::uniform_real_distribution<float> value(0.1f, 3.0f);
  Csr m;
  m.rows = users;
  m.cols = items;
  for (std::size_t u = 0; u < users; ++u) {
    for (std::size_t i = 0; i < items; ++i)
      if (!(u % empty_every == 0 || i % empty_every == 0) && present(rng)) {
        m.indices.push_back(static_cast<int32_t>(i));
        m.values.push_back(value(rng));
      }
    m.indptr.push_back(static_cast<int32_t>(m.indices.size()));
  }
  return m;
}

Csr transpose(const Csr& m) {
  Csr t;
  t.rows = m.cols;
  t.cols = m.rows;
  t.indptr.assign(m.cols + 1, 0);
  for (int32_t c : m.indices) ++t.indptr[c + 1];
  for (std::size_t c = 0; c < m.cols; ++c) t.indptr[c + 1] += t.indptr[c];
  std::vector<int32_t> next(t.indptr.begin(), t.indptr.end() - 1);
  t.indices.resize(m.indices.size());
  t.values.resize(m.values.size());
  for (std::size_t r = 0; r < m.rows; ++r)
    for (int32_t e = m.indptr[r]; e < m.indptr[r + 1]; ++e) {
      const int32_t slot = next[m.indices[e]]++;
      t.indices[slot] = static_cast<int32_t>(r);
      t.values[slot] = m.values[e];
    }
  return t;
}

struct Result {
  std::vector<int32_t> idx;
  std::vector<float> score;
};

// Every pair (i, j) scored from scratch (a dense users loop, the same float
// operations in the same order), all sorted, k kept.
Result brute_force(const NeighboursProblem& p) {
  Result r{std::vector<int32_t>(p.items * p.k, -1), std::vector<float>(p.items * p.k, 0.0f)};
  const CsrView& a = p.by_item;
  const CsrView& b = p.by_user;
  for (std::size_t i = 0; i < p.items; ++i) {
    std::vector<std::pair<float, int32_t>> all;
    for (std::size_t j = 0; j < p.items; ++j) {
      if (j == i) continue;
      float dot = 0.0f;
      int count = 0;
      for (int32_t e = a.indptr[i]; e < a.indptr[i + 1]; ++e) {
        const int32_t u = a.indices[e];
        for (int32_t q = b.indptr[u]; q < b.indptr[u + 1]; ++q)
          if (static_cast<std::size_t>(b.indices[q]) == j) {
            dot += a.values[e] * b.values[q];
            ++count;
          }
      }
      if (count == 0) continue;
      float s = dot;
      if (p.shrink > 0.0f) {
        const float c = static_cast<float>(count);
        s *= c / (c + p.shrink);
      }
      if (p.col_scale) s *= p.col_scale[j];
      if (s > 0.0f) all.push_back({s, static_cast<int32_t>(j)});
    }
    std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) {
      return x.first > y.first || (x.first == y.first && x.second < y.second);
    });
    for (std::size_t r2 = 0; r2 < std::min(p.k, all.size()); ++r2) {
      r.idx[i * p.k + r2] = all[r2].second;
      r.score[i * p.k + r2] = all[r2].first;
    }
  }
  return r;
}

Result run(const NeighboursProblem& p) {
  Result r{std::vector<int32_t>(p.items * p.k, 77), std::vector<float>(p.items * p.k, 77.0f)};
  item_neighbours(p, r.idx.data(), r.score.data());
  return r;
}

bool throws_invalid(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return std::string(e.what()).find(needle) != std::string::npos;
  }
  return false;
}

}  // namespace

MFREC_TEST(neighbours_match_brute_force_for_every_option_and_thread_count) {
  const Csr by_user = random_by_user(21, 120, 90, 0.08, 9);
  const Csr by_item = transpose(by_user);
  std::vector<float> col_scale(90);
  std::mt19937 rng(22);
  std::uniform_real_distribution<float> scale(0.2f, 2.0f);
  for (auto& s : col_scale) s = scale(rng);
  for (std::size_t k : {std::size_t{1}, std::size_t{5}, std::size_t{200}})  // 200: more than any item has
    for (float shrink : {0.0f, 4.0f})
      for (bool scaled : {false, true}) {
        NeighboursProblem p{by_item.view(), by_user.view(), 90, 120, scaled ? col_scale.data() : nullptr, shrink, k, 1};
        const Result want = brute_force(p);
        for (int threads : {1, 2, 3}) {
          p.threads = threads;
          const Result got = run(p);
          CHECK(got.idx == want.idx);
          CHECK(got.score == want.score);
        }
      }
}

MFREC_TEST(neighbours_break_ties_to_the_lower_item_and_drop_nonpositive_and_nan) {
  // One user holding items 0..4 with values: item 0 pairs with 1 and 3 at
  // score 2 (a tie), with 2 at -1 (dropped) and with 4 at NaN (dropped).
  Csr by_user;
  by_user.rows = 1;
  by_user.cols = 5;
  by_user.indptr = {0, 5};
  by_user.indices = {0, 1, 2, 3, 4};
  by_user.values = {1, 2, -1, 2, std::nanf("")};
  const Csr by_item = transpose(by_user);
  NeighboursProblem p{by_item.view(), by_user.view(), 5, 1, nullptr, 0.0f, 3, 1};
  const Result r = run(p);
  CHECK(r.idx[0] == 1 && r.score[0] == 2.0f);
  CHECK(r.idx[1] == 3 && r.score[1] == 2.0f);
  CHECK(r.idx[2] == -1 && r.score[2] == 0.0f);
}

MFREC_TEST(neighbours_refuse_bad_arguments) {
  const Csr by_user = random_by_user(23, 10, 8, 0.3, 100);
  const Csr by_item = transpose(by_user);
  std::vector<int32_t> idx(8 * 2);
  std::vector<float> sc(8 * 2);
  auto call = [&](NeighboursProblem p) { return [&, p] { item_neighbours(p, idx.data(), sc.data()); }; };
  const NeighboursProblem ok{by_item.view(), by_user.view(), 8, 10, nullptr, 1.0f, 2, 1};
  NeighboursProblem p = ok;
  p.k = 0;
  CHECK(throws_invalid(call(p), "k must be at least 1"));
  for (float shrink : {-1.0f, std::nanf(""), INFINITY}) {
    p = ok;
    p.shrink = shrink;
    CHECK(throws_invalid(call(p), "shrink"));
  }
  p = ok;
  p.items = 9;
  CHECK(throws_invalid(call(p), "one row per item"));
}

MFREC_TEST(neighbours_without_entries_need_no_value_storage) {
  // Empty Float32Arrays reach the kernel as null pointers.
  const int32_t item_ptr[3] = {0, 0, 0}, user_ptr[2] = {0, 0};
  int32_t idx[2] = {5, 5};
  float sc[2] = {5, 5};
  item_neighbours(
      {CsrView{2, item_ptr, nullptr, nullptr}, CsrView{1, user_ptr, nullptr, nullptr}, 2, 1, nullptr, 0.0f, 1, 1}, idx,
      sc);
  CHECK(idx[0] == -1 && idx[1] == -1 && sc[0] == 0.0f && sc[1] == 0.0f);
}

MFREC_TEST(neighbours_stop_when_cancelled) {
  const Csr by_user = random_by_user(24, 50, 40, 0.2, 100);
  const Csr by_item = transpose(by_user);
  std::vector<int32_t> idx(40 * 3);
  std::vector<float> sc(40 * 3);
  volatile int32_t flag = 1;
  bool cancelled = false;
  try {
    item_neighbours({by_item.view(), by_user.view(), 40, 50, nullptr, 0.0f, 3, 2}, idx.data(), sc.data(),
                    CancelFlag{&flag});
  } catch (const Cancelled&) {
    cancelled = true;
  }
  CHECK(cancelled);
}
