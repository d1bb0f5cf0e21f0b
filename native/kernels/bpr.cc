#include "kernels/bpr.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/bpr_dot.h"
#include "kernels/random.h"

// The epoch's loop over a stretch of users is compiled two or three times,
// plain, for AVX2 and (factors a multiple of 16) for AVX-512, and the copy is
// picked at run time (kernels/simd.h); all give the same bits.
#include "kernels/simd.h"

namespace mfrec {

namespace {

// The number of interactions, once the matrix has passed the CSR check.
std::size_t validate(const BprParams& p, const CsrView& d, std::size_t items) {
  if (p.factors == 0) throw std::invalid_argument("factors must be at least 1");
  if (items == 0 || items > 0x7FFFFFFFu || d.rows > 0x7FFFFFFFu || d.indptr[d.rows] < 0)
    throw std::invalid_argument("user, item or interaction count out of range");
  const std::size_t nnz = static_cast<std::size_t>(d.indptr[d.rows]);
  if (const char* problem = csr_problem(d, items, nnz)) throw std::invalid_argument(problem);
  return nnz;
}

// The gradient step on the three rows, with step = lr·z and keep = 1 − lr·reg:
//   u ← keep·u + step·(v_i − v_j),  v_i ← keep·v_i + step·u,  v_j ← keep·v_j − step·u
// (the textbook u + lr·(z·(v_i − v_j) − reg·u), refactored: 9 operations per
// factor instead of 16). vi and vj are distinct rows unless negatives are not
// verified and j == i; the loop reads all three values of a factor before
// writing any, so that case updates as the formula says.
MFREC_INLINE void update_rows(float* MFREC_RESTRICT u, float* vi, float* vj, std::size_t f, float step, float keep) {
  for (std::size_t k = 0; k < f; ++k) {
    const float a = u[k], b = vi[k], c = vj[k];
    const float pull = step * a;
    u[k] = keep * a + step * (b - c);
    vi[k] = keep * b + pull;
    vj[k] = keep * c - pull;
  }
}

#if MFREC_HAS_LANES8
// update_rows 16 factors at a time, for f a multiple of 16 (the AVX-512
// copy: one instruction per operation). Each factor gets the scalar loop's
// arithmetic, and all three rows are read before any is written, so the bits
// (and the j == i case) are those of update_rows.
MFREC_INLINE void update_rows16(float* MFREC_RESTRICT u, float* vi, float* vj, std::size_t f, float step, float keep) {
  for (std::size_t k = 0; k < f; k += 16) {
    const Lanes16 a = load16(u + k), b = load16(vi + k), c = load16(vj + k);
    const Lanes16 pull = step * a;
    store16(u + k, keep * a + step * (b - c));
    store16(vi + k, keep * b + pull);
    store16(vj + k, keep * c - pull);
  }
}

#endif

// Inlined into each copy, so that in the AVX-512 copy (see
// MFREC_BPR_TARGET_AVX512) the prefetches ask for the lines to write.
MFREC_INLINE void prefetch_row(const float* row, std::size_t f) {
  for (std::size_t k = 0; k < f; k += 16) prefetch(row + k);
}

// The epoch's loss Σ −ln σ(x), from z = σ(−x) already computed for the
// gradient: −ln σ(x) = −ln(1 − z) for x > 0 and −x − ln z otherwise. A
// logarithm per sample cost a fifth of the kernel's time; the factor under
// the logarithm is in [1/2, 1] either way, so the factors of kBatch samples
// multiply without underflow and take one logarithm per batch. (The loss is
// only a statistic; the twin sums the exact terms one by one, and the two
// agree to rounding.)
class LossSum {
 public:
  void add(float x, float z) {
    if (x > 0) {
      product_ *= 1.0 - static_cast<double>(z);
    } else {
      linear_ -= static_cast<double>(x);
      product_ *= static_cast<double>(z);
    }
    if (++pending_ == kBatch) flush();
  }
  double total() {
    flush();
    return linear_ + logs_;
  }

 private:
  static constexpr int kBatch = 256;  // 2^−256 is far above double's smallest number
  void flush() {
    logs_ -= std::log(product_);
    product_ = 1.0;
    pending_ = 0;
  }
  double product_ = 1.0, linear_ = 0, logs_ = 0;
  int pending_ = 0;
};

// Users in the epoch's random order (Fisher-Yates, as bpr.h specifies).
std::vector<int32_t> user_order(std::size_t users, uint32_t epoch_seed) {
  std::vector<int32_t> order(users);
  for (std::size_t u = 0; u < users; ++u) order[u] = static_cast<int32_t>(u);
  Rng rng = Rng::stream(epoch_seed, kOrderStream);
  shuffle(order, rng);
  return order;
}

// Where each thread's stretch of the order starts: about nnz/threads entries
// each, so a few heavy users do not leave one thread working alone.
std::vector<std::size_t> stretch_starts(const CsrView& d, std::size_t nnz, const std::vector<int32_t>& order,
                                        int threads) {
  std::vector<std::size_t> starts(static_cast<std::size_t>(threads) + 1, d.rows);
  starts[0] = 0;
  std::size_t before = 0;  // entries of order[0..pos)
  int t = 1;
  for (std::size_t pos = 0; pos <= d.rows && t < threads; ++pos) {
    while (t < threads && before * static_cast<std::size_t>(threads) >= nnz * static_cast<std::size_t>(t))
      starts[static_cast<std::size_t>(t++)] = pos;
    if (pos < d.rows) before += static_cast<std::size_t>(d.indptr[order[pos] + 1] - d.indptr[order[pos]]);
  }
  return starts;
}

// Marks the items of the current user, for the negative check in O(1).
class ItemMarks {
 public:
  explicit ItemMarks(std::size_t items) : bits_((items + 63) / 64, 0) {}
  void set(const int32_t* row, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) bits_[static_cast<std::size_t>(row[k]) >> 6] |= bit(row[k]);
  }
  void clear(const int32_t* row, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) bits_[static_cast<std::size_t>(row[k]) >> 6] &= ~bit(row[k]);
  }
  bool has(uint32_t item) const { return (bits_[item >> 6] & bit(static_cast<int32_t>(item))) != 0; }

 private:
  static uint64_t bit(int32_t item) { return uint64_t{1} << (static_cast<uint32_t>(item) & 63); }
  std::vector<uint64_t> bits_;
};

// How many samples ahead the rows (and biases) of the positive and negative
// items are prefetched: enough to cover a miss to memory at the kernel's pace.
constexpr std::size_t kAhead = 4;

struct ThreadArgs {
  const BprParams& p;
  const CsrView& d;
  std::size_t items;
  float* user_factors;
  float* item_factors;
  float* item_bias;
  CancelFlag cancel;
};

// kWide: factors a multiple of 16, rows updated 16 factors at a time.
template <bool kWide>
MFREC_INLINE void train_stretch_body(const ThreadArgs& a, const int32_t* order, std::size_t count, uint32_t epoch_seed,
                                     int t, BprEpochStats& st) {
  const CsrView& d = a.d;
  const std::size_t f = a.p.factors;
  const float lr = a.p.learning_rate;
  const float keep = 1.0f - lr * a.p.regularization;  // the weight decay of a step
  const bool verify = a.p.verify_negative;
  Rng sampler = Rng::stream(epoch_seed, 2 * static_cast<uint32_t>(t));
  // The first negative candidate of sample s is the s-th draw of `negatives`
  // (redraws come from `sampler`), so the candidate kAhead samples on is
  // known now, and its row is prefetched.
  Rng negatives = Rng::stream(epoch_seed, 2 * static_cast<uint32_t>(t) + 1);
  const uint32_t item_count = static_cast<uint32_t>(a.items);
  for (uint32_t k = 0; k < kAhead; ++k) {
    const std::size_t j_ahead = negatives.skipped(k).below(item_count);
    prefetch_row(a.item_factors + j_ahead * f, f);
    prefetch(a.item_bias + j_ahead);
  }
  ItemMarks marks(verify ? a.items : 0);
  std::vector<int32_t> row;
  std::size_t since_check = 4096;  // check before the first user too
  LossSum loss;
  // Counted here rather than in `st`, which the compiler keeps in memory.
  std::size_t correct = 0, samples = 0;

  for (std::size_t pos = 0; pos < count; ++pos) {
    if (pos + 1 < count) {
      const int32_t next = order[pos + 1];
      prefetch_row(a.user_factors + static_cast<std::size_t>(next) * f, f);
      prefetch(d.indices + d.indptr[next]);
    }
    const int32_t u = order[pos];
    const int32_t* items = d.indices + d.indptr[u];
    const std::size_t n = static_cast<std::size_t>(d.indptr[u + 1] - d.indptr[u]);
    if (n == 0 || (verify && n >= a.items)) continue;  // nothing to sample, or no negative exists
    if (since_check >= 4096) {
      if (a.cancel.requested()) throw Cancelled{};
      since_check = 0;
    }
    since_check += n;

    row.assign(items, items + n);
    shuffle(row, sampler);
    if (verify) marks.set(row.data(), n);
    float* uf = a.user_factors + static_cast<std::size_t>(u) * f;
    for (std::size_t k = 0; k < std::min(n, kAhead); ++k) {
      prefetch_row(a.item_factors + static_cast<std::size_t>(row[k]) * f, f);
      prefetch(a.item_bias + row[k]);
    }

    for (std::size_t s = 0; s < n; ++s) {
      if (s + kAhead < n) {
        const std::size_t i_ahead = static_cast<std::size_t>(row[s + kAhead]);
        prefetch_row(a.item_factors + i_ahead * f, f);
        prefetch(a.item_bias + i_ahead);
      }
      const std::size_t j_ahead = negatives.skipped(kAhead).below(item_count);
      prefetch_row(a.item_factors + j_ahead * f, f);
      prefetch(a.item_bias + j_ahead);
      const int32_t i = row[s];
      uint32_t j = negatives.below(item_count);
      if (verify)
        while (marks.has(j)) j = sampler.below(item_count);
      float* vi = a.item_factors + static_cast<std::size_t>(i) * f;
      float* vj = a.item_factors + static_cast<std::size_t>(j) * f;
#if MFREC_HAS_LANES8
      const float dot = kWide ? bpr_difference_dot16(uf, vi, vj, f) : bpr_difference_dot(uf, vi, vj, f);
#else
      const float dot = bpr_difference_dot(uf, vi, vj, f);
#endif
      const float x = (a.item_bias[i] - a.item_bias[j]) + dot;
      // z = σ(−x): the gradient weight, near 0 once the pair is well ranked.
      const float z = 1.0f / (1.0f + std::exp(x));
      const float step = lr * z;
#if MFREC_HAS_LANES8
      if (kWide)
        update_rows16(uf, vi, vj, f, step, keep);
      else
#endif
        update_rows(uf, vi, vj, f, step, keep);
      const float bi = a.item_bias[i];
      a.item_bias[i] = keep * bi + step;
      const float bj = a.item_bias[j];
      a.item_bias[j] = keep * bj - step;

      loss.add(x, z);
      correct += x > 0 ? 1 : 0;
    }
    samples += n;
    if (verify) marks.clear(row.data(), n);
  }
  st.loss = loss.total();
  st.correct = static_cast<double>(correct);
  st.samples = samples;
}

using TrainStretchFn = void (*)(const ThreadArgs&, const int32_t*, std::size_t, uint32_t, int, BprEpochStats&);
void train_stretch_plain(const ThreadArgs& a, const int32_t* order, std::size_t count, uint32_t epoch_seed, int t,
                         BprEpochStats& st) {
  train_stretch_body<false>(a, order, count, epoch_seed, t, st);
}
MFREC_TARGET_AVX2 void train_stretch_avx2(const ThreadArgs& a, const int32_t* order, std::size_t count,
                                          uint32_t epoch_seed, int t, BprEpochStats& st) {
  train_stretch_body<false>(a, order, count, epoch_seed, t, st);
}
// The AVX-512 copy also targets PRFCHW, which every AVX-512 CPU has, so that
// prefetch() becomes PREFETCHW: the item rows a sample prefetches are written
// a few samples later, and a row that another core held (the other thread's,
// or this thread's before the system moved it) came back shared and was then
// fetched again to be written. Fetching it for writing at once took epochs to
// about 0.6x the CPU seconds, at one and two threads, 64 and 128 factors
// (bench/investigations/NOTES-bpr-sampling.md). Plain x86-64 and AVX2 do not
// promise PRFCHW, so their copies keep the plain prefetch.
#if MFREC_HAS_AVX512_COPY
#define MFREC_BPR_TARGET_AVX512 __attribute__((target("avx2,avx512f,avx512vl,avx512dq,avx512bw,prfchw")))
#else
#define MFREC_BPR_TARGET_AVX512 MFREC_TARGET_AVX512
#endif
MFREC_BPR_TARGET_AVX512 void train_stretch_avx512(const ThreadArgs& a, const int32_t* order, std::size_t count,
                                                  uint32_t epoch_seed, int t, BprEpochStats& st) {
  train_stretch_body<true>(a, order, count, epoch_seed, t, st);
}

}  // namespace

BprEpochStats bpr_epoch(const BprParams& p, const CsrView& d, std::size_t items, float* user_factors,
                        float* item_factors, float* item_bias, uint32_t epoch, CancelFlag cancel) {
  const std::size_t nnz = validate(p, d, items);
  BprEpochStats total;
  if (nnz == 0) return total;
  const int threads = resolve_threads(p.threads);
  const uint32_t epoch_seed = Rng::stream(p.seed, epoch).next();
  const std::vector<int32_t> order = user_order(d.rows, epoch_seed);
  const std::vector<std::size_t> starts = stretch_starts(d, nnz, order, threads);
  std::vector<BprEpochStats> stats(static_cast<std::size_t>(threads));
  const ThreadArgs args{p, d, items, user_factors, item_factors, item_bias, cancel};

  // Only factors in groups of 16 gain from AVX-512.
  const TrainStretchFn train_stretch =
      p.factors % 16 == 0
          ? pick_cpu_copy<TrainStretchFn>(&train_stretch_plain, &train_stretch_avx2, &train_stretch_avx512)
          : pick_cpu_copy<TrainStretchFn>(&train_stretch_plain, &train_stretch_avx2);
  run_team(threads, [&](int t) {
    const std::size_t begin = starts[static_cast<std::size_t>(t)], end = starts[static_cast<std::size_t>(t) + 1];
    train_stretch(args, order.data() + begin, end - begin, epoch_seed, t, stats[static_cast<std::size_t>(t)]);
  });
  for (const auto& st : stats) {
    total.loss += st.loss;
    total.correct += st.correct;
    total.samples += st.samples;
  }
  return total;
}

}  // namespace mfrec
