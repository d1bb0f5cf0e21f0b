#include "kernels/hnsw.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kernels/random.h"
#include "kernels/simd.h"
#include "kernels/topk_select.h"

namespace mfrec {

namespace {

// (distance, node): ordered by distance, then node, a total order, so every
// heap pops the same sequence and the twin can use any heap.
using Near = std::pair<float, int32_t>;
struct Farther {
  bool operator()(const Near& a, const Near& b) const { return a < b; }
};
struct Closer {
  bool operator()(const Near& a, const Near& b) const { return b < a; }
};
// Heaps that keep their memory between searches (one per thread).
template <class Order>
struct Heap : std::priority_queue<Near, std::vector<Near>, Order> {
  void clear() { this->c.clear(); }
};
using NearestFirst = Heap<Closer>;
using FarthestFirst = Heap<Farther>;

template <class H>
H& thread_heap() {
  thread_local H h;
  h.clear();
  return h;
}

// Starts loading the first cache lines of the vectors of `nodes`, so the
// distances computed next do not each wait on a cache miss (graph order is
// random order in memory).
void prefetch_vectors(const float* base, std::size_t dim, const int32_t* nodes, std::size_t count) {
#if defined(__GNUC__) || defined(__clang__)
  for (std::size_t i = 0; i < count; ++i) {
    const float* p = base + static_cast<std::size_t>(nodes[i]) * dim;
    __builtin_prefetch(p, 0, 3);
    if (dim > 16) __builtin_prefetch(p + 16, 0, 3);
  }
#else
  (void)base, (void)dim, (void)nodes, (void)count;
#endif
}

std::size_t cap_at(std::size_t m, int32_t level) { return level == 0 ? 2 * m : m; }

int32_t* block_of(const HnswGraph& g, int32_t node, int32_t level) {
  if (level == 0) return g.links + static_cast<std::size_t>(node) * (1 + 2 * g.m);
  return g.links + static_cast<std::size_t>(g.upper[node]) + static_cast<std::size_t>(level - 1) * (1 + g.m);
}

// block_of for a search, which may be handed any arrays (a direct binding
// call): the node, its level and the block's count and end are checked on
// every read, a few comparisons per visited node, so no link can send the
// walk outside the arrays. A graph from a model file is checked whole on load.
const int32_t* checked_block(const HnswGraph& g, int32_t node, int32_t level) {
  if (node < 0 || static_cast<std::size_t>(node) >= g.n || g.levels[node] < level || g.levels[node] > kHnswMaxLevel)
    throw std::invalid_argument("index graph links to node " + std::to_string(node) + ", not a node of level " +
                                std::to_string(level));
  const std::size_t begin =
      level == 0 ? static_cast<std::size_t>(node) * (1 + 2 * g.m)
                 : static_cast<std::size_t>(g.upper[node]) + static_cast<std::size_t>(level - 1) * (1 + g.m);
  if ((level > 0 && g.upper[node] < 0) || begin + 1 + cap_at(g.m, level) > g.n_links)
    throw std::invalid_argument("index graph layout does not match its levels");
  const int32_t* b = g.links + begin;
  if (b[0] < 0 || static_cast<std::size_t>(b[0]) > cap_at(g.m, level))
    throw std::invalid_argument("index graph node " + std::to_string(node) + " has " + std::to_string(b[0]) + " links");
  for (int32_t s = 1; s <= b[0]; ++s)
    if (b[s] < 0 || static_cast<std::size_t>(b[s]) >= g.n)
      throw std::invalid_argument("index graph links to node " + std::to_string(b[s]) + ", out of range");
  return b;
}

// upper and the length of links must be the layout of levels (hnsw_layout):
// a build writes through them, a check reads through them.
void check_layout(const HnswGraph& g) {
  std::vector<int32_t> upper(g.n);
  if (hnsw_layout(g.n, g.m, g.levels, upper.data()) != g.n_links || !std::equal(upper.begin(), upper.end(), g.upper))
    throw std::invalid_argument("upper and links do not match the layout of levels");
}

// Marks of visited nodes, cleared in O(1) by moving to a new epoch. One per
// thread, kept between calls so a single query does not touch n bytes.
struct Visited {
  std::vector<uint32_t> mark;
  uint32_t epoch = 0;
  void begin(std::size_t n) {
    if (mark.size() < n) {
      mark.assign(n, 0);
      epoch = 0;
    }
    if (++epoch == 0) {
      std::fill(mark.begin(), mark.end(), 0u);
      epoch = 1;
    }
  }
  // True the first time `node` is seen in this epoch.
  bool first(int32_t node) {
    uint32_t& m = mark[static_cast<std::size_t>(node)];
    if (m == epoch) return false;
    m = epoch;
    return true;
  }
};

Visited& thread_visited() {
  thread_local Visited v;
  return v;
}

// ---------------------------------------------------------------- building

class Builder {
 public:
  Builder(const HnswItems& items, HnswGraph& g, std::size_t ef, bool locking)
      : it_(items), g_(g), ef_(ef), locking_(locking), locks_(locking ? 4096 : 0) {
    // Squared norms of v_j, the largest one, and the appended coordinate.
    extra_.resize(items.n);
    float m2 = 0.0f;
    for (std::size_t j = 0; j < items.n; ++j) {
      extra_[j] = inner(static_cast<int32_t>(j), static_cast<int32_t>(j));
      m2 = std::max(m2, extra_[j]);
    }
    m2_ = m2;
    for (std::size_t j = 0; j < items.n; ++j) extra_[j] = std::sqrt(std::max(0.0f, m2 - extra_[j]));
  }

  void insert_first() {
    g_.entry = 0;
    max_level_ = g_.levels[0];
  }

  void insert(int32_t c) {
    const int32_t level = g_.levels[c];
    std::unique_lock<std::mutex> top(global_, std::defer_lock);
    if (locking_) top.lock();
    int32_t ep = g_.entry;
    const int32_t max_level = max_level_;
    // A node that raises the top level keeps the global lock until it is the entry.
    if (locking_ && level <= max_level) top.unlock();

    float ep_d = distance(c, ep);
    for (int32_t l = max_level; l > level; --l) greedy(c, l, ep, ep_d);
    for (int32_t l = std::min(level, max_level); l >= 0; --l) {
      std::vector<Near> found = search_layer(c, ep, l);
      ep = found.front().second;
      std::vector<Near> chosen = select(found, g_.m);
      set_links(c, l, chosen);
      for (const Near& n : chosen) link_back(n.second, c, l);
    }
    if (level > max_level) {
      g_.entry = c;
      max_level_ = level;
    }
  }

 private:
  float inner(int32_t i, int32_t j) const {
    const std::size_t d = it_.dim;
    float s = lane_dot(it_.factors + static_cast<std::size_t>(i) * d, it_.factors + static_cast<std::size_t>(j) * d, d);
    if (it_.bias) s = s + it_.bias[i] * it_.bias[j];
    if (it_.scale) s = (s * it_.scale[i]) * it_.scale[j];
    return s;
  }

  float distance(int32_t i, int32_t j) const { return m2_ - (inner(i, j) + extra_[i] * extra_[j]); }

  std::mutex& lock_of(int32_t node) { return locks_[static_cast<std::size_t>(node) & (locks_.size() - 1)]; }

  // A copy of node's links at `level`, taken under its lock while others may write them.
  void read_links(int32_t node, int32_t level, std::vector<int32_t>& out) {
    std::unique_lock<std::mutex> guard;
    if (locking_) guard = std::unique_lock<std::mutex>(lock_of(node));
    const int32_t* b = block_of(g_, node, level);
    out.assign(b + 1, b + 1 + b[0]);
  }

  // Moves ep to the closest node reachable by single steps at `level`.
  void greedy(int32_t c, int32_t level, int32_t& ep, float& ep_d) {
    std::vector<int32_t>& nb = scratch_links();
    for (bool changed = true; changed;) {
      changed = false;
      read_links(ep, level, nb);
      for (int32_t n : nb) {
        const float d = distance(c, n);
        if (d < ep_d) {
          ep_d = d;
          ep = n;
          changed = true;
        }
      }
    }
  }

  // The ef_ nearest nodes found from ep at `level`, nearest first.
  std::vector<Near> search_layer(int32_t c, int32_t ep, int32_t level) {
    Visited& seen = thread_visited();
    seen.begin(g_.n);
    NearestFirst& candidates = thread_heap<NearestFirst>();
    FarthestFirst& results = thread_heap<FarthestFirst>();
    const Near start{distance(c, ep), ep};
    seen.first(ep);
    candidates.push(start);
    results.push(start);
    std::vector<int32_t>& nb = scratch_links();
    while (!candidates.empty()) {
      const Near next = candidates.top();
      if (next.first > results.top().first) break;
      candidates.pop();
      read_links(next.second, level, nb);
      prefetch_vectors(it_.factors, it_.dim, nb.data(), nb.size());
      for (int32_t n : nb) {
        if (!seen.first(n)) continue;
        const Near e{distance(c, n), n};
        if (results.size() < ef_ || e < results.top()) {
          candidates.push(e);
          results.push(e);
          if (results.size() > ef_) results.pop();
        }
      }
    }
    std::vector<Near> out(results.size());
    for (std::size_t i = out.size(); i-- > 0; results.pop()) out[i] = results.top();
    return out;
  }

  // The neighbour-selection heuristic: walking from the nearest, keep a
  // node only if it is closer to the base than to every node kept, so links
  // spread in all directions instead of clustering. `sorted` is nearest first.
  std::vector<Near> select(const std::vector<Near>& sorted, std::size_t cap) const {
    if (sorted.size() <= cap) return sorted;
    std::vector<Near> kept;
    for (const Near& e : sorted) {
      if (kept.size() >= cap) break;
      bool good = true;
      for (const Near& k : kept) {
        if (distance(e.second, k.second) < e.first) {
          good = false;
          break;
        }
      }
      if (good) kept.push_back(e);
    }
    return kept;
  }

  void set_links(int32_t node, int32_t level, const std::vector<Near>& chosen) {
    std::unique_lock<std::mutex> guard;
    if (locking_) guard = std::unique_lock<std::mutex>(lock_of(node));
    int32_t* b = block_of(g_, node, level);
    b[0] = static_cast<int32_t>(chosen.size());
    for (std::size_t i = 0; i < chosen.size(); ++i) b[1 + i] = chosen[i].second;
  }

  // Adds c to n's links at `level`; a full list is re-selected with c among the choices.
  void link_back(int32_t n, int32_t c, int32_t level) {
    std::unique_lock<std::mutex> guard;
    if (locking_) guard = std::unique_lock<std::mutex>(lock_of(n));
    int32_t* b = block_of(g_, n, level);
    const std::size_t cap = cap_at(g_.m, level);
    const std::size_t count = static_cast<std::size_t>(b[0]);
    if (count < cap) {
      b[1 + count] = c;
      b[0] = static_cast<int32_t>(count + 1);
      return;
    }
    std::vector<Near> all;
    all.reserve(count + 1);
    all.emplace_back(distance(n, c), c);
    for (std::size_t i = 0; i < count; ++i) all.emplace_back(distance(n, b[1 + i]), b[1 + i]);
    std::sort(all.begin(), all.end());
    const std::vector<Near> kept = select(all, cap);
    b[0] = static_cast<int32_t>(kept.size());
    for (std::size_t i = 0; i < kept.size(); ++i) b[1 + i] = kept[i].second;
  }

  static std::vector<int32_t>& scratch_links() {
    thread_local std::vector<int32_t> v;
    return v;
  }

  const HnswItems& it_;
  HnswGraph& g_;
  std::size_t ef_;
  bool locking_;
  std::vector<std::mutex> locks_;  // striped: node & 4095
  std::vector<float> extra_;
  float m2_ = 0.0f;
  std::mutex global_;
  int32_t max_level_ = 0;
};

// ---------------------------------------------------------------- searching

bool contains(const int32_t* sorted, std::size_t n, int32_t x) { return std::binary_search(sorted, sorted + n, x); }

class Searcher {
 public:
  Searcher(const TopKQuery& q, const HnswGraph& g, std::size_t ef) : q_(q), g_(g), ef_(std::max(ef, q.k)) {}

  // Writes row r's k results; false when the search found fewer than
  // `wanted` qualifying items (the caller then answers exactly).
  bool row(std::size_t r, std::size_t wanted, int32_t* items, float* scores) {
    row_ = q_.rows[r];
    query_ = q_.query + static_cast<std::size_t>(row_) * q_.factors;
    if (q_.filter.indptr) {
      seen_ = q_.filter.indices + q_.filter.indptr[row_];
      n_seen_ = static_cast<std::size_t>(q_.filter.indptr[row_ + 1] - q_.filter.indptr[row_]);
    }
    int32_t ep = g_.entry;
    float ep_d = distance(ep);
    for (int32_t l = checked_level(g_.entry); l > 0; --l) greedy(l, ep, ep_d);
    const std::vector<Near> found = search_bottom(ep, ep_d);
    if (found.size() < wanted) return false;
    const std::size_t k = q_.k;
    for (std::size_t i = 0; i < k; ++i) {
      items[i] = i < found.size() ? found[i].second : -1;
      scores[i] = i < found.size() ? -found[i].first : -INFINITY;
    }
    return true;
  }

 private:
  // Minus the exact kernel's score, in its operations and order.
  float distance(int32_t j) const {
    const std::size_t f = q_.factors;
    float s = lane_dot(query_, q_.target + static_cast<std::size_t>(j) * f, f);
    if (q_.col_scale) s *= q_.col_scale[j];
    if (q_.row_scale) s *= q_.row_scale[row_];
    if (q_.col_bias) s += q_.col_bias[j];
    if (q_.row_offset || q_.offset != 0.0f) s += (q_.row_offset ? q_.row_offset[row_] : 0.0f) + q_.offset;
    return -s;
  }

  int32_t checked_level(int32_t node) const {
    checked_block(g_, node, 0);
    return g_.levels[node];
  }

  bool qualifies(int32_t j) const {
    if (q_.candidates && !contains(q_.candidates, q_.n_candidates, j)) return false;
    if (q_.exclude && contains(q_.exclude, q_.n_exclude, j)) return false;
    if (seen_ && contains(seen_, n_seen_, j)) return false;
    return !(q_.exclude_self && j == row_);
  }

  void greedy(int32_t level, int32_t& ep, float& ep_d) const {
    for (bool changed = true; changed;) {
      changed = false;
      const int32_t* b = checked_block(g_, ep, level);
      for (int32_t i = 1; i <= b[0]; ++i) {
        const float d = distance(b[i]);
        if (d < ep_d) {
          ep_d = d;
          ep = b[i];
          changed = true;
        }
      }
    }
  }

  // Level 0: every reached node leads on, only qualifying ones are kept.
  // The search stops once ef qualifying results are held and no candidate
  // left can beat the worst, or after visiting a bounded number of nodes.
  std::vector<Near> search_bottom(int32_t ep, float ep_d) {
    Visited& seen = thread_visited();
    seen.begin(g_.n);
    NearestFirst& candidates = thread_heap<NearestFirst>();
    FarthestFirst& results = thread_heap<FarthestFirst>();
    seen.first(ep);
    candidates.push({ep_d, ep});
    if (qualifies(ep) && ep_d == ep_d) results.push({ep_d, ep});
    const std::size_t budget = std::max<std::size_t>(ef_ * 64, g_.n / 8);
    std::size_t visited = 1;
    while (!candidates.empty()) {
      const Near next = candidates.top();
      if (results.size() >= ef_ && next.first > results.top().first) break;
      candidates.pop();
      const int32_t* b = checked_block(g_, next.second, 0);
      prefetch_vectors(q_.target, q_.factors, b + 1, static_cast<std::size_t>(b[0]));
      for (int32_t i = 1; i <= b[0]; ++i) {
        const int32_t n = b[i];
        if (!seen.first(n)) continue;
        ++visited;
        const Near e{distance(n), n};
        if (e.first != e.first) continue;  // a NaN score never qualifies, as in topk()
        if (results.size() < ef_ || e < results.top()) {
          candidates.push(e);
          if (qualifies(n)) {
            results.push(e);
            if (results.size() > ef_) results.pop();
          }
        }
      }
      if (visited > budget) break;
    }
    std::vector<Near> out(results.size());
    for (std::size_t i = out.size(); i-- > 0; results.pop()) out[i] = results.top();
    return out;
  }

  const TopKQuery& q_;
  const HnswGraph& g_;
  std::size_t ef_;
  int32_t row_ = 0;
  const float* query_ = nullptr;
  const int32_t* seen_ = nullptr;
  std::size_t n_seen_ = 0;
};

// How many items row r can return at most: the candidates (or all items)
// minus exclusions, its seen items and itself (an upper bound: the lists may overlap).
std::size_t qualifying_bound(const TopKQuery& q, int32_t row) {
  std::size_t n = q.candidates ? q.n_candidates : q.targets;
  std::size_t dropped = q.n_exclude + (q.exclude_self ? 1 : 0);
  if (q.filter.indptr) dropped += static_cast<std::size_t>(q.filter.indptr[row + 1] - q.filter.indptr[row]);
  return n > dropped ? n - dropped : 0;
}

// The checks topk() makes, once for all rows (the search reads the same fields).
void validate(const TopKQuery& q) {
  if (q.factors == 0 || q.k == 0) throw std::invalid_argument("factors and k must be at least 1");
  for (std::size_t r = 0; r < q.n_rows; ++r) {
    if (q.rows[r] < 0 || static_cast<std::size_t>(q.rows[r]) >= q.query_rows)
      throw std::invalid_argument("query row index out of range");
    if (q.filter.indptr != nullptr) {
      const int32_t b = q.filter.indptr[q.rows[r]], e = q.filter.indptr[q.rows[r] + 1];
      if (b < 0 || e < b || static_cast<std::size_t>(e) > q.filter_nnz)
        throw std::invalid_argument("filter row pointers out of range");
      topk_select::check_sorted(q.filter.indices + b, static_cast<std::size_t>(e - b), q.targets, "filter row");
    }
  }
  if (q.candidates != nullptr) topk_select::check_sorted(q.candidates, q.n_candidates, q.targets, "candidates");
  if (q.exclude != nullptr) topk_select::check_sorted(q.exclude, q.n_exclude, q.targets, "exclude");
}

void exact_row(const TopKQuery& q, std::size_t r, int32_t* items, float* scores) {
  TopKQuery one = q;
  one.rows = q.rows + r;
  one.n_rows = 1;
  one.threads = 1;
  topk(one, items, scores);
}

}  // namespace

void hnsw_draw_levels(std::size_t n, std::size_t m, uint32_t seed, int32_t* levels) {
  if (m < 2) throw std::invalid_argument("m must be at least 2");
  Rng rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    int32_t l = 0;
    while (l < kHnswMaxLevel && rng.below(static_cast<uint32_t>(m)) == 0) ++l;
    levels[i] = l;
  }
}

std::size_t hnsw_layout(std::size_t n, std::size_t m, const int32_t* levels, int32_t* upper) {
  if (m < 2 || m > 256) throw std::invalid_argument("m must be between 2 and 256");
  std::size_t total = n * (1 + 2 * m);
  for (std::size_t i = 0; i < n; ++i) {
    if (levels[i] < 0 || levels[i] > kHnswMaxLevel)
      throw std::invalid_argument("level " + std::to_string(levels[i]) + " of node " + std::to_string(i) +
                                  " is outside 0.." + std::to_string(kHnswMaxLevel));
    if (total > static_cast<std::size_t>(INT32_MAX)) break;
    upper[i] = static_cast<int32_t>(total);
    total += static_cast<std::size_t>(levels[i]) * (1 + m);
  }
  if (total > static_cast<std::size_t>(INT32_MAX)) throw std::invalid_argument("the graph would exceed 2^31 - 1 links");
  return total;
}

void hnsw_build(const HnswItems& items, HnswGraph& g, std::size_t ef_construction, int threads, CancelFlag cancel) {
  if (items.bias && items.scale) throw std::invalid_argument("an index takes item biases or item scales, not both");
  if (ef_construction < 1) throw std::invalid_argument("efConstruction must be at least 1");
  if (items.n != g.n) throw std::invalid_argument("graph and items disagree on the item count");
  // The caller's upper and links are written through: they must be the levels' own layout.
  check_layout(g);
  std::fill(g.links, g.links + g.n_links, 0);
  g.entry = -1;
  if (g.n == 0) return;
  const int team = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(resolve_threads(threads)), g.n));
  Builder b(items, g, ef_construction, team > 1);
  b.insert_first();
  parallel_for(team, g.n - 1, 256, [&](std::size_t i0, std::size_t i1, int) {
    for (std::size_t i = i0; i < i1; ++i) {
      if ((i & 255) == 0 && cancel.requested()) throw Cancelled{};
      b.insert(static_cast<int32_t>(i + 1));
    }
  });
}

void hnsw_check(const HnswGraph& g) {
  check_layout(g);
  if (g.n == 0) {
    if (g.entry != -1) throw std::invalid_argument("an empty graph has no entry node");
    return;
  }
  if (g.entry < 0 || static_cast<std::size_t>(g.entry) >= g.n)
    throw std::invalid_argument("entry node " + std::to_string(g.entry) + " is out of range");
  int32_t top = 0;
  for (std::size_t i = 0; i < g.n; ++i) top = std::max(top, g.levels[i]);
  if (g.levels[g.entry] != top)
    throw std::invalid_argument("entry node " + std::to_string(g.entry) + " is not on the top level");
  for (std::size_t i = 0; i < g.n; ++i) {
    for (int32_t l = 0; l <= g.levels[i]; ++l) {
      const int32_t* b = block_of(g, static_cast<int32_t>(i), l);
      if (b[0] < 0 || static_cast<std::size_t>(b[0]) > cap_at(g.m, l))
        throw std::invalid_argument("node " + std::to_string(i) + " level " + std::to_string(l) + " has " +
                                    std::to_string(b[0]) + " links");
      for (int32_t s = 1; s <= b[0]; ++s) {
        const int32_t n = b[s];
        if (n < 0 || static_cast<std::size_t>(n) >= g.n || g.levels[n] < l)
          throw std::invalid_argument("node " + std::to_string(i) + " level " + std::to_string(l) + " links to " +
                                      std::to_string(n) + ", not a node of that level");
      }
    }
  }
}

void hnsw_search(const TopKQuery& q, const HnswGraph& g, std::size_t ef, int32_t* out_items, float* out_scores,
                 CancelFlag cancel) {
  if (ef < 1) throw std::invalid_argument("ef must be at least 1");
  if (g.n != q.targets) throw std::invalid_argument("the index and the item vectors disagree on the item count");
  if (g.n > 0 && (g.entry < 0 || static_cast<std::size_t>(g.entry) >= g.n))
    throw std::invalid_argument("entry node out of range");
  if (q.n_rows == 0) return;
  validate(q);
  const int team =
      static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(resolve_threads(q.threads)), q.n_rows));
  // A candidate list this small is cheaper to score outright than to search for.
  const bool few_candidates = q.candidates != nullptr && q.n_candidates * 8 <= g.n;
  parallel_for(team, q.n_rows, 16, [&](std::size_t r0, std::size_t r1, int) {
    Searcher s(q, g, ef);
    for (std::size_t r = r0; r < r1; ++r) {
      if (cancel.requested()) throw Cancelled{};
      int32_t* items = out_items + r * q.k;
      float* scores = out_scores + r * q.k;
      const std::size_t wanted = std::min(q.k, qualifying_bound(q, q.rows[r]));
      if (g.n == 0 || few_candidates || !s.row(r, wanted, items, scores)) exact_row(q, r, items, scores);
    }
  });
}

}  // namespace mfrec
