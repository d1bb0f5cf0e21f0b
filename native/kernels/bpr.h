// Bayesian personalized ranking (Rendle et al. 2009) by stochastic gradient
// descent: for sampled triples (user u, positive item i, negative item j),
// push x_uij = u·(v_i − v_j) + b_i − b_j up by gradient ascent on ln σ(x_uij)
// with L2 regularization.
//
// One epoch draws nnz samples. Threads share the factor arrays without locks
// (Hogwild: updates touch a few rows each, so collisions are rare and
// harmless); thread t draws its samples from its own generator, so one thread
// with a seed is bit-reproducible and lib/twins/bpr.ts replays it exactly.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/parallel.h"

namespace mfrec {

// Training interactions by user (CSR, sorted rows) plus the user of every
// entry, so a positive pair is one uniform draw over entries.
struct BprData {
  std::size_t users = 0;
  std::size_t items = 0;
  const int32_t* indptr = nullptr;   // users + 1
  const int32_t* indices = nullptr;  // nnz
  const int32_t* user_of_entry = nullptr;  // nnz
  std::size_t nnz = 0;
};

struct BprParams {
  std::size_t factors = 0;
  float learning_rate = 0.05f;
  float regularization = 0.01f;
  uint32_t seed = 0;
  int threads = 1;  // 0 = all hardware threads
  // Resample a negative that the user has interacted with (binary search in
  // the user's row); users who interacted with every item are skipped.
  bool verify_negative = true;
};

struct BprEpochStats {
  double loss = 0;      // sum over samples of −ln σ(x_uij), before each update
  double correct = 0;   // samples with x_uij > 0, before each update
  std::size_t samples = 0;  // samples used (skipped ones excluded)
};

// Thread t of epoch e (1-based) draws from Rng::stream(Rng::stream(seed, e).next(), t)
// and handles samples [t*nnz/T, (t+1)*nnz/T). Each sample draws the entry,
// then negatives until one qualifies. Throws std::invalid_argument for
// inconsistent data, Cancelled when `cancel` is requested.
BprEpochStats bpr_epoch(const BprParams& p, const BprData& d, float* user_factors,
                        float* item_factors, float* item_bias, uint32_t epoch,
                        CancelFlag cancel = {});

}  // namespace mfrec
