#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/random.h"
#include "kernels/sgd.h"

using namespace mfrec;

namespace {

struct Problem {
  int32_t n_users = 0, n_items = 0;
  std::vector<int32_t> users, items;
  std::vector<float> ratings;
};

// Ratings 3 + p_u · q_i of a planted rank-3 model on a random 30% of the pairs.
Problem planted(int32_t n_users, int32_t n_items, uint32_t seed) {
  Problem p;
  p.n_users = n_users;
  p.n_items = n_items;
  Rng rng(seed);
  std::vector<float> pu(n_users * 3), qi(n_items * 3);
  for (auto& x : pu) x = rng.normal() * 0.7f;
  for (auto& x : qi) x = rng.normal() * 0.7f;
  for (int32_t u = 0; u < n_users; ++u)
    for (int32_t i = 0; i < n_items; ++i) {
      if (rng.uniform() >= 0.3f) continue;
      float r = 3;
      for (int f = 0; f < 3; ++f) r += pu[u * 3 + f] * qi[i * 3 + f];
      p.users.push_back(u);
      p.items.push_back(i);
      p.ratings.push_back(r);
    }
  return p;
}

struct Grid {
  std::vector<int32_t> users, items, block_ptr;
  std::vector<float> ratings;
  SgdGrid view;
};

Grid layout(const Problem& p, int32_t blocks, uint32_t seed, int threads = 1) {
  Grid g;
  const std::size_t n = p.users.size();
  g.users.resize(n);
  g.items.resize(n);
  g.ratings.resize(n);
  g.block_ptr.resize(static_cast<std::size_t>(blocks) * blocks + 1);
  sgd_layout(n, p.users.data(), p.items.data(), p.ratings.data(), p.n_users, p.n_items, blocks, seed, g.users.data(),
             g.items.data(), g.ratings.data(), g.block_ptr.data(), threads);
  g.view = {blocks, n, g.users.data(), g.items.data(), g.ratings.data(), g.block_ptr.data()};
  return g;
}

struct Model {
  std::vector<float> P, Q, bu, bi;
  SgdModel view;
};

Model model(const Problem& p, int32_t k, uint32_t seed, float std_dev = 0.1f) {
  Model m;
  m.P.resize(static_cast<std::size_t>(p.n_users) * k);
  m.Q.resize(static_cast<std::size_t>(p.n_items) * k);
  m.bu.assign(p.n_users, 0);
  m.bi.assign(p.n_items, 0);
  Rng rng(seed);
  for (auto& x : m.P) x = rng.normal() * std_dev;
  for (auto& x : m.Q) x = rng.normal() * std_dev;
  double mean = std::accumulate(p.ratings.begin(), p.ratings.end(), 0.0) / p.ratings.size();
  m.view = {k, p.n_users, p.n_items, static_cast<float>(mean), m.P.data(), m.Q.data(), m.bu.data(), m.bi.data()};
  return m;
}

SgdStep step(int threads, uint32_t epoch, float lr = 0.02f) {
  SgdStep s;
  s.learning_rate = lr;
  s.regularization = 0.01f;
  s.bias_regularization = 0.01f;
  s.threads = threads;
  s.seed = 5;
  s.epoch = epoch;
  return s;
}

}  // namespace

MFREC_TEST(sgd_layout_keeps_every_rating_in_its_blocks) {
  Problem p = planted(40, 30, 1);
  const int32_t b = 4;
  Grid g = layout(p, b, 9);
  CHECK(g.block_ptr[0] == 0);
  CHECK(static_cast<std::size_t>(g.block_ptr[b * b]) == p.users.size());
  std::vector<int32_t> row_of(p.n_users, -1), col_of(p.n_items, -1);
  double sum_in = 0, sum_out = 0;
  for (float r : p.ratings) sum_in += r;
  for (int32_t blk = 0; blk < b * b; ++blk) {
    for (int32_t e = g.block_ptr[blk]; e < g.block_ptr[blk + 1]; ++e) {
      int32_t u = g.users[e], i = g.items[e];
      CHECK(row_of[u] == -1 || row_of[u] == blk / b);
      CHECK(col_of[i] == -1 || col_of[i] == blk % b);
      row_of[u] = blk / b;
      col_of[i] = blk % b;
      sum_out += g.ratings[e];
    }
  }
  CHECK_NEAR(sum_in, sum_out, 1e-6 * sum_in);
}

// Large enough (600,000 ratings) for the layout to split its passes over threads.
MFREC_TEST(sgd_layout_gives_the_same_grid_on_any_number_of_threads) {
  Problem p = planted(2000, 1000, 11);
  CHECK(p.users.size() > 500000);
  for (int32_t b : {1, 7, 64}) {
    const Grid one = layout(p, b, 21, 1);
    for (int threads : {2, 3, 0}) {
      const Grid many = layout(p, b, 21, threads);
      CHECK(many.block_ptr == one.block_ptr);
      CHECK(many.users == one.users);
      CHECK(many.items == one.items);
      CHECK(many.ratings == one.ratings);
    }
  }
}

MFREC_TEST(sgd_layout_names_the_first_bad_entry_on_any_number_of_threads) {
  Problem p = planted(2000, 1000, 12);
  const std::size_t n = p.users.size();
  p.items[n - 5] = 1000;  // one past the last item
  p.users[n / 2] = -1;
  for (int threads : {1, 2, 3}) {
    std::string message;
    try {
      layout(p, 8, 1, threads);
    } catch (const std::invalid_argument& e) {
      message = e.what();
    }
    CHECK(message == "sgd_layout: user or item index out of range at entry " + std::to_string(n / 2));
  }
}

MFREC_TEST(sgd_loss_decreases_on_planted_problem_with_two_threads) {
  Problem p = planted(300, 200, 2);
  Grid g = layout(p, 5, 3);
  Model m = model(p, 8, 4);
  const double n = static_cast<double>(p.ratings.size());
  double first = 0, last = 0;
  for (uint32_t e = 0; e < 60; ++e) {
    double rmse = std::sqrt(sgd_epoch(g.view, m.view, step(2, e), CancelFlag{}) / n);
    if (e == 0) first = rmse;
    last = rmse;
  }
  CHECK(last < first * 0.5);
  CHECK(last < 0.15);
}

MFREC_TEST(sgd_one_thread_is_bit_reproducible) {
  Problem p = planted(60, 50, 5);
  Grid g = layout(p, 3, 1);
  Model a = model(p, 13, 2), b = model(p, 13, 2);
  for (uint32_t e = 0; e < 3; ++e) {
    double sa = sgd_epoch(g.view, a.view, step(1, e), CancelFlag{});
    double sb = sgd_epoch(g.view, b.view, step(1, e), CancelFlag{});
    CHECK(sa == sb);
  }
  CHECK(a.P == b.P);
  CHECK(a.Q == b.Q);
  CHECK(a.bu == b.bu);
  CHECK(a.bi == b.bi);
}

MFREC_TEST(sgd_visits_every_rating_once_per_epoch) {
  // With learning rate 0 nothing moves, so the error of entry e is exactly its
  // rating (μ = 0, factors 0): the squared errors sum to Σ r² only if each
  // rating is seen exactly once. Ratings e + 1 keep every sum an exact integer.
  Problem p = planted(50, 40, 6);
  for (std::size_t e = 0; e < p.ratings.size(); ++e) p.ratings[e] = static_cast<float>(e + 1);
  double expected = 0;
  for (float r : p.ratings) expected += static_cast<double>(r) * r;
  for (int threads : {1, 2, 3, 8}) {
    Grid g = layout(p, 2 * threads + 1, 7);
    Model m = model(p, 8, 1, 0.0f);
    m.view.global_bias = 0;
    CHECK(sgd_epoch(g.view, m.view, step(threads, 0, 0.0f), CancelFlag{}) == expected);
  }
}

MFREC_TEST(sgd_256_threads_on_300_ratings_finish_and_visit_every_rating_once) {
  // The documented maximum thread count on the grid it used to get (2t + 1 =
  // 513 blocks per side, 263,169 blocks, almost all empty). Scheduling used
  // to scan every block for each block it handed out: minutes per epoch.
  Problem p = planted(40, 30, 12);
  p.users.resize(300);
  p.items.resize(300);
  p.ratings.resize(300);
  for (std::size_t e = 0; e < p.ratings.size(); ++e) p.ratings[e] = static_cast<float>(e + 1);
  double expected = 0;
  for (float r : p.ratings) expected += static_cast<double>(r) * r;
  Grid g = layout(p, 513, 7);
  Model m = model(p, 8, 1, 0.0f);
  m.view.global_bias = 0;
  for (uint32_t e = 0; e < 3; ++e) CHECK(sgd_epoch(g.view, m.view, step(256, e, 0.0f), CancelFlag{}) == expected);
}

MFREC_TEST(sgd_stops_when_cancelled) {
  Problem p = planted(80, 60, 7);
  for (int threads : {1, 2}) {
    Grid g = layout(p, 5, 1);
    Model m = model(p, 8, 1);
    int32_t flag = 1;
    CancelFlag cancel;
    cancel.flag = &flag;
    bool thrown = false;
    try {
      sgd_epoch(g.view, m.view, step(threads, 0), cancel);
    } catch (const Cancelled&) {
      thrown = true;
    }
    CHECK(thrown);
  }
}

MFREC_TEST(sgd_rejects_out_of_range_indices_without_hanging) {
  Problem p = planted(30, 30, 8);
  for (int threads : {1, 2}) {
    Grid g = layout(p, 3, 1);
    g.users[g.users.size() / 2] = 1000;
    Model m = model(p, 8, 1);
    bool thrown = false;
    try {
      sgd_epoch(g.view, m.view, step(threads, 0), CancelFlag{});
    } catch (const std::invalid_argument&) {
      thrown = true;
    }
    CHECK(thrown);
  }
  std::vector<int32_t> bad_users = {0, 31};
  std::vector<int32_t> items = {0, 0};
  std::vector<float> r = {1, 1}, rr(2);
  std::vector<int32_t> ou(2), oi(2), ptr(2);
  bool thrown = false;
  try {
    sgd_layout(2, bad_users.data(), items.data(), r.data(), 30, 30, 1, 0, ou.data(), oi.data(), rr.data(), ptr.data());
  } catch (const std::invalid_argument&) {
    thrown = true;
  }
  CHECK(thrown);
}

MFREC_TEST(sgd_predict_falls_back_to_biases_and_clamps) {
  Problem p = planted(10, 10, 9);
  Model m = model(p, 16, 3);
  m.bu[2] = 0.5f;
  m.bi[3] = -0.25f;
  m.view.global_bias = 3.0f;
  std::vector<int32_t> users = {2, -1, 2, -1, 2};
  std::vector<int32_t> items = {-1, 3, 3, -1, 3};
  std::vector<float> out(5);
  sgd_predict(m.view, 5, users.data(), items.data(), -INFINITY, INFINITY, 2, out.data());
  CHECK(out[0] == 3.5f);
  CHECK(out[1] == 2.75f);
  CHECK(out[2] == 3.25f + sgd_dot(&m.P[2 * 16], &m.Q[3 * 16], 16));
  CHECK(out[3] == 3.0f);
  sgd_predict(m.view, 5, users.data(), items.data(), 3.1f, 3.2f, 1, out.data());
  CHECK(out[0] == 3.2f);
  CHECK(out[1] == 3.1f);
}

MFREC_TEST(sgd_dot_matches_plain_sum_for_every_length) {
  for (int32_t k = 1; k <= 40; ++k) {
    std::vector<float> a(k), b(k);
    double exact = 0;
    for (int32_t f = 0; f < k; ++f) {
      a[f] = 0.01f * (f + 1);
      b[f] = 1.0f - 0.02f * f;
      exact += static_cast<double>(a[f]) * b[f];
    }
    CHECK_NEAR(sgd_dot(a.data(), b.data(), k), exact, 1e-5);
  }
}

MFREC_TEST(sgd_unit_row_multipliers_match_the_plain_penalty) {
  Problem p = planted(40, 30, 10);
  Grid g = layout(p, 3, 2);
  Model plain = model(p, 16, 3), scaled = model(p, 16, 3), heavy = model(p, 16, 3);
  std::vector<float> ones_u(p.n_users, 1.0f), ones_i(p.n_items, 1.0f), twos_u(p.n_users, 2.0f);
  scaled.view.user_reg = ones_u.data();
  scaled.view.item_reg = ones_i.data();
  scaled.view.user_bias_reg = ones_u.data();
  scaled.view.item_bias_reg = ones_i.data();
  heavy.view.user_reg = twos_u.data();
  for (uint32_t e = 0; e < 2; ++e) {
    sgd_epoch(g.view, plain.view, step(1, e), CancelFlag{});
    sgd_epoch(g.view, scaled.view, step(1, e), CancelFlag{});
    sgd_epoch(g.view, heavy.view, step(1, e), CancelFlag{});
  }
  CHECK(plain.P == scaled.P);
  CHECK(plain.Q == scaled.Q);
  CHECK(plain.bu == scaled.bu);
  double norm_plain = 0, norm_heavy = 0;
  for (float x : plain.P) norm_plain += x * x;
  for (float x : heavy.P) norm_heavy += x * x;
  CHECK(norm_heavy < norm_plain);
}

namespace {

// p · q in the order kernels/sgd_dot.h documents: factor f into lane f mod 16
// of partial sum (f / 16) mod 4, every lane from −0; then (S0 + S1) + (S2 + S3)
// lane by lane; then the lanes folded in halves (l + 8, l + 4, l + 2, l + 1).
float documented_epoch_dot(const float* p, const float* q, int32_t k) {
  float sums[4][16];
  for (auto& sum : sums)
    for (float& lane : sum) lane = -0.0f;
  for (int32_t f = 0; f < k; ++f) sums[(f / 16) % 4][f % 16] = sums[(f / 16) % 4][f % 16] + p[f] * q[f];
  float lanes[16];
  for (int l = 0; l < 16; ++l) lanes[l] = (sums[0][l] + sums[1][l]) + (sums[2][l] + sums[3][l]);
  for (int half = 8; half >= 1; half /= 2)
    for (int l = 0; l < half; ++l) lanes[l] = lanes[l] + lanes[l + half];
  return lanes[0];
}

// One rating's update written out one operation at a time, in the order
// sgd.h documents (the dot product above, nothing fused): the
// arithmetic every compiled copy of the epoch (plain, AVX2, AVX-512) must
// reproduce bit for bit.
double replay_one_block(const Grid& g, Model& m, const SgdStep& s, const float* user_reg, const float* item_reg) {
  const int32_t k = m.view.factors;
  const float lr_reg = s.learning_rate * s.regularization;
  const float lr_bias_reg = s.learning_rate * s.bias_regularization;
  double sse = 0;
  for (std::size_t e = 0; e < g.users.size(); ++e) {
    float* p = m.P.data() + static_cast<std::size_t>(g.users[e]) * k;
    float* q = m.Q.data() + static_cast<std::size_t>(g.items[e]) * k;
    const float dot = documented_epoch_dot(p, q, k);
    float& bu = m.bu[g.users[e]];
    float& bi = m.bi[g.items[e]];
    const float err = g.ratings[e] - (((m.view.global_bias + bu) + bi) + dot);
    sse += static_cast<double>(err) * static_cast<double>(err);
    const float grad = s.learning_rate * err;
    const float ru = user_reg ? user_reg[g.users[e]] : 1.0f, ri = item_reg ? item_reg[g.items[e]] : 1.0f;
    const float bias_u = user_reg ? 1.0f - lr_bias_reg * ru : 1.0f - lr_bias_reg;
    const float bias_i = item_reg ? 1.0f - lr_bias_reg * ri : 1.0f - lr_bias_reg;
    bu = bias_u * bu + grad;
    bi = bias_i * bi + grad;
    const float a = user_reg ? 1.0f - lr_reg * ru : 1.0f - lr_reg;
    const float b = item_reg ? 1.0f - lr_reg * ri : 1.0f - lr_reg;
    for (int32_t f = 0; f < k; ++f) {
      const float pf = p[f], qf = q[f];
      p[f] = a * pf + grad * qf;
      q[f] = b * qf + grad * pf;
    }
  }
  return sse;
}

}  // namespace

// Factor counts that are multiples of 16 run the 16-lane AVX-512 copy on a
// CPU that has it, the others the AVX2 or plain copy; all must agree with
// the rating-by-rating replay to the bit, with and without row multipliers.
MFREC_TEST(sgd_epoch_matches_the_documented_arithmetic_bit_for_bit_at_every_width) {
  Problem p = planted(50, 40, 21);
  Grid g = layout(p, 1, 4);
  std::vector<float> user_reg(p.n_users), item_reg(p.n_items);
  for (int32_t u = 0; u < p.n_users; ++u) user_reg[u] = 0.5f + 0.03f * u;
  for (int32_t i = 0; i < p.n_items; ++i) item_reg[i] = 1.5f - 0.02f * i;
  for (int32_t k : {8, 12, 16, 32, 48, 64, 70, 100, 128, 200}) {
    for (bool multipliers : {false, true}) {
      Model kernel = model(p, k, 6), replay = model(p, k, 6);
      if (multipliers) {
        kernel.view.user_reg = kernel.view.user_bias_reg = user_reg.data();
        kernel.view.item_reg = kernel.view.item_bias_reg = item_reg.data();
      }
      for (uint32_t e = 0; e < 2; ++e) {
        const double sse_kernel = sgd_epoch(g.view, kernel.view, step(1, e), CancelFlag{});
        const double sse_replay = replay_one_block(g, replay, step(1, e), multipliers ? user_reg.data() : nullptr,
                                                   multipliers ? item_reg.data() : nullptr);
        CHECK(sse_kernel == sse_replay);
      }
      CHECK(kernel.P == replay.P);
      CHECK(kernel.Q == replay.Q);
      CHECK(kernel.bu == replay.bu);
      CHECK(kernel.bi == replay.bi);
    }
  }
}

namespace {

// Factor arrays placed `offset` bytes past a 64-byte boundary, holding m's
// starting values; m's view points at them.
struct PlacedRows {
  std::vector<float> storage_u, storage_i;
  float* u = nullptr;
  float* i = nullptr;
  PlacedRows(Model& m, std::size_t offset) {
    storage_u.resize(m.P.size() + 32);
    storage_i.resize(m.Q.size() + 32);
    u = place(storage_u.data(), offset);
    i = place(storage_i.data(), offset);
    std::copy(m.P.begin(), m.P.end(), u);
    std::copy(m.Q.begin(), m.Q.end(), i);
    m.view.user_factors = u;
    m.view.item_factors = i;
  }
  static float* place(float* base, std::size_t offset) {
    const std::uintptr_t a = reinterpret_cast<std::uintptr_t>(base);
    return reinterpret_cast<float*>((a + 63) / 64 * 64 + offset);
  }
};

}  // namespace

// Rows that do not start on a cache line (large typed arrays start 16 bytes
// past one) train on an aligned copy: the same bits as rows that do, and the
// copy is written back even when the epoch stops on an error halfway.
MFREC_TEST(sgd_rows_off_cache_lines_train_to_the_same_bits_and_are_written_back_on_error) {
  Problem p = planted(50, 40, 31);
  for (int32_t k : {16, 64, 12}) {
    for (bool bad_entry : {false, true}) {
      Grid g = layout(p, 3, 2);
      if (bad_entry) g.users[g.users.size() * 2 / 3] = 1000;
      Model aligned_model = model(p, k, 4), offset_model = model(p, k, 4);
      PlacedRows aligned(aligned_model, 0), offset(offset_model, 16);
      for (uint32_t e = 0; e < 2; ++e) {
        bool thrown_aligned = false, thrown_offset = false;
        try {
          sgd_epoch(g.view, aligned_model.view, step(1, e), CancelFlag{});
        } catch (const std::invalid_argument&) {
          thrown_aligned = true;
        }
        try {
          sgd_epoch(g.view, offset_model.view, step(1, e), CancelFlag{});
        } catch (const std::invalid_argument&) {
          thrown_offset = true;
        }
        CHECK(thrown_aligned == bad_entry);
        CHECK(thrown_offset == bad_entry);
      }
      const std::size_t nu = aligned_model.P.size(), ni = aligned_model.Q.size();
      CHECK(std::equal(aligned.u, aligned.u + nu, offset.u));
      CHECK(std::equal(aligned.i, aligned.i + ni, offset.i));
      CHECK(!std::equal(aligned.u, aligned.u + nu, aligned_model.P.begin()));  // training moved the rows
      CHECK(aligned_model.bu == offset_model.bu);
      // The epoch trains on packed copies of the biases too: they come back, also from an epoch that failed.
      CHECK(std::any_of(aligned_model.bu.begin(), aligned_model.bu.end(), [](float b) { return b != 0; }));
      CHECK(std::any_of(offset_model.bi.begin(), offset_model.bi.end(), [](float b) { return b != 0; }));
    }
  }
}
