#include "kernels/csr_build.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/parallel.h"

namespace mfrec {

namespace {

// Below this many entries one thread does it all: starting a team costs more.
constexpr std::size_t kMinParallelEntries = 1 << 16;
// Rows handed out per parallel_for grab: short rows are cheap, so many at once.
constexpr std::size_t kRowGrain = 512;

// JavaScript's Math.max on two numbers (NaN wins), so times combine as the twin combines them.
double js_max(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  return a > b ? a : b;
}

bool strictly_increasing(const int32_t* first, const int32_t* last) {
  for (const int32_t* c = first; c + 1 < last; ++c)
    if (c[0] >= c[1]) return false;
  return true;
}

// One entry of a row being sorted: its column, its time (for 'last' by time) and its input position.
struct RowEntry {
  int32_t col;
  double time;
  uint32_t pos;
};

// Sorts one row's entries by column (then time when `by_time`, then input
// position) and writes them, duplicates combined, from out[begin]. Returns
// how many it wrote.
std::size_t write_row(const CooEntries& in, CsrAggregate aggregate, bool by_time, const CsrOut& out, std::size_t begin,
                      std::vector<RowEntry>& row, std::vector<uint64_t>& keys) {
  if (by_time) {
    std::sort(row.begin(), row.end(), [](const RowEntry& a, const RowEntry& b) {
      if (a.col != b.col) return a.col < b.col;
      if (a.time < b.time) return true;
      if (b.time < a.time) return false;
      return a.pos < b.pos;
    });
  } else {
    // (column, position) packed in one integer: a plain integer sort, several
    // times faster than comparing structs.
    keys.clear();
    for (const RowEntry& x : row) keys.push_back(static_cast<uint64_t>(x.col) << 32 | x.pos);
    std::sort(keys.begin(), keys.end());
    for (std::size_t k = 0; k < keys.size(); ++k)
      row[k] = {static_cast<int32_t>(keys[k] >> 32), 0.0, static_cast<uint32_t>(keys[k])};
  }
  std::size_t m = begin;
  std::size_t k = 0;
  while (k < row.size()) {
    const int32_t col = row[k].col;
    double sum = 0;
    double count = 0;
    double time = -std::numeric_limits<double>::infinity();
    for (; k < row.size() && row[k].col == col; ++k) {
      const uint32_t e = row[k].pos;
      sum = aggregate == CsrAggregate::kLast ? static_cast<double>(in.values[e])
                                             : sum + static_cast<double>(in.values[e]);
      count += 1;
      if (in.times != nullptr) time = aggregate == CsrAggregate::kLast ? in.times[e] : js_max(time, in.times[e]);
    }
    out.indices[m] = col;
    out.values[m] = static_cast<float>(aggregate == CsrAggregate::kMean ? sum / count : sum);
    if (out.times != nullptr) out.times[m] = time;
    ++m;
  }
  return m - begin;
}

}  // namespace

std::size_t build_csr(const CooEntries& in, CsrAggregate aggregate, const CsrOut& out, int threads) {
  const std::size_t n = in.n;
  const std::size_t rows = static_cast<std::size_t>(in.n_rows);
  const int team = n < kMinParallelEntries ? 1 : std::max(1, threads);
  const bool by_time = aggregate == CsrAggregate::kLast && in.times != nullptr;

  // Inputs grouped by row already (a file sorted by user) need no scatter:
  // each row's entries are a run of consecutive positions.
  bool grouped = true;
  for (std::size_t k = 1; k < n && grouped; ++k) grouped = in.rows[k - 1] <= in.rows[k];

  // Pre-merge row starts (out.indptr) and, unless grouped, the input
  // positions of each row's entries in input order (a stable scatter: each
  // thread counts, then places, the entries of its own slice).
  std::vector<uint32_t> perm;
  std::fill(out.indptr, out.indptr + rows + 1, 0);
  if (grouped) {
    for (std::size_t k = 0; k < n; ++k) ++out.indptr[in.rows[k] + 1];
    for (std::size_t r = 0; r < rows; ++r) out.indptr[r + 1] += out.indptr[r];
  } else {
    std::vector<std::size_t> at(static_cast<std::size_t>(team) * rows, 0);
    auto slice = [&](int t) { return std::make_pair(n * t / team, n * (t + 1) / team); };
    run_team(team, [&](int t) {
      std::size_t* count = at.data() + static_cast<std::size_t>(t) * rows;
      for (auto [k, end] = slice(t); k < end; ++k) ++count[in.rows[k]];
    });
    std::size_t next = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      out.indptr[r] = static_cast<int32_t>(next);
      for (int t = 0; t < team; ++t) {
        const std::size_t c = at[static_cast<std::size_t>(t) * rows + r];
        at[static_cast<std::size_t>(t) * rows + r] = next;
        next += c;
      }
    }
    out.indptr[rows] = static_cast<int32_t>(next);
    perm.resize(n);
    run_team(team, [&](int t) {
      std::size_t* place = at.data() + static_cast<std::size_t>(t) * rows;
      for (auto [k, end] = slice(t); k < end; ++k) perm[place[in.rows[k]]++] = static_cast<uint32_t>(k);
    });
  }

  // Each row sorted and combined in place of its pre-merge slot.
  std::vector<int32_t> kept(rows);
  parallel_for(team, rows, kRowGrain, [&](std::size_t first, std::size_t last, int) {
    std::vector<RowEntry> row;
    std::vector<uint64_t> keys;
    for (std::size_t r = first; r < last; ++r) {
      const std::size_t begin = static_cast<std::size_t>(out.indptr[r]);
      const std::size_t end = static_cast<std::size_t>(out.indptr[r + 1]);
      // A row whose columns already strictly increase (a file written in
      // CSR order) has no duplicates and needs no sort: copied as it is.
      if (perm.empty() && strictly_increasing(in.cols + begin, in.cols + end)) {
        std::copy(in.cols + begin, in.cols + end, out.indices + begin);
        // The same arithmetic as a run of one (0 + v: a -0 comes out +0), except under 'last'.
        for (std::size_t k = begin; k < end; ++k)
          out.values[k] = aggregate == CsrAggregate::kLast
                              ? in.values[k]
                              : static_cast<float>(0.0 + static_cast<double>(in.values[k]));
        if (out.times != nullptr) std::copy(in.times + begin, in.times + end, out.times + begin);
        kept[r] = static_cast<int32_t>(end - begin);
        continue;
      }
      row.clear();
      for (std::size_t p = begin; p < end; ++p) {
        const uint32_t e = perm.empty() ? static_cast<uint32_t>(p) : perm[p];
        row.push_back({in.cols[e], by_time ? in.times[e] : 0.0, e});
      }
      kept[r] = static_cast<int32_t>(write_row(in, aggregate, by_time, out, begin, row, keys));
    }
  });

  // Duplicates left gaps: close them, row by row from the front (each row
  // moves left or stays, so nothing is overwritten before it is moved).
  std::size_t m = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t begin = static_cast<std::size_t>(out.indptr[r]);
    const std::size_t len = static_cast<std::size_t>(kept[r]);
    out.indptr[r] = static_cast<int32_t>(m);
    if (begin != m) {
      std::memmove(out.indices + m, out.indices + begin, len * sizeof(int32_t));
      std::memmove(out.values + m, out.values + begin, len * sizeof(float));
      if (out.times != nullptr) std::memmove(out.times + m, out.times + begin, len * sizeof(double));
    }
    m += len;
  }
  out.indptr[rows] = static_cast<int32_t>(m);
  return m;
}

}  // namespace mfrec
