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
constexpr uint32_t kStreamInit = 3;
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

// The grid's blocks and offsets (not its indices).
void check_layout(const SgdGrid& g) {
  if (g.blocks < 1 || g.blocks > 4096) throw std::invalid_argument("sgd: blocks must be in [1, 4096]");
  const int32_t nb = g.blocks * g.blocks;
  if (g.block_ptr[0] != 0 || static_cast<std::size_t>(g.block_ptr[nb]) != g.nnz) {
    throw std::invalid_argument("sgd: block offsets must start at 0 and end at the number of ratings");
  }
  for (int32_t b = 0; b < nb; ++b) {
    if (g.block_ptr[b] > g.block_ptr[b + 1]) throw std::invalid_argument("sgd: block offsets must not decrease");
  }
}

void check_grid(const SgdGrid& g, const SgdModel& m) {
  if (m.factors < 1) throw std::invalid_argument("sgd: factors must be >= 1");
  if (m.n_users < 0 || m.n_items < 0) throw std::invalid_argument("sgd: negative matrix size");
  check_layout(g);
}

// How many ratings ahead the layout prefetches the entries it gathers.
constexpr std::size_t kLayoutAhead = 16;
// Ratings per layout thread below which a second thread costs more than it saves.
constexpr std::size_t kLayoutMinPerThread = 1 << 18;

// [begin, end) of part t of n cut into `parts` nearly equal slices.
struct Slice {
  std::size_t begin, end;
};
Slice slice(std::size_t n, int parts, int t) {
  const std::size_t p = static_cast<std::size_t>(parts);
  return {n * static_cast<std::size_t>(t) / p, n * static_cast<std::size_t>(t + 1) / p};
}

// Threads for laying out nnz ratings into nb blocks: each thread keeps nb
// offsets, so a grid with more blocks than ratings per thread stays on one.
int layout_threads(int requested, std::size_t nnz, std::size_t nb) {
  const std::size_t useful = std::max<std::size_t>(1, nnz / std::max(kLayoutMinPerThread, nb));
  return static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(resolve_threads(requested)), useful));
}

// order = a Fisher-Yates shuffle of 0..n-1 by `rng` (the twin's Rng.shuffle).
// Each swap touches one random element; the generator is a counter, so a
// second copy of it, kLayoutAhead draws on, names the element a later swap
// will touch, and the loop prefetches it: the same swaps, far fewer stalls.
void shuffled_entries(std::vector<int32_t>& order, Rng rng) {
  const std::size_t n = order.size();
  std::iota(order.begin(), order.end(), 0);
  int32_t* a = order.data();
  Rng ahead = rng.skipped(static_cast<uint32_t>(kLayoutAhead));
  for (std::size_t i = n; i > 1; --i) {
    if (i > kLayoutAhead + 1) prefetch(a + ahead.below(static_cast<uint32_t>(i - kLayoutAhead)));
    const std::size_t j = rng.below(static_cast<uint32_t>(i));
    std::swap(a[i - 1], a[j]);
  }
}

// The grid block of an entry: its user's row block and its item's column block.
struct Blocks {
  const int32_t* user_block;
  const int32_t* item_block;
  int32_t blocks;
  const int32_t* users;
  const int32_t* items;
  std::size_t of(std::size_t e) const {
    return static_cast<std::size_t>(user_block[users[e]]) * static_cast<std::size_t>(blocks) +
           static_cast<std::size_t>(item_block[items[e]]);
  }
};

// Counts the entries of s per block into `count`; returns the first entry
// with an index out of range (counting stops there), or s.end.
std::size_t check_and_count(const Blocks& where, int32_t n_users, int32_t n_items, Slice s,
                            std::vector<int32_t>& count) {
  for (std::size_t e = s.begin; e < s.end; ++e) {
    if (static_cast<uint32_t>(where.users[e]) >= static_cast<uint32_t>(n_users) ||
        static_cast<uint32_t>(where.items[e]) >= static_cast<uint32_t>(n_items)) {
      return e;
    }
    ++count[where.of(e)];
  }
  return s.end;
}

// Entries of each row block among the shuffled entries order[s].
void count_row_blocks(const Blocks& where, const int32_t* order, Slice s, std::vector<int32_t>& count) {
  for (std::size_t j = s.begin; j < s.end; ++j) {
    if (j + kLayoutAhead < s.end) prefetch(where.users + order[j + kLayoutAhead]);
    ++count[static_cast<std::size_t>(where.user_block[where.users[order[j]]])];
  }
}

// First of two stable passes (a direct pass into every block at once writes
// to blocks² places in turn, which thrashes the TLB): the shuffled entries
// order[s], by row block, from `next` (each row block's first free slot for
// this slice).
void scatter_by_row_block(const Blocks& where, const int32_t* order, Slice s, std::vector<int32_t>& next,
                          int32_t* by_row_block) {
  for (std::size_t j = s.begin; j < s.end; ++j) {
    if (j + kLayoutAhead < s.end) prefetch(where.users + order[j + kLayoutAhead]);
    const int32_t e = order[j];
    by_row_block[next[static_cast<std::size_t>(where.user_block[where.users[e]])]++] = e;
  }
}

// Second pass: the entries of row block rb (in shuffled order), copied to
// the blocks of that row, which start at block_ptr[rb * blocks + cb].
void scatter_row_block(const Blocks& where, const float* ratings, const int32_t* by_row_block, const int32_t* block_ptr,
                       int32_t rb, int32_t* out_users, int32_t* out_items, float* out_ratings) {
  const std::size_t first = static_cast<std::size_t>(rb) * static_cast<std::size_t>(where.blocks);
  std::vector<int32_t> next(block_ptr + first, block_ptr + first + where.blocks);
  const std::size_t begin = static_cast<std::size_t>(block_ptr[first]);
  const std::size_t end = static_cast<std::size_t>(block_ptr[first + where.blocks]);
  for (std::size_t j = begin; j < end; ++j) {
    if (j + kLayoutAhead < end) {
      const int32_t ahead = by_row_block[j + kLayoutAhead];
      prefetch(where.users + ahead);
      prefetch(where.items + ahead);
      prefetch(ratings + ahead);
    }
    const std::size_t e = static_cast<std::size_t>(by_row_block[j]);
    const std::size_t at = static_cast<std::size_t>(next[static_cast<std::size_t>(where.item_block[where.items[e]])]++);
    out_users[at] = where.users[e];
    out_items[at] = where.items[e];
    out_ratings[at] = ratings[e];
  }
}

// Factor rows aligned to cache lines for the length of an epoch. Large
// typed arrays start 16 bytes past a 64-byte boundary (the allocator's
// header), so with rows a whole number of lines long every 64-byte access of
// the AVX-512 copy (and every other one of the AVX2 copy) spans two lines:
// about 30% of the epoch's CPU time on S1-shaped data at 64 factors
// (bench/investigations/NOTES-sgd-speed.md). ExplicitMF allocates its factor
// arrays on a line (lib/models/explicit/aligned-factors.ts), so its epochs
// train in place; for a caller whose rows are off a line and would gain, the
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
                float* out_ratings, int32_t* block_ptr, int threads) {
  if (blocks < 1 || blocks > 4096) throw std::invalid_argument("sgd_layout: blocks must be in [1, 4096]");
  if (n_users < 0 || n_items < 0) throw std::invalid_argument("sgd_layout: negative matrix size");
  if (nnz > 0x7fffffffu) throw std::invalid_argument("sgd_layout: more than 2^31-1 ratings");
  const std::vector<int32_t> ub = row_blocks(n_users, blocks, Rng::stream(seed, kStreamUsers));
  const std::vector<int32_t> ib = row_blocks(n_items, blocks, Rng::stream(seed, kStreamItems));
  const std::size_t nb = static_cast<std::size_t>(blocks) * blocks;
  const int team = layout_threads(threads, nnz, nb);
  // One shuffle of all entries (the only sequential step) while the other
  // threads check the indices and count the entries of each block (in entry
  // order, which needs no shuffle); the first bad entry is reported.
  const Blocks where{ub.data(), ib.data(), blocks, users, items};
  std::vector<int32_t> order(nnz);
  const int checkers = std::max(1, team - 1);
  std::vector<std::size_t> bad(static_cast<std::size_t>(checkers), nnz);
  std::vector<std::vector<int32_t>> per_block(static_cast<std::size_t>(checkers), std::vector<int32_t>(nb, 0));
  run_team(team, [&](int t) {
    if (t == 0) shuffled_entries(order, Rng::stream(seed, kStreamEntries));
    if (t > 0 || team == 1) {
      const std::size_t part = static_cast<std::size_t>(team == 1 ? 0 : t - 1);
      bad[part] =
          check_and_count(where, n_users, n_items, slice(nnz, checkers, static_cast<int>(part)), per_block[part]);
    }
  });
  for (std::size_t k : bad) {
    if (k < nnz)
      throw std::invalid_argument("sgd_layout: user or item index out of range at entry " + std::to_string(k));
  }
  int32_t at = 0;
  for (std::size_t b = 0; b < nb; ++b) {
    block_ptr[b] = at;
    for (const auto& count : per_block) at += count[b];
  }
  block_ptr[nb] = at;

  // The shuffled entries, stably by row block (one slice per thread: thread
  // t writes its part of a row block after the parts of threads < t), then
  // each row block stably by column block: each block keeps the shuffled
  // order of its own entries.
  std::vector<std::vector<int32_t>> next(static_cast<std::size_t>(team), std::vector<int32_t>(blocks, 0));
  run_team(team, [&](int t) {
    count_row_blocks(where, order.data(), slice(nnz, team, t), next[static_cast<std::size_t>(t)]);
  });
  for (int32_t rb = 0; rb < blocks; ++rb) {
    int32_t row_at = block_ptr[static_cast<std::size_t>(rb) * blocks];
    for (auto& n : next) {
      const int32_t count = n[static_cast<std::size_t>(rb)];
      n[static_cast<std::size_t>(rb)] = row_at;
      row_at += count;
    }
  }
  std::vector<int32_t> by_row_block(nnz);
  run_team(team, [&](int t) {
    scatter_by_row_block(where, order.data(), slice(nnz, team, t), next[static_cast<std::size_t>(t)],
                         by_row_block.data());
  });
  std::vector<int32_t>().swap(order);
  parallel_for(team, static_cast<std::size_t>(blocks), 1, [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t rb = begin; rb < end; ++rb) {
      scatter_row_block(where, ratings, by_row_block.data(), block_ptr, static_cast<int32_t>(rb), out_users, out_items,
                        out_ratings);
    }
  });
}

namespace {

// Rows numbered by first appearance in the grid, reading blocks row block by
// row block (by_column false: the users' order) or column block by column
// block (true: the items'); rows never seen go last. order[new] = old,
// rank[old] = new.
void first_appearance(const int32_t* rows, int32_t n, const SgdGrid& grid, bool by_column, int32_t* order,
                      int32_t* rank) {
  std::fill(rank, rank + n, -1);
  int32_t next = 0;
  const int32_t b = grid.blocks;
  for (int32_t k = 0; k < b * b; ++k) {
    const int32_t block = by_column ? (k % b) * b + k / b : k;
    for (int32_t e = grid.block_ptr[block]; e < grid.block_ptr[block + 1]; ++e) {
      const int32_t row = rows[e];
      if (static_cast<uint32_t>(row) >= static_cast<uint32_t>(n)) bad_index(static_cast<std::size_t>(e));
      if (rank[row] == -1) {
        // Only arrays that overlap could number more rows than there are.
        if (next == n) throw std::invalid_argument("sgd_group_rows: order and rank arrays must not overlap");
        rank[row] = next;
        order[next++] = row;
      }
    }
  }
  for (int32_t row = 0; row < n; ++row) {
    if (rank[row] == -1) {
      if (next == n) throw std::invalid_argument("sgd_group_rows: order and rank arrays must not overlap");
      rank[row] = next;
      order[next++] = row;
    }
  }
}

}  // namespace

void sgd_group_rows(const SgdGrid& grid, int32_t n_users, int32_t n_items, SgdRowGroups out, int threads) {
  check_layout(grid);
  const int team = std::min(2, resolve_threads(threads));
  run_team(team, [&](int t) {
    if (t == 0) first_appearance(grid.users, n_users, grid, false, out.user_order, out.user_rank);
    if (t == 1 || team == 1) first_appearance(grid.items, n_items, grid, true, out.item_order, out.item_rank);
  });
  int32_t* users = const_cast<int32_t*>(grid.users);
  int32_t* items = const_cast<int32_t*>(grid.items);
  parallel_for(resolve_threads(threads), grid.nnz, 1 << 16, [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t e = begin; e < end; ++e) {
      // Checked again: only a rank array overlapping the grid could change them.
      if (static_cast<uint32_t>(users[e]) >= static_cast<uint32_t>(n_users) ||
          static_cast<uint32_t>(items[e]) >= static_cast<uint32_t>(n_items)) {
        bad_index(e);
      }
      users[e] = out.user_rank[users[e]];
      items[e] = out.item_rank[items[e]];
    }
  });
}

void sgd_initial_factors(float* out, std::size_t rows, int32_t factors, uint32_t seed, uint64_t first_row, float sd,
                         const int32_t* order, int threads) {
  if (factors < 1) throw std::invalid_argument("sgd_initial_factors: factors must be >= 1");
  const std::size_t k = static_cast<std::size_t>(factors);
  const Rng start = Rng::stream(seed, kStreamInit);
  parallel_for(resolve_threads(threads), rows, 1024, [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t n = begin; n < end; ++n) {
      const std::size_t source = order != nullptr ? static_cast<std::size_t>(order[n]) : n;
      if (source >= rows) throw std::invalid_argument("sgd_initial_factors: row out of range at " + std::to_string(n));
      // Each coordinate takes two draws (Box-Muller); the generator is a
      // counter (mod 2^32), so any row's draws start one addition away.
      Rng rng = start.skipped(static_cast<uint32_t>(2 * k * (first_row + source)));
      float* row = out + n * k;
      for (std::size_t f = 0; f < k; ++f) row[f] = sd * rng.normal();
    }
  });
}

void sgd_layout_rows(const int32_t* user_ptr, int32_t n_users, const int32_t* items, const float* ratings,
                     int32_t n_items, int32_t blocks, uint32_t seed, int32_t* out_users, int32_t* out_items,
                     float* out_ratings, int32_t* block_ptr, std::size_t nnz, int threads) {
  if (n_users < 0) throw std::invalid_argument("sgd_layout: negative matrix size");
  if (user_ptr[0] != 0 || static_cast<std::size_t>(user_ptr[n_users]) != nnz) {
    throw std::invalid_argument("sgd_layout: row offsets must start at 0 and end at the number of ratings");
  }
  for (int32_t u = 0; u < n_users; ++u) {
    if (user_ptr[u] > user_ptr[u + 1]) throw std::invalid_argument("sgd_layout: row offsets must not decrease");
  }
  std::vector<int32_t> users(nnz);
  parallel_for(resolve_threads(threads), static_cast<std::size_t>(n_users), 4096,
               [&](std::size_t begin, std::size_t end, int) {
                 for (std::size_t u = begin; u < end; ++u) {
                   // Bounded again: the offsets are the caller's memory, checked above but read twice.
                   const std::size_t from = std::min(static_cast<std::size_t>(std::max(user_ptr[u], 0)), nnz);
                   const std::size_t to = std::min(static_cast<std::size_t>(std::max(user_ptr[u + 1], 0)), nnz);
                   if (from < to) std::fill(users.begin() + from, users.begin() + to, static_cast<int32_t>(u));
                 }
               });
  sgd_layout(nnz, users.data(), items, ratings, n_users, n_items, blocks, seed, out_users, out_items, out_ratings,
             block_ptr, threads);
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
