#include "kernels/bpr.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "kernels/random.h"

// The two per-sample loops are compiled for the baseline and for AVX2, picked
// at load time (as in als.cc); no multiply-add is fused (-ffp-contract=off),
// so both copies give the same bits.
#include "kernels/cpu_dispatch.h"
#define MFREC_BPR_KERNEL MFREC_AVX2_CLONES
#if defined(_MSC_VER) && !defined(__clang__)
#define MFREC_BPR_RESTRICT __restrict
#else
#define MFREC_BPR_RESTRICT __restrict__
#endif

namespace mfrec {

namespace {

void validate(const BprParams& p, const BprData& d) {
  if (p.factors == 0) throw std::invalid_argument("factors must be at least 1");
  if (d.items == 0 || d.items > 0xFFFFFFFFu || d.nnz > 0xFFFFFFFFu)
    throw std::invalid_argument("item or interaction count out of range");
  if (d.indptr[0] != 0 || static_cast<std::size_t>(d.indptr[d.users]) != d.nnz)
    throw std::invalid_argument("row pointers do not span the interactions");
  for (std::size_t u = 0; u < d.users; ++u)
    if (d.indptr[u + 1] < d.indptr[u]) throw std::invalid_argument("row pointers decrease");
  for (std::size_t e = 0; e < d.nnz; ++e) {
    if (d.indices[e] < 0 || static_cast<std::size_t>(d.indices[e]) >= d.items)
      throw std::invalid_argument("item index out of range");
    if (d.user_of_entry[e] < 0 || static_cast<std::size_t>(d.user_of_entry[e]) >= d.users)
      throw std::invalid_argument("user index out of range");
  }
}

// −ln σ(x) without overflow.
// u · (v_i − v_j) in eight lanes (lane = factor index mod 8) summed pairwise:
// a single running sum would be a chain of dependent additions, one per
// factor, which no compiler may vectorize without reordering it.
MFREC_BPR_KERNEL float difference_dot(const float* MFREC_BPR_RESTRICT u, const float* vi, const float* vj,
                                      std::size_t f) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t k = 0;
  for (; k + 8 <= f; k += 8)
    for (std::size_t l = 0; l < 8; ++l) acc[l] += u[k + l] * (vi[k + l] - vj[k + l]);
  for (std::size_t l = 0; k + l < f; ++l) acc[l] += u[k + l] * (vi[k + l] - vj[k + l]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// The gradient step on the three rows. vi and vj are distinct rows unless
// negatives are not verified and j == i; the loop reads all three values of a
// factor before writing any, so that case updates as the scalar formula says.
MFREC_BPR_KERNEL void update_rows(float* MFREC_BPR_RESTRICT u, float* vi, float* vj, std::size_t f, float lr,
                                  float reg, float z) {
  for (std::size_t k = 0; k < f; ++k) {
    const float a = u[k], b = vi[k], c = vj[k];
    u[k] = a + lr * (z * (b - c) - reg * a);
    vi[k] = b + lr * (z * a - reg * b);
    vj[k] = c + lr * (-z * a - reg * c);
  }
}

// Every sample reads rows at random: the entry, the user's row pointers and
// items (for the negative check), three factor rows and two biases, each a
// likely cache miss, and each address depends on the one before. The samples
// to come are known in advance: a sample takes two draws (entry, negative)
// unless the negative must be redrawn, which is rare. So, at no cost to the
// results (prefetches change no value), the generator is peeked ahead: the
// entry and the negative item of the sample kFar steps ahead are prefetched,
// and for the sample kNear steps ahead, whose entry has arrived by then, the
// user's and the positive item's rows. A mispredicted peek only wastes a prefetch.
constexpr uint32_t kFar = 16;
constexpr uint32_t kNear = 8;

inline void prefetch_row(const float* row, std::size_t f) {
  for (std::size_t k = 0; k < f; k += 16) __builtin_prefetch(row + k, 1, 3);
}

inline void prefetch_ahead(const BprData& d, const Rng& rng, std::size_t f, const float* user_factors,
                           const float* item_factors, const float* item_bias) {
#if defined(__GNUC__) || defined(__clang__)
  Rng far = rng.skipped(2 * kFar);
  const uint32_t e_far = far.below(static_cast<uint32_t>(d.nnz));
  const uint32_t j_far = far.below(static_cast<uint32_t>(d.items));
  __builtin_prefetch(d.user_of_entry + e_far, 0, 3);
  __builtin_prefetch(d.indices + e_far, 0, 3);
  prefetch_row(item_factors + static_cast<std::size_t>(j_far) * f, f);
  __builtin_prefetch(item_bias + j_far, 1, 3);

  Rng near = rng.skipped(2 * kNear);
  const uint32_t e_near = near.below(static_cast<uint32_t>(d.nnz));
  const std::size_t u = static_cast<std::size_t>(d.user_of_entry[e_near]);
  const std::size_t i = static_cast<std::size_t>(d.indices[e_near]);
  // Both were validated: every entry's user and item are in range.
  __builtin_prefetch(d.indptr + u, 0, 3);
  prefetch_row(user_factors + u * f, f);
  prefetch_row(item_factors + i * f, f);
  __builtin_prefetch(item_bias + i, 1, 3);
#else
  (void)d, (void)rng, (void)f, (void)user_factors, (void)item_factors, (void)item_bias;
#endif
}

// −ln σ(x) = ln(1 + e^−x), from e^x already computed for the gradient (one
// exponential per sample instead of two; the loss is only a statistic).
double bpr_loss(float x, float exp_x) {
  return x > 0 ? std::log1p(1.0 / static_cast<double>(exp_x)) : -static_cast<double>(x) + std::log1p(static_cast<double>(exp_x));
}

}  // namespace

BprEpochStats bpr_epoch(const BprParams& p, const BprData& d, float* user_factors,
                        float* item_factors, float* item_bias, uint32_t epoch,
                        CancelFlag cancel) {
  validate(p, d);
  BprEpochStats total;
  if (d.nnz == 0) return total;
  const std::size_t f = p.factors;
  const float lr = p.learning_rate, reg = p.regularization;
  const int threads = resolve_threads(p.threads);
  const uint32_t epoch_seed = Rng::stream(p.seed, epoch).next();
  std::vector<BprEpochStats> stats(static_cast<std::size_t>(threads));

  run_team(threads, [&](int t) {
    Rng rng = Rng::stream(epoch_seed, static_cast<uint32_t>(t));
    const std::size_t begin = d.nnz * static_cast<std::size_t>(t) / threads;
    const std::size_t end = d.nnz * static_cast<std::size_t>(t + 1) / threads;
    BprEpochStats& st = stats[static_cast<std::size_t>(t)];
    for (std::size_t s = begin; s < end; ++s) {
      if (((s - begin) & 4095) == 0 && cancel.requested()) throw Cancelled{};
      prefetch_ahead(d, rng, f, user_factors, item_factors, item_bias);
      const uint32_t e = rng.below(static_cast<uint32_t>(d.nnz));
      const int32_t u = d.user_of_entry[e];
      const int32_t i = d.indices[e];
      int32_t j;
      if (p.verify_negative) {
        const int32_t* row = d.indices + d.indptr[u];
        const int32_t* row_end = d.indices + d.indptr[u + 1];
        if (static_cast<std::size_t>(row_end - row) >= d.items) continue;  // no negative exists
        do {
          j = static_cast<int32_t>(rng.below(static_cast<uint32_t>(d.items)));
        } while (std::binary_search(row, row_end, j));
      } else {
        j = static_cast<int32_t>(rng.below(static_cast<uint32_t>(d.items)));
      }

      float* uf = user_factors + static_cast<std::size_t>(u) * f;
      float* vi = item_factors + static_cast<std::size_t>(i) * f;
      float* vj = item_factors + static_cast<std::size_t>(j) * f;
      const float x = (item_bias[i] - item_bias[j]) + difference_dot(uf, vi, vj, f);
      // z = σ(−x): the gradient weight, near 0 once the pair is well ranked.
      const float exp_x = std::exp(x);
      const float z = 1.0f / (1.0f + exp_x);
      update_rows(uf, vi, vj, f, lr, reg, z);
      const float bi = item_bias[i];
      item_bias[i] = bi + lr * (z - reg * bi);
      const float bj = item_bias[j];
      item_bias[j] = bj + lr * (-z - reg * bj);

      st.loss += bpr_loss(x, exp_x);
      st.correct += x > 0 ? 1 : 0;
      st.samples += 1;
    }
  });
  for (const auto& st : stats) {
    total.loss += st.loss;
    total.correct += st.correct;
    total.samples += st.samples;
  }
  return total;
}

}  // namespace mfrec
