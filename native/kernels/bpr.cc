#include "kernels/bpr.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "kernels/random.h"

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
double bpr_loss(double x) { return x > 0 ? std::log1p(std::exp(-x)) : -x + std::log1p(std::exp(x)); }

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
      float x = item_bias[i] - item_bias[j];
      for (std::size_t k = 0; k < f; ++k) x += uf[k] * (vi[k] - vj[k]);
      // z = σ(−x): the gradient weight, near 0 once the pair is well ranked.
      const float z = 1.0f / (1.0f + std::exp(x));
      for (std::size_t k = 0; k < f; ++k) {
        const float a = uf[k], b = vi[k], c = vj[k];
        uf[k] = a + lr * (z * (b - c) - reg * a);
        vi[k] = b + lr * (z * a - reg * b);
        vj[k] = c + lr * (-z * a - reg * c);
      }
      const float bi = item_bias[i];
      item_bias[i] = bi + lr * (z - reg * bi);
      const float bj = item_bias[j];
      item_bias[j] = bj + lr * (-z - reg * bj);

      st.loss += bpr_loss(x);
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
