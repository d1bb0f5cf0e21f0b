// Bayesian personalized ranking (Rendle et al. 2009) by stochastic gradient
// descent: for sampled triples (user u, positive item i, negative item j),
// push x_uij = u·(v_i − v_j) + b_i − b_j up by gradient ascent on ln σ(x_uij)
// with L2 regularization.
//
// One epoch visits every stored (user, item) pair once as a positive, user by
// user in a random order of users, each user's items in a random order, and
// pairs it with a negative drawn uniformly over all items. Taking a user's
// pairs together keeps the user's row and the item marks of the negative
// check in cache, and every row a sample will touch is known a few samples
// ahead (the positives from the shuffled row, the negative from a stream of
// its own), so it is prefetched. The textbook schedule, a uniform draw of an
// entry per sample, touches three random rows of large matrices per sample,
// each a cache miss known too late to prefetch: a kernel on that schedule
// waits on memory as long as a JavaScript one does (bench/investigations/NOTES-bpr-sampling.md).
//
// Threads take disjoint stretches of the user order (about nnz/threads
// entries each) and share the item rows without locks (Hogwild: a sample
// touches a few rows, so collisions are rare and harmless); thread t draws
// from its own generators, so one thread with a seed is bit-reproducible and
// lib/twins/bpr.ts replays it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/csr.h"
#include "kernels/parallel.h"

namespace mfrec {

struct BprParams {
  std::size_t factors = 0;
  float learning_rate = 0.05f;
  float regularization = 0.01f;
  uint32_t seed = 0;
  int threads = 1;  // 0 = all hardware threads
  // Redraw a negative that the user has interacted with; users who
  // interacted with every item are skipped.
  bool verify_negative = true;
};

struct BprEpochStats {
  double loss = 0;          // sum over samples of −ln σ(x_uij), before each update
  double correct = 0;       // samples with x_uij > 0, before each update
  std::size_t samples = 0;  // samples used (skipped ones excluded)
};

// The sampling schedule, which lib/twins/bpr.ts replays step for step:
//  - epoch e (1-based) has the seed E = Rng::stream(seed, e).next();
//  - users are visited in the order of a Fisher-Yates shuffle drawn from
//    Rng::stream(E, kOrderStream): for k = users−1 down to 1, swap order[k]
//    with order[below(k + 1)];
//  - thread t of T takes the stretch of that order from the first position
//    whose preceding entries reach nnz·t/T to the first that reach nnz·(t+1)/T;
//  - thread t draws from S = Rng::stream(E, 2t) and N = Rng::stream(E, 2t + 1).
//    For each user of its stretch with at least one item (and, when negatives
//    are verified, fewer items than there are), it copies the user's row and
//    shuffles it with S as above, then for each item i of the shuffled row
//    takes the negative N.below(items), redrawn with S.below(items) while it is
//    one of the user's items;
//  - the score's u · (v_i − v_j) is summed in the 32-lane order of
//    kernels/bpr_dot.h.
constexpr uint32_t kOrderStream = 0xFFFFFFFFu;

// Trains on the interactions by user, `by_user` (rows need not be sorted,
// values are not read), with column indices in [0, items). Throws
// std::invalid_argument for inconsistent data, Cancelled when `cancel` is
// requested.
BprEpochStats bpr_epoch(const BprParams& p, const CsrView& by_user, std::size_t items, float* user_factors,
                        float* item_factors, float* item_bias, uint32_t epoch, CancelFlag cancel = {});

}  // namespace mfrec
