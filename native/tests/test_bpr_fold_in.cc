#include <cmath>
#include <stdexcept>
#include <vector>

#include "check.h"
#include "kernels/bpr_fold_in.h"

using namespace mfrec;

namespace {

// Items 0..n_items-1 with vector (1, 0) for the first half and (-1, 0) for
// the second, no biases: a user whose items are all in the first half must
// learn x[0] > 0.
struct TwoClusters {
  std::size_t n_items = 20;
  std::vector<float> factors;
  std::vector<float> bias;
  TwoClusters() : factors(2 * 20, 0.0f), bias(20, 0.0f) {
    for (std::size_t i = 0; i < n_items; ++i) factors[2 * i] = i < n_items / 2 ? 1.0f : -1.0f;
  }
};

BprFoldInParams params() {
  BprFoldInParams p;
  p.factors = 2;
  p.iterations = 50;
  p.learning_rate = 0.05;
  p.regularization = 0.01;
  p.seed = 3;
  return p;
}

}  // namespace

MFREC_TEST(bpr_fold_in_user_learns_the_side_of_its_items_deterministically) {
  TwoClusters c;
  const std::vector<int32_t> positives{0, 2, 4, 7};
  std::vector<float> a(2), b(2);
  bpr_fold_in_user(params(), c.factors.data(), c.bias.data(), c.n_items, positives.data(), positives.size(), a.data());
  bpr_fold_in_user(params(), c.factors.data(), c.bias.data(), c.n_items, positives.data(), positives.size(), b.data());
  CHECK(a[0] > 0.1f);
  CHECK(a[1] == 0.0f);
  CHECK(a == b);
}

MFREC_TEST(bpr_fold_in_user_refuses_bad_positives) {
  TwoClusters c;
  std::vector<float> out(2);
  for (const std::vector<int32_t>& bad :
       {std::vector<int32_t>{20}, std::vector<int32_t>{-1}, std::vector<int32_t>{3, 3}}) {
    bool threw = false;
    try {
      bpr_fold_in_user(params(), c.factors.data(), c.bias.data(), c.n_items, bad.data(), bad.size(), out.data());
    } catch (const std::invalid_argument&) {
      threw = true;
    }
    CHECK(threw);
  }
}
