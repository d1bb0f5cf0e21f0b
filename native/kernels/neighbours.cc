#include "kernels/neighbours.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace mfrec {

namespace {

struct Candidate {
  float s;
  int32_t j;
};

// "a ranks above b": a higher score, or the same score and a lower index.
// Items arrive in the order they were first touched, not by index, so ties
// are broken here rather than by arrival.
// A function object rather than a function pointer, so that the heap
// operations inline it.
struct Better {
  bool operator()(const Candidate& a, const Candidate& b) const { return a.s > b.s || (a.s == b.s && a.j < b.j); }
};
constexpr Better better{};

// One thread's working memory, reused for every row it handles.
struct Scratch {
  std::vector<float> dot;        // per item, 0 outside the current row's touched items
  std::vector<int32_t> count;    // per item, likewise
  std::vector<int32_t> touched;  // items with count > 0, in first-touch order (n slots)
  std::size_t n_touched = 0;
  std::vector<Candidate> heap;  // the k best so far, worst on top (std heap with `better` as "less")
};

// Puts `c` in place of the heap's top (its worst entry) and sifts it down:
// one pass, where pop_heap then push_heap would take two.
void replace_worst(std::vector<Candidate>& h, const Candidate& c) {
  const std::size_t n = h.size();
  std::size_t i = 0;
  for (;;) {
    const std::size_t l = 2 * i + 1;
    if (l >= n) break;
    const std::size_t worse_child = l + 1 < n && better(h[l], h[l + 1]) ? l + 1 : l;
    if (!better(c, h[worse_child])) break;
    h[i] = h[worse_child];
    i = worse_child;
  }
  h[i] = c;
}

void validate(const NeighboursProblem& p) {
  if (p.k == 0) throw std::invalid_argument("neighbours: k must be at least 1");
  if (!(p.shrink >= 0.0f) || !std::isfinite(p.shrink))
    throw std::invalid_argument("neighbours: shrink must be finite and >= 0, not " + std::to_string(p.shrink));
  if (p.by_item.rows != p.items || p.by_user.rows != p.users)
    throw std::invalid_argument("neighbours: byItem must have one row per item and byUser one row per user");
  // An empty array may come with no storage at all (JS hands over null).
  const auto missing_values = [](const CsrView& m) { return m.values == nullptr && m.indptr[m.rows] > 0; };
  if (missing_values(p.by_item) || missing_values(p.by_user))
    throw std::invalid_argument("neighbours: the matrices' values are missing");
}

// Rows per chunk: about 32 chunks per thread, so that popular and rare items
// even out, and a cancellation check every chunk.
std::size_t grain_for(std::size_t rows, int threads) {
  const std::size_t g = rows / (static_cast<std::size_t>(threads) * 32);
  return std::max<std::size_t>(1, std::min<std::size_t>(g, 256));
}

// Accumulates dot(i, .) and count(i, .) over the row's users, in increasing u.
void accumulate(const NeighboursProblem& p, std::size_t i, Scratch& w) {
  const CsrView& a = p.by_item;
  const CsrView& b = p.by_user;
  for (int32_t e = a.indptr[i]; e < a.indptr[i + 1]; ++e) {
    const std::size_t u = static_cast<std::size_t>(a.indices[e]);
    const float aiu = a.values[e];
    for (int32_t q = b.indptr[u]; q < b.indptr[u + 1]; ++q) {
      const int32_t j = b.indices[q];
      if (static_cast<std::size_t>(j) == i) continue;
      // Appends j unconditionally and keeps it only on its first touch:
      // no branch to mispredict on the (about even) first-touch test.
      w.touched[w.n_touched] = j;
      w.n_touched += w.count[j] == 0 ? 1 : 0;
      ++w.count[j];
      w.dot[j] += aiu * b.values[q];
    }
  }
}

// Scores the touched items, keeps the k best in the heap, and clears the
// accumulators for the next row.
void select(const NeighboursProblem& p, Scratch& w) {
  w.heap.clear();
  for (std::size_t t = 0; t < w.n_touched; ++t) {
    const int32_t j = w.touched[t];
    float s = w.dot[j];
    if (p.shrink > 0.0f) {
      const float c = static_cast<float>(w.count[j]);
      s *= c / (c + p.shrink);
    }
    if (p.col_scale != nullptr) s *= p.col_scale[j];
    w.dot[j] = 0.0f;
    w.count[j] = 0;
    if (!(s > 0.0f)) continue;  // also drops NaN
    const Candidate cand{s, j};
    if (w.heap.size() < p.k) {
      w.heap.push_back(cand);
      std::push_heap(w.heap.begin(), w.heap.end(), better);
    } else if (better(cand, w.heap.front())) {
      replace_worst(w.heap, cand);
    }
  }
  w.n_touched = 0;
  std::sort(w.heap.begin(), w.heap.end(), better);
}

}  // namespace

void item_neighbours(const NeighboursProblem& p, int32_t* out_indices, float* out_scores, CancelFlag cancel) {
  validate(p);
  const std::size_t n = p.items, k = p.k;
  const int threads = std::max(1, p.threads);
  std::vector<Scratch> scratch(static_cast<std::size_t>(threads));
  parallel_for(threads, n, grain_for(n, threads), [&](std::size_t begin, std::size_t end, int t) {
    if (cancel.requested()) throw Cancelled{};
    Scratch& w = scratch[static_cast<std::size_t>(t)];
    if (w.dot.size() != n) {  // first chunk of this thread
      w.dot.assign(n, 0.0f);
      w.count.assign(n, 0);
      w.touched.resize(n);
    }
    for (std::size_t i = begin; i < end; ++i) {
      accumulate(p, i, w);
      select(p, w);
      int32_t* idx = out_indices + i * k;
      float* sc = out_scores + i * k;
      for (std::size_t r = 0; r < k; ++r) {
        const bool kept = r < w.heap.size();
        idx[r] = kept ? w.heap[r].j : -1;
        sc[r] = kept ? w.heap[r].s : 0.0f;
      }
    }
  });
}

}  // namespace mfrec
