#include "kernels/ranking_rules.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace mfrec {
namespace ranking_rules {

using topk_select::Columns;
using topk_select::Entry;

void validate(const RankingRules& r, std::size_t targets) {
  if (r.permit != nullptr && r.permit_words != (targets + 31) / 32)
    throw std::invalid_argument("rules permit mask must hold " + std::to_string((targets + 31) / 32) + " words");
  if (r.category != nullptr) {
    for (std::size_t c = 0; c < r.n_caps; ++c)
      if (r.cap[c] < 0) throw std::invalid_argument("rules category cap " + std::to_string(c) + " is negative");
    for (std::size_t t = 0; t < targets; ++t) {
      if (r.category[t] < -1 || r.category[t] >= static_cast<int64_t>(r.n_caps))
        throw std::invalid_argument("rules category code " + std::to_string(r.category[t]) + " of target " +
                                    std::to_string(t) + " out of range");
    }
  }
  if (r.diversity && !(r.lambda >= 0.0 && r.lambda <= 1.0))
    throw std::invalid_argument("rules diversity lambda must lie in [0, 1]");
}

std::size_t heap_capacity(const RankingRules& r, std::size_t k, std::size_t columns) {
  return std::min(columns, r.reranks() ? std::max(k, r.pool) : k);
}

std::size_t next_pool(std::size_t pool, std::size_t columns) {
  return std::min(columns, std::max<std::size_t>(pool, 1) * 8);
}

const uint8_t* mask_tile(const RankingRules& r, const Columns& cols, const uint8_t* mask, std::size_t c0,
                         std::size_t width, uint8_t* scratch) {
  if (r.permit == nullptr) return mask;
  const uint8_t* out = mask;
  if (out != nullptr && out != scratch) {
    std::memcpy(scratch, out, width);
    out = scratch;
  }
  for (std::size_t j = 0; j < width;) {
    // Over the whole catalogue (no candidate subset), a word of 32 permitted
    // targets is skipped at once: rules that only exclude a few items cost
    // one test per 32 targets.
    const std::size_t c = c0 + j;
    if (!cols.subset && (c & 31) == 0 && j + 32 <= width && r.permit[c >> 5] == 0xFFFFFFFFu) {
      j += 32;
      continue;
    }
    if (!permitted(r, cols.target_of(static_cast<int32_t>(c)))) {
      if (out == nullptr) {
        std::memset(scratch, 0, width);
        out = scratch;
      }
      scratch[j] = 1;
    }
    ++j;
  }
  return out;
}

namespace {

double dot(const float* a, const float* b, std::size_t n) {
  double s = 0.0;
  for (std::size_t p = 0; p < n; ++p) s += static_cast<double>(a[p]) * static_cast<double>(b[p]);
  return s;
}

// W[a][b] of a sparse weight matrix: 0 when absent.
double sparse_weight(const RuleSimilarity& sim, int32_t a, int32_t b) {
  const CsrView& w = sim.sparse;
  const int32_t begin = w.indptr[a], end = w.indptr[a + 1];
  if (begin < 0 || end < begin || static_cast<std::size_t>(end) > sim.sparse_nnz)
    throw std::invalid_argument("sparse W row pointers out of range at row " + std::to_string(a));
  for (int32_t e = begin; e < end; ++e)
    if (w.indices[e] == b) return w.values[e];
  return 0.0;
}

// Similarity of targets a and b (pool positions i, j for the cached norms).
double similarity(const RuleSimilarity& sim, const Scratch& sc, std::size_t i, std::size_t j) {
  const int32_t a = sc.items[i], b = sc.items[j];
  if (sim.vectors != nullptr) {
    const std::size_t f = sim.factors;
    return dot(sim.vectors + static_cast<std::size_t>(a) * f, sim.vectors + static_cast<std::size_t>(b) * f, f) *
           sc.norm[i] * sc.norm[j];
  }
  if (sim.dense != nullptr) {
    const std::size_t n = sim.items;
    return std::max<double>(sim.dense[static_cast<std::size_t>(a) * n + b],
                            sim.dense[static_cast<std::size_t>(b) * n + a]);
  }
  return std::max(sparse_weight(sim, a, b), sparse_weight(sim, b, a));
}

// Whether pool entry i's category is full.
bool capped(const RankingRules& r, const Scratch& sc, std::size_t i) {
  if (r.category == nullptr) return false;
  const int32_t c = r.category[sc.items[i]];
  return c >= 0 && sc.used[static_cast<std::size_t>(c)] >= r.cap[c];
}

// Greedy picks from the sorted pool sc.items/scores[0 .. m): caps, and MMR
// when asked. Writes the picks' targets and scores; returns their count.
std::size_t pick(const RankingRules& r, const RuleSimilarity& sim, std::size_t m, std::size_t k, Scratch& sc,
                 int32_t* items, float* scores) {
  if (r.category != nullptr) sc.used.assign(r.n_caps, 0);
  std::size_t n = 0;
  if (!r.diversity) {
    for (std::size_t i = 0; i < m && n < k; ++i) {
      if (capped(r, sc, i)) continue;
      if (r.category != nullptr && r.category[sc.items[i]] >= 0)
        ++sc.used[static_cast<std::size_t>(r.category[sc.items[i]])];
      items[n] = sc.items[i];
      scores[n] = sc.scores[i];
      ++n;
    }
    return n;
  }
  // Relevance rescaled over the pool (sorted best first: max first, min last).
  const double hi = sc.scores[0], lo = sc.scores[m - 1];
  sc.rel.resize(m);
  for (std::size_t i = 0; i < m; ++i) sc.rel[i] = hi > lo ? (static_cast<double>(sc.scores[i]) - lo) / (hi - lo) : 1.0;
  sc.max_sim.assign(m, -std::numeric_limits<double>::infinity());
  sc.taken.assign(m, 0);
  if (sim.vectors != nullptr) {
    sc.norm.resize(m);
    for (std::size_t i = 0; i < m; ++i) {
      const float* v = sim.vectors + static_cast<std::size_t>(sc.items[i]) * sim.factors;
      const double sq = dot(v, v, sim.factors);
      sc.norm[i] = sq > 0.0 ? 1.0 / std::sqrt(sq) : 0.0;
    }
  }
  const double lambda = r.lambda;
  while (n < k) {
    std::size_t best = m;
    double best_value = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      if (sc.taken[i] || capped(r, sc, i)) continue;
      const double value = n == 0 ? lambda * sc.rel[i] : lambda * sc.rel[i] - (1.0 - lambda) * sc.max_sim[i];
      // Strictly greater: ties go to the earlier (better scored) entry.
      if (best == m || value > best_value) {
        best = i;
        best_value = value;
      }
    }
    if (best == m) break;
    sc.taken[best] = 1;
    if (r.category != nullptr && r.category[sc.items[best]] >= 0)
      ++sc.used[static_cast<std::size_t>(r.category[sc.items[best]])];
    items[n] = sc.items[best];
    scores[n] = sc.scores[best];
    ++n;
    for (std::size_t i = 0; i < m; ++i)
      if (!sc.taken[i]) sc.max_sim[i] = std::max(sc.max_sim[i], similarity(sim, sc, best, i));
  }
  return n;
}

}  // namespace

bool emit_row(const RankingRules& r, const RuleSimilarity& sim, Entry* h, std::size_t m, std::size_t capacity,
              const Columns& cols, std::size_t k, int32_t* items, float* scores, Scratch& sc) {
  if (!r.reranks()) {
    topk_select::emit_row(h, m, cols, k, items, scores);
    return true;
  }
  sc.items.resize(std::max<std::size_t>(m, 1));
  sc.scores.resize(std::max<std::size_t>(m, 1));
  topk_select::emit_row(h, m, cols, m, sc.items.data(), sc.scores.data());
  const std::size_t n = m == 0 ? 0 : pick(r, sim, m, k, sc, items, scores);
  std::fill(items + n, items + k, -1);
  std::fill(scores + n, scores + k, -std::numeric_limits<float>::infinity());
  const bool complete = m < capacity || capacity >= cols.n;
  return n == k || complete;
}

}  // namespace ranking_rules
}  // namespace mfrec
