#include "kernels/bpr_fold_in.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/random.h"

namespace mfrec {

namespace {

// Streams of the seed: 0 and 1 draw the initial user and item vectors, these the fold-in samples.
constexpr uint32_t kUserFoldInStream = 2;
constexpr uint32_t kItemFoldInStream = 3;

bool contains(const int32_t* sorted, std::size_t begin, std::size_t end, int64_t x) {
  std::size_t lo = begin, hi = end;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) >> 1;
    if (sorted[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < end && sorted[lo] == x;
}

double sigmoid_of_minus(double x) { return 1.0 / (1.0 + std::exp(x)); }

// Σ term(f) over f < k in eight lanes (f mod 8, each in increasing f), summed
// ((0+1)+(2+3))+((4+5)+(6+7)); lib/models/bpr/fold-in.ts sums the same way.
// Each sample's score needs the vector the previous sample just updated, so
// the samples wait on this sum: one running total made that wait k dependent
// additions, eight lanes make it k/8.
template <class Term>
inline double lane_sum(std::size_t k, Term term) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t f = 0;
  for (; f + 8 <= k; f += 8)
    for (std::size_t l = 0; l < 8; ++l) acc[l] += term(f + l);
  for (std::size_t l = 0; f + l < k; ++l) acc[l] += term(f + l);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

void check_increasing(const int32_t* ids, std::size_t n, std::size_t limit, const char* what) {
  for (std::size_t j = 0; j < n; ++j) {
    if (ids[j] < 0 || static_cast<std::size_t>(ids[j]) >= limit)
      throw std::invalid_argument(std::string(what) + "[" + std::to_string(j) + "] out of range");
    if (j > 0 && ids[j] <= ids[j - 1]) throw std::invalid_argument(std::string(what) + " must be strictly increasing");
  }
}

}  // namespace

void bpr_fold_in_user(const BprFoldInParams& p, const float* item_factors, const float* item_bias, std::size_t n_items,
                      const int32_t* positives, std::size_t n, float* out) {
  check_increasing(positives, n, n_items, "positives");
  const std::size_t k = p.factors;
  std::vector<double> x(k, 0.0);
  if (n > 0 && !(p.verify_negative && n >= n_items)) {
    Rng rng = Rng::stream(p.seed, kUserFoldInStream);
    const double lr = p.learning_rate;
    const double reg = p.regularization;
    for (uint32_t epoch = 0; epoch < p.iterations; ++epoch) {
      for (std::size_t s = 0; s < n; ++s) {
        const std::size_t i = static_cast<std::size_t>(positives[rng.below(static_cast<uint32_t>(n))]);
        std::size_t j;
        do j = rng.below(static_cast<uint32_t>(n_items));
        while (p.verify_negative && contains(positives, 0, n, static_cast<int64_t>(j)));
        const float* vi = item_factors + i * k;
        const float* vj = item_factors + j * k;
        const double score =
            (static_cast<double>(item_bias[i]) - static_cast<double>(item_bias[j])) + lane_sum(k, [&](std::size_t f) {
              return x[f] * (static_cast<double>(vi[f]) - static_cast<double>(vj[f]));
            });
        const double z = sigmoid_of_minus(score);
        for (std::size_t f = 0; f < k; ++f)
          x[f] = x[f] + lr * (z * (static_cast<double>(vi[f]) - static_cast<double>(vj[f])) - reg * x[f]);
      }
    }
  }
  for (std::size_t f = 0; f < k; ++f) out[f] = static_cast<float>(x[f]);
}

void bpr_fold_in_item(const BprFoldInParams& p, const BprItemContext& c, const int32_t* fans, std::size_t nf,
                      int32_t item, float* out, double* bias) {
  check_increasing(fans, nf, c.n_users, "fans");
  if (item < -1 || (item >= 0 && static_cast<std::size_t>(item) >= c.n_items))
    throw std::invalid_argument("item out of range");
  const std::size_t k = p.factors;
  const std::size_t n_items = c.n_items;
  const int32_t* indptr = c.seen.indptr;
  const int32_t* indices = c.seen.indices;
  const std::size_t others = n_items - (item >= 0 ? 1 : 0);
  // Entries where the item can be the drawn negative: other users' positives on other items.
  double eligible = static_cast<double>(c.nnz) - (item >= 0 ? static_cast<double>(c.column_counts[item]) : 0.0);
  for (std::size_t f = 0; f < nf; ++f) {
    const std::size_t u = static_cast<std::size_t>(fans[f]);
    if (u >= c.seen.rows) continue;
    const std::size_t begin = indptr[u], end = indptr[u + 1];
    eligible -= static_cast<double>(end - begin) - (item >= 0 && contains(indices, begin, end, item) ? 1.0 : 0.0);
  }
  // Consistent counts leave between 0 and nnz eligible entries; anything else
  // (or NaN) would draw an unbounded number of negatives per epoch.
  if (!(eligible >= 0 && eligible <= static_cast<double>(c.nnz)))
    throw std::invalid_argument("columnCounts disagree with the training matrix");
  const double negative_rate = n_items > 0 ? eligible / static_cast<double>(n_items) : 0.0;
  std::vector<double> v(k, 0.0);
  double b = 0;
  Rng rng = Rng::stream(p.seed, kItemFoldInStream);
  const double lr = p.learning_rate;
  const double reg = p.regularization;
  auto step = [&](std::size_t user, double z, double sign) {
    const float* xu = c.user_factors + user * k;
    for (std::size_t f = 0; f < k; ++f) v[f] = v[f] + lr * (sign * z * static_cast<double>(xu[f]) - reg * v[f]);
    b += lr * (sign * z - reg * b);
  };
  // A bound on failed draws of a negative entry: with consistent counts at
  // least one entry is eligible whenever negatives are drawn, so this only
  // stops a context whose counts disagree with `seen` from spinning forever.
  const std::size_t max_draws = 64 * (c.nnz + 1) + 1024;
  for (uint32_t epoch = 0; epoch < p.iterations; ++epoch) {
    const double whole = std::floor(negative_rate);
    const double frac = std::fmod(negative_rate, 1.0);
    const std::size_t negatives = static_cast<std::size_t>(whole) + (static_cast<double>(rng.uniform()) < frac ? 1 : 0);
    const std::size_t total = nf + negatives;
    for (std::size_t s = 0; s < total; ++s) {
      if (rng.below(static_cast<uint32_t>(total)) < nf) {
        // The item as the positive of one of its users, against another item the user does not have.
        const std::size_t u = static_cast<std::size_t>(fans[rng.below(static_cast<uint32_t>(nf))]);
        const std::size_t begin = u < c.seen.rows ? indptr[u] : 0;
        const std::size_t end = u < c.seen.rows ? indptr[u + 1] : 0;
        const std::size_t have =
            p.verify_negative ? end - begin - (item >= 0 && contains(indices, begin, end, item) ? 1 : 0) : 0;
        if (have >= others) continue;
        std::size_t j;
        do j = rng.below(static_cast<uint32_t>(n_items));
        while (static_cast<int64_t>(j) == item ||
               (p.verify_negative && contains(indices, begin, end, static_cast<int64_t>(j))));
        const float* xu = c.user_factors + u * k;
        const float* vj = c.item_factors + j * k;
        const double score = (b - static_cast<double>(c.item_bias[j])) + lane_sum(k, [&](std::size_t f) {
                               return static_cast<double>(xu[f]) * (v[f] - static_cast<double>(vj[f]));
                             });
        step(u, sigmoid_of_minus(score), 1.0);
      } else {
        // The item as the negative drawn against another user's positive.
        std::size_t e;
        std::size_t draws = 0;
        do {
          if (++draws > max_draws) throw std::invalid_argument("columnCounts disagree with the training matrix");
          e = rng.below(static_cast<uint32_t>(c.nnz));
        } while (indices[e] == item || contains(fans, 0, nf, c.user_of_entry[e]));
        const std::size_t u = static_cast<std::size_t>(c.user_of_entry[e]);
        const float* xu = c.user_factors + u * k;
        const float* vp = c.item_factors + static_cast<std::size_t>(indices[e]) * k;
        const double score = (static_cast<double>(c.item_bias[indices[e]]) - b) + lane_sum(k, [&](std::size_t f) {
                               return static_cast<double>(xu[f]) * (static_cast<double>(vp[f]) - v[f]);
                             });
        step(u, sigmoid_of_minus(score), -1.0);
      }
    }
  }
  for (std::size_t f = 0; f < k; ++f) out[f] = static_cast<float>(v[f]);
  *bias = b;
}

}  // namespace mfrec
