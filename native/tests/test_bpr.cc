#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "check.h"
#include "kernels/bpr.h"
#include "kernels/random.h"

using namespace mfrec;

namespace {

CsrView csr_data(std::size_t users, const std::vector<int32_t>& indptr, const std::vector<int32_t>& indices) {
  CsrView d;
  d.rows = users;
  d.indptr = indptr.data();
  d.indices = indices.data();
  return d;
}

// Two groups: users 0..19 interact with items 0..9 only, users 20..39 with
// items 10..19 only; each user has all their group's items but one (u % 10).
struct Checkerboard {
  std::vector<int32_t> indptr{0}, indices;
  CsrView data() const { return csr_data(40, indptr, indices); }
};

Checkerboard checkerboard() {
  Checkerboard c;
  for (int32_t u = 0; u < 40; ++u) {
    const int32_t base = u < 20 ? 0 : 10;
    for (int32_t i = 0; i < 10; ++i) {
      if (i != u % 10) {
        c.indices.push_back(base + i);
      }
    }
    c.indptr.push_back(static_cast<int32_t>(c.indices.size()));
  }
  return c;
}

void init(std::vector<float>& u, std::vector<float>& v, std::vector<float>& b, std::size_t f) {
  Rng rng(3);
  u.resize(40 * f);
  v.resize(20 * f);
  b.assign(20, 0.0f);
  for (auto& x : u) x = 0.1f * rng.normal();
  for (auto& x : v) x = 0.1f * rng.normal();
}

}  // namespace

MFREC_TEST(bpr_learns_the_checkerboard_groups) {
  Checkerboard c = checkerboard();
  BprParams p;
  p.factors = 4;
  p.learning_rate = 0.1f;
  p.regularization = 0.01f;
  p.seed = 7;
  p.threads = 2;
  std::vector<float> u, v, b;
  init(u, v, b, p.factors);
  double first = 0, last = 0;
  for (uint32_t e = 1; e <= 100; ++e) {
    BprEpochStats s = bpr_epoch(p, c.data(), 20, u.data(), v.data(), b.data(), e);
    CHECK(s.samples == c.indices.size());
    if (e == 1) first = s.loss / s.samples;
    last = s.loss / s.samples;
  }
  CHECK(last < first);
  // Every user's missing in-group item outranks every item of the other group.
  bool within = true;
  for (int u_ = 0; u_ < 40; ++u_) {
    auto score = [&](int i) {
      float s = b[i];
      for (std::size_t k = 0; k < p.factors; ++k) s += u[u_ * p.factors + k] * v[i * p.factors + k];
      return s;
    };
    const int base = u_ < 20 ? 0 : 10, other = u_ < 20 ? 10 : 0;
    float best_out = -INFINITY;
    for (int i = 0; i < 10; ++i) best_out = std::fmax(best_out, score(other + i));
    within = within && score(base + u_ % 10) > best_out;
  }
  CHECK(within);
}

MFREC_TEST(bpr_one_thread_is_bit_reproducible) {
  Checkerboard c = checkerboard();
  BprParams p;
  p.factors = 3;
  p.seed = 11;
  p.threads = 1;
  std::vector<float> u1, v1, b1, u2, v2, b2;
  init(u1, v1, b1, p.factors);
  init(u2, v2, b2, p.factors);
  for (uint32_t e = 1; e <= 3; ++e) {
    bpr_epoch(p, c.data(), 20, u1.data(), v1.data(), b1.data(), e);
    bpr_epoch(p, c.data(), 20, u2.data(), v2.data(), b2.data(), e);
  }
  CHECK(std::memcmp(u1.data(), u2.data(), u1.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(v1.data(), v2.data(), v1.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(b1.data(), b2.data(), b1.size() * sizeof(float)) == 0);
}

MFREC_TEST(bpr_skips_users_without_negatives_and_rejects_bad_data) {
  // One user who has every item: nothing to sample against.
  std::vector<int32_t> indptr{0, 3}, indices{0, 1, 2};
  CsrView d = csr_data(1, indptr, indices);
  std::size_t items = 3;
  BprParams p;
  p.factors = 2;
  std::vector<float> u(2, 0.1f), v(8, 0.1f), b(4, 0.0f);  // room for 4 items
  CHECK(bpr_epoch(p, d, items, u.data(), v.data(), b.data(), 1).samples == 0);
  indices[2] = 3;  // out of range
  bool threw = false;
  try {
    bpr_epoch(p, d, items, u.data(), v.data(), b.data(), 1);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
  indices[2] = 2;
  int32_t flag = 1;
  bool cancelled = false;
  items = 4;  // now a negative exists, so sampling starts and sees the flag
  try {
    bpr_epoch(p, d, items, u.data(), v.data(), b.data(), 1, CancelFlag{&flag});
  } catch (const Cancelled&) {
    cancelled = true;
  }
  CHECK(cancelled);
}

// Every stored pair is one sample per epoch, whatever the thread count: the
// stretches of the user order cover every user once, also with one heavy
// user holding most entries and users without any.
MFREC_TEST(bpr_every_pair_is_sampled_once_per_epoch_at_any_thread_count) {
  std::vector<int32_t> indptr{0}, indices;
  for (int32_t u = 0; u < 30; ++u) {
    const int32_t n = u == 7 ? 40 : (u % 5 == 0 ? 0 : 1 + u % 3);
    for (int32_t k = 0; k < n; ++k) indices.push_back((u * 7 + k * 3) % 50);
    indptr.push_back(static_cast<int32_t>(indices.size()));
  }
  const CsrView d = csr_data(30, indptr, indices);
  const std::size_t items = 50;
  for (int threads = 1; threads <= 5; ++threads) {
    BprParams p;
    p.factors = 3;
    p.threads = threads;
    std::vector<float> u(30 * 3, 0.1f), v(50 * 3, 0.1f), b(50, 0.0f);
    for (uint32_t e = 1; e <= 3; ++e)
      CHECK(bpr_epoch(p, d, items, u.data(), v.data(), b.data(), e).samples == indices.size());
  }
}

// The prefetching look-ahead relies on skipped(n) landing exactly where n draws would.
MFREC_TEST(rng_skipped_equals_drawing) {
  for (uint32_t n : {0u, 1u, 2u, 17u, 32u}) {
    Rng drawn = Rng::stream(5, 9);
    const Rng peek = drawn.skipped(n);
    for (uint32_t k = 0; k < n; ++k) drawn.next();
    Rng a = peek;
    for (int k = 0; k < 4; ++k) CHECK(a.next() == drawn.next());
  }
}
