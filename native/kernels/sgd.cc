#include "kernels/sgd.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/block_scheduler.h"
#include "kernels/random.h"

// The inner loop is compiled for baseline x86-64, AVX2 and (for factor
// counts that are multiples of 16) AVX-512, and the copy is picked at run
// time (kernels/simd.h): the default build runs on any x86-64 CPU, and every
// copy gives the same bits.
#include "kernels/sgd_dot.h"
#include "kernels/simd.h"

namespace mfrec {

namespace {

// Random streams derived from the seed; lib/twins/sgd.ts uses the same numbers.
constexpr uint32_t kStreamUsers = 0;
constexpr uint32_t kStreamItems = 1;
constexpr uint32_t kStreamEntries = 2;
constexpr uint32_t kStreamEpochBase = 16;

// Ratings per cancellation check inside a block.
constexpr std::size_t kChunk = 16384;
// How many ratings ahead the factor rows are prefetched.
constexpr std::size_t kPrefetchAhead = 8;

// Block of each of n rows: a seeded permutation gives every row a rank, and
// ranks are cut into `blocks` nearly equal ranges.
std::vector<int32_t> row_blocks(int32_t n, int32_t blocks, Rng rng) {
  std::vector<int32_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  shuffle(order, rng);
  std::vector<int32_t> block(static_cast<std::size_t>(n));
  for (int32_t rank = 0; rank < n; ++rank) {
    block[static_cast<std::size_t>(order[static_cast<std::size_t>(rank)])] =
        static_cast<int32_t>(static_cast<int64_t>(rank) * blocks / n);
  }
  return block;
}

// What the update reads and writes of one row besides its factors, packed
// in one 16-byte record so that a rating touches one line per side for them
// instead of three (the bias and the two penalty multipliers sit in separate
// arrays of the model). The shrink factors are the per-row 1 − lr·penalty,
// computed once per epoch with the same float operations the update used to
// do per rating, so the bits are unchanged.
struct RowScalars {
  float bias;
  float shrink;       // of the factor row: 1 - lr * regularization * multiplier
  float bias_shrink;  // of the bias: 1 - lr * bias_regularization * multiplier
  float unused;
};
static_assert(sizeof(RowScalars) == 16, "four records to a cache line");

// Everything the inner loop reads, hoisted out of the structs.
struct Ctx {
  int32_t k;
  uint32_t n_users;
  uint32_t n_items;
  float mu;
  float lr;
  float* user_factors;
  float* item_factors;
  RowScalars* user_scalars;
  RowScalars* item_scalars;
};

[[noreturn]] void bad_index(std::size_t entry) {
  throw std::invalid_argument("sgd: user or item index out of range at grid entry " + std::to_string(entry));
}

// The first of n entries whose user or item is out of range, or n. One
// vectorizable pass over a chunk about to be trained (it is in cache for the
// update just after), so the update loop itself checks nothing.
MFREC_INLINE std::size_t first_bad_entry(const int32_t* users, const int32_t* items, std::size_t n, uint32_t n_users,
                                         uint32_t n_items) {
  uint32_t max_user = 0, max_item = 0;
  for (std::size_t e = 0; e < n; ++e) {
    max_user = std::max(max_user, static_cast<uint32_t>(users[e]));
    max_item = std::max(max_item, static_cast<uint32_t>(items[e]));
  }
  if (n == 0 || (max_user < n_users && max_item < n_items)) return n;
  std::size_t e = 0;
  while (static_cast<uint32_t>(users[e]) < n_users && static_cast<uint32_t>(items[e]) < n_items) ++e;
  return e;
}

// Whole 16-float groups, written as 16-lane vectors for the AVX-512 copy
// (a factor row in K / 16 instructions per step). The other copies keep the
// 8-lane loops, which compile to fewer instructions without AVX-512.
constexpr bool by_sixteen(int K) { return MFREC_HAS_LANES8 && K > 0 && K % 16 == 0; }

// p ← a·p + g·q and q ← b·q + g·p, both from the old values.
template <int K, bool Wide>
MFREC_INLINE void update_rows(float* MFREC_RESTRICT p, float* MFREC_RESTRICT q, float a, float b, float g,
                              std::size_t k) {
#if MFREC_HAS_LANES8
  if constexpr (Wide && by_sixteen(K)) {
    for (int f = 0; f < K; f += 16) {
      const Lanes16 pf = load16(p + f);
      const Lanes16 qf = load16(q + f);
      store16(p + f, a * pf + g * qf);
      store16(q + f, b * qf + g * pf);
    }
    return;
  }
#endif
  for (std::size_t f = 0; f < k; ++f) {
    const float pf = p[f];
    const float qf = q[f];
    p[f] = a * pf + g * qf;
    q[f] = b * qf + g * pf;
  }
}

// SGD over n consecutive grid entries. K > 0 fixes the factor count at
// compile time (fully unrolled loops); K == 0 reads it from ctx. Wide: the
// 16-lane loops (the AVX-512 copy).
template <int K, bool Wide>
MFREC_INLINE void update_run(const Ctx& shared, const int32_t* users, const int32_t* items, const float* ratings,
                             std::size_t n, std::size_t first_entry, double& sse_out) {
  // Local copies stay in registers: through the references, every store to
  // a bias or factor might change them (as far as the compiler can tell), so
  // each rating would reload the hyperparameters and store the running sum.
  const Ctx c = shared;
  const std::size_t bad = first_bad_entry(users, items, n, c.n_users, c.n_items);
  // The entries before a bad one train, as if each were checked in turn.
  double sse = sse_out;
  const int32_t k = K > 0 ? K : c.k;
  const std::size_t stride = static_cast<std::size_t>(k);
  for (std::size_t e = 0; e < bad; ++e) {
    const uint32_t u = static_cast<uint32_t>(users[e]);
    const uint32_t i = static_cast<uint32_t>(items[e]);
    if (e + kPrefetchAhead < bad) {
      const uint32_t nu = static_cast<uint32_t>(users[e + kPrefetchAhead]);
      const uint32_t ni = static_cast<uint32_t>(items[e + kPrefetchAhead]);
      const float* np = c.user_factors + nu * stride;
      const float* nq = c.item_factors + ni * stride;
      for (int32_t f = 0; f < k; f += 16) {
        prefetch(np + f);
        prefetch(nq + f);
      }
      prefetch(c.user_scalars + nu);
      prefetch(c.item_scalars + ni);
    }
    float* MFREC_RESTRICT p = c.user_factors + u * stride;
    float* MFREC_RESTRICT q = c.item_factors + i * stride;
    RowScalars& su = c.user_scalars[u];
    RowScalars& si = c.item_scalars[i];
    const float dot = tree_dot<K>(p, q, stride);
    const float err = ratings[e] - (((c.mu + su.bias) + si.bias) + dot);
    sse += static_cast<double>(err) * static_cast<double>(err);
    const float g = c.lr * err;
    // The rows first: no store comes between the dot product's loads and
    // the update's, so the compiler can keep the rows in registers.
    update_rows<K, Wide>(p, q, su.shrink, si.shrink, g, stride);
    su.bias = su.bias_shrink * su.bias + g;
    si.bias = si.bias_shrink * si.bias + g;
  }
  sse_out = sse;
  if (bad < n) bad_index(first_entry + bad);
}

using RunFn = void (*)(const Ctx&, const int32_t*, const int32_t*, const float*, std::size_t, std::size_t, double&);

template <int K>
void run_plain(const Ctx& c, const int32_t* u, const int32_t* i, const float* r, std::size_t n, std::size_t first,
               double& sse) {
  update_run<K, false>(c, u, i, r, n, first, sse);
}

template <int K>
MFREC_TARGET_AVX2 void run_avx2(const Ctx& c, const int32_t* u, const int32_t* i, const float* r, std::size_t n,
                                std::size_t first, double& sse) {
  update_run<K, false>(c, u, i, r, n, first, sse);
}

template <int K>
MFREC_TARGET_AVX512 void run_avx512(const Ctx& c, const int32_t* u, const int32_t* i, const float* r, std::size_t n,
                                    std::size_t first, double& sse) {
  update_run<K, true>(c, u, i, r, n, first, sse);
}

template <int K>
RunFn pick_for() {
  // Only the 16-lane loops gain from AVX-512.
  if constexpr (by_sixteen(K)) return pick_cpu_copy<RunFn>(&run_plain<K>, &run_avx2<K>, &run_avx512<K>);
  return pick_cpu_copy<RunFn>(&run_plain<K>, &run_avx2<K>);
}

RunFn pick_run(int32_t k) {
  switch (k) {
    case 8: return pick_for<8>();
    case 16: return pick_for<16>();
    case 32: return pick_for<32>();
    case 64: return pick_for<64>();
    case 128: return pick_for<128>();
    default: return pick_for<0>();
  }
}

// Runs one block in chunks, checking for cancellation between chunks.
// Returns false if it stopped early because of a cancellation request.
bool run_block(const SgdGrid& g, const Ctx& c, RunFn run, int32_t block, const CancelFlag& cancel, double& sse) {
  const std::size_t begin = static_cast<std::size_t>(g.block_ptr[block]);
  const std::size_t end = static_cast<std::size_t>(g.block_ptr[block + 1]);
  for (std::size_t s = begin; s < end; s += kChunk) {
    if (cancel.requested()) return false;
    const std::size_t n = std::min(kChunk, end - s);
    run(c, g.users + s, g.items + s, g.ratings + s, n, s, sse);
  }
  return true;
}

void check_grid(const SgdGrid& g, const SgdModel& m) {
  if (g.blocks < 1 || g.blocks > 4096) throw std::invalid_argument("sgd: blocks must be in [1, 4096]");
  if (m.factors < 1) throw std::invalid_argument("sgd: factors must be >= 1");
  if (m.n_users < 0 || m.n_items < 0) throw std::invalid_argument("sgd: negative matrix size");
  const int32_t nb = g.blocks * g.blocks;
  if (g.block_ptr[0] != 0 || static_cast<std::size_t>(g.block_ptr[nb]) != g.nnz) {
    throw std::invalid_argument("sgd: block offsets must start at 0 and end at the number of ratings");
  }
  for (int32_t b = 0; b < nb; ++b) {
    if (g.block_ptr[b] > g.block_ptr[b + 1]) throw std::invalid_argument("sgd: block offsets must not decrease");
  }
}

// Factor rows aligned to cache lines for the length of an epoch. Large
// typed arrays start 16 bytes past a 64-byte boundary (the allocator's
// header), so with rows a whole number of lines long every 64-byte access of
// the AVX-512 copy (and every other one of the AVX2 copy) spans two lines:
// about 30% of the epoch's CPU time on S1-shaped data at 64 factors
// (bench/investigations/NOTES-sgd-speed.md). When the rows would gain, the
// epoch trains on an aligned copy, written back when the epoch ends, however
// it ends; the arithmetic is the same, so are the bits.
class LineAlignedRows {
 public:
  LineAlignedRows(float* rows, std::size_t n, int32_t k) : original_(rows), n_(n) {
    const bool whole_lines = k % 16 == 0;
    if (!whole_lines || n == 0 || reinterpret_cast<std::uintptr_t>(rows) % 64 == 0) return;
    copy_.reset(new (std::align_val_t{64}) float[n]);
    std::memcpy(copy_.get(), rows, n * sizeof(float));
  }
  ~LineAlignedRows() {
    if (copy_) std::memcpy(original_, copy_.get(), n_ * sizeof(float));
  }
  LineAlignedRows(const LineAlignedRows&) = delete;
  LineAlignedRows& operator=(const LineAlignedRows&) = delete;
  float* rows() const { return copy_ ? copy_.get() : original_; }

 private:
  struct AlignedDelete {
    void operator()(float* p) const { ::operator delete[](p, std::align_val_t{64}); }
  };
  float* original_;
  std::size_t n_;
  std::unique_ptr<float[], AlignedDelete> copy_;
};

// The biases and per-row shrink factors of one side as RowScalars for the
// length of an epoch; the biases are written back when it ends, however it
// ends (like LineAlignedRows).
class PackedScalars {
 public:
  PackedScalars(float* bias, const float* reg, const float* bias_reg, int32_t n, const SgdStep& step)
      : bias_(bias), records_(static_cast<std::size_t>(n)) {
    const float lr_reg = step.learning_rate * step.regularization;
    const float lr_bias_reg = step.learning_rate * step.bias_regularization;
    for (std::size_t r = 0; r < records_.size(); ++r) {
      records_[r].bias = bias[r];
      records_[r].shrink = reg != nullptr ? 1.0f - lr_reg * reg[r] : 1.0f - lr_reg;
      records_[r].bias_shrink = bias_reg != nullptr ? 1.0f - lr_bias_reg * bias_reg[r] : 1.0f - lr_bias_reg;
      records_[r].unused = 0;
    }
  }
  ~PackedScalars() {
    for (std::size_t r = 0; r < records_.size(); ++r) bias_[r] = records_[r].bias;
  }
  PackedScalars(const PackedScalars&) = delete;
  PackedScalars& operator=(const PackedScalars&) = delete;
  RowScalars* records() { return records_.data(); }

 private:
  float* bias_;
  std::vector<RowScalars> records_;
};

}  // namespace

float sgd_dot(const float* p, const float* q, int32_t k) { return lane_dot(p, q, static_cast<std::size_t>(k)); }

void sgd_layout(std::size_t nnz, const int32_t* users, const int32_t* items, const float* ratings, int32_t n_users,
                int32_t n_items, int32_t blocks, uint32_t seed, int32_t* out_users, int32_t* out_items,
                float* out_ratings, int32_t* block_ptr) {
  if (blocks < 1 || blocks > 4096) throw std::invalid_argument("sgd_layout: blocks must be in [1, 4096]");
  if (n_users < 0 || n_items < 0) throw std::invalid_argument("sgd_layout: negative matrix size");
  if (nnz > 0x7fffffffu) throw std::invalid_argument("sgd_layout: more than 2^31-1 ratings");
  const std::vector<int32_t> ub = row_blocks(n_users, blocks, Rng::stream(seed, kStreamUsers));
  const std::vector<int32_t> ib = row_blocks(n_items, blocks, Rng::stream(seed, kStreamItems));

  const std::size_t nb = static_cast<std::size_t>(blocks) * blocks;
  std::vector<int32_t> next(nb + 1, 0);
  for (std::size_t k = 0; k < nnz; ++k) {
    const uint32_t u = static_cast<uint32_t>(users[k]);
    const uint32_t i = static_cast<uint32_t>(items[k]);
    if (u >= static_cast<uint32_t>(n_users) || i >= static_cast<uint32_t>(n_items)) {
      throw std::invalid_argument("sgd_layout: user or item index out of range at entry " + std::to_string(k));
    }
    ++next[static_cast<std::size_t>(ub[u]) * blocks + ib[i] + 1];
  }
  for (std::size_t b = 0; b < nb; ++b) next[b + 1] += next[b];
  std::copy(next.begin(), next.end(), block_ptr);

  // One shuffle of all entries, then a stable bucket pass: each block keeps
  // the shuffled order of its own entries.
  std::vector<int32_t> order(nnz);
  std::iota(order.begin(), order.end(), 0);
  Rng rng = Rng::stream(seed, kStreamEntries);
  shuffle(order, rng);
  for (std::size_t j = 0; j < nnz; ++j) {
    const std::size_t e = static_cast<std::size_t>(order[j]);
    const std::size_t b = static_cast<std::size_t>(ub[static_cast<std::size_t>(users[e])]) * blocks +
                          ib[static_cast<std::size_t>(items[e])];
    const std::size_t at = static_cast<std::size_t>(next[b]++);
    out_users[at] = users[e];
    out_items[at] = items[e];
    out_ratings[at] = ratings[e];
  }
}

double sgd_epoch(const SgdGrid& grid, const SgdModel& model, const SgdStep& step, const CancelFlag& cancel) {
  check_grid(grid, model);
  Ctx c;
  c.k = model.factors;
  c.n_users = static_cast<uint32_t>(model.n_users);
  c.n_items = static_cast<uint32_t>(model.n_items);
  c.mu = model.global_bias;
  c.lr = step.learning_rate;
  const int32_t k = model.factors;
  const LineAlignedRows user_rows(model.user_factors, static_cast<std::size_t>(model.n_users) * k, k);
  const LineAlignedRows item_rows(model.item_factors, static_cast<std::size_t>(model.n_items) * k, k);
  c.user_factors = user_rows.rows();
  c.item_factors = item_rows.rows();
  PackedScalars user_scalars(model.user_bias, model.user_reg, model.user_bias_reg, model.n_users, step);
  PackedScalars item_scalars(model.item_bias, model.item_reg, model.item_bias_reg, model.n_items, step);
  c.user_scalars = user_scalars.records();
  c.item_scalars = item_scalars.records();
  const RunFn run = pick_run(model.factors);
  const int32_t nb = grid.blocks * grid.blocks;
  const uint32_t epoch_seed_index = kStreamEpochBase + step.epoch;

  // At most one thread per row block can work at a time, and no more threads
  // than there are blocks holding ratings.
  int threads = std::max(1, std::min(resolve_threads(step.threads), static_cast<int>(grid.blocks)));
  std::unique_ptr<BlockScheduler> scheduler;
  if (threads > 1) {
    scheduler =
        std::make_unique<BlockScheduler>(grid.blocks, grid.block_ptr, Rng::stream(step.seed, epoch_seed_index).next());
    threads = std::max(1, std::min(threads, static_cast<int>(scheduler->nonempty_blocks())));
  }
  if (threads == 1) {
    // One thread: blocks in a seeded order, replayed exactly by the twin.
    std::vector<int32_t> order(static_cast<std::size_t>(nb));
    std::iota(order.begin(), order.end(), 0);
    Rng rng = Rng::stream(step.seed, epoch_seed_index);
    shuffle(order, rng);
    double sse = 0;
    for (int32_t b : order) {
      if (!run_block(grid, c, run, b, cancel, sse)) throw Cancelled{};
    }
    return sse;
  }

  std::vector<double> partial(static_cast<std::size_t>(threads), 0.0);
  std::mutex cancel_mutex;
  bool cancelled = false;
  run_team(threads, [&](int t) {
    double sse = 0;
    int32_t b = -1;
    try {
      while ((b = scheduler->next(b)) >= 0) {
        if (!run_block(grid, c, run, b, cancel, sse)) {
          {
            std::lock_guard<std::mutex> lock(cancel_mutex);
            cancelled = true;
          }
          scheduler->stop();
          break;
        }
      }
    } catch (...) {
      // Release the other threads, which may be waiting for this block.
      scheduler->stop();
      throw;
    }
    partial[static_cast<std::size_t>(t)] = sse;
  });
  if (cancelled) throw Cancelled{};
  double sse = 0;
  for (double s : partial) sse += s;
  return sse;
}

void sgd_predict(const SgdModel& model, std::size_t n, const int32_t* users, const int32_t* items, float lo, float hi,
                 int threads, float* out) {
  const int32_t k = model.factors;
  const std::size_t stride = static_cast<std::size_t>(k);
  parallel_for(resolve_threads(threads), n, 8192, [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t e = begin; e < end; ++e) {
      const int32_t u = users[e];
      const int32_t i = items[e];
      if (u < -1 || u >= model.n_users || i < -1 || i >= model.n_items) {
        throw std::invalid_argument("sgd_predict: user or item index out of range at entry " + std::to_string(e));
      }
      float s = model.global_bias;
      if (u >= 0) s += model.user_bias[u];
      if (i >= 0) s += model.item_bias[i];
      if (u >= 0 && i >= 0) {
        s += lane_dot(model.user_factors + static_cast<std::size_t>(u) * stride,
                      model.item_factors + static_cast<std::size_t>(i) * stride, stride);
      }
      out[e] = s < lo ? lo : (s > hi ? hi : s);
    }
  });
}

}  // namespace mfrec
