#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "check.h"
#include "kernels/csr_build.h"

using namespace mfrec;

namespace {

struct Built {
  std::vector<int32_t> indptr, indices;
  std::vector<float> values;
  std::vector<double> times;
};

Built build(const std::vector<int32_t>& r, const std::vector<int32_t>& c, const std::vector<float>& v,
            const std::vector<double>* t, int32_t rows, CsrAggregate a, int threads) {
  Built b;
  b.indptr.resize(rows + 1);
  b.indices.resize(r.size());
  b.values.resize(r.size());
  if (t) b.times.resize(r.size());
  CooEntries in;
  in.n = r.size();
  in.rows = r.data();
  in.cols = c.data();
  in.values = v.data();
  in.times = t ? t->data() : nullptr;
  in.n_rows = rows;
  CsrOut out{b.indptr.data(), b.indices.data(), b.values.data(), t ? b.times.data() : nullptr};
  const std::size_t m = build_csr(in, a, out, threads);
  b.indices.resize(m);
  b.values.resize(m);
  if (t) b.times.resize(m);
  return b;
}

// Many entries (enough for the parallel path), in random order, with duplicates.
void random_entries(std::size_t n, int32_t rows, int32_t cols, std::vector<int32_t>& r, std::vector<int32_t>& c,
                    std::vector<float>& v, std::vector<double>& t) {
  std::mt19937 rng(7);
  for (std::size_t k = 0; k < n; ++k) {
    r.push_back(static_cast<int32_t>(rng() % rows));
    c.push_back(static_cast<int32_t>(rng() % cols));
    v.push_back(static_cast<float>(rng() % 10) / 2);
    t.push_back(static_cast<double>(rng() % 50));
  }
}

}  // namespace

MFREC_TEST(csr_build_sorts_rows_and_combines_duplicates) {
  // Row 1 holds (1,2) three times: values 1, 2, 4 at times 30, 10, 20.
  const std::vector<int32_t> r{1, 0, 1, 1, 0, 1};
  const std::vector<int32_t> c{2, 3, 0, 2, 1, 2};
  const std::vector<float> v{1, 5, 7, 2, 6, 4};
  const std::vector<double> t{30, 1, 2, 10, 3, 20};
  const Built sum = build(r, c, v, &t, 3, CsrAggregate::kSum, 1);
  CHECK((sum.indptr == std::vector<int32_t>{0, 2, 4, 4}));
  CHECK((sum.indices == std::vector<int32_t>{1, 3, 0, 2}));
  CHECK((sum.values == std::vector<float>{6, 5, 7, 7}));
  CHECK((sum.times == std::vector<double>{3, 1, 2, 30}));  // the latest time of the duplicates
  const Built mean = build(r, c, v, &t, 3, CsrAggregate::kMean, 1);
  CHECK_NEAR(mean.values[3], 7.0 / 3, 1e-6);
  // 'last' by time: the entry at time 30 (value 1); without times, the last in input order (value 4).
  const Built last = build(r, c, v, &t, 3, CsrAggregate::kLast, 1);
  CHECK(last.values[3] == 1 && last.times[3] == 30);
  const Built last_by_position = build(r, c, v, nullptr, 3, CsrAggregate::kLast, 1);
  CHECK(last_by_position.values[3] == 4);
}

MFREC_TEST(csr_build_grouped_input_matches_scattered_input) {
  // The same entries once grouped by row (the no-scatter path) and once shuffled.
  std::vector<int32_t> r, c;
  std::vector<float> v;
  std::vector<double> t;
  random_entries(100000, 900, 400, r, c, v, t);
  std::vector<std::size_t> order(r.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return r[a] < r[b]; });
  std::vector<int32_t> gr, gc;
  std::vector<float> gv;
  std::vector<double> gt;
  for (std::size_t k : order) {
    gr.push_back(r[k]);
    gc.push_back(c[k]);
    gv.push_back(v[k]);
    gt.push_back(t[k]);
  }
  for (CsrAggregate a : {CsrAggregate::kSum, CsrAggregate::kMean, CsrAggregate::kLast}) {
    const Built scattered = build(r, c, v, &t, 1000, a, 2);
    const Built grouped = build(gr, gc, gv, &gt, 1000, a, 2);
    CHECK(scattered.indptr == grouped.indptr);
    CHECK(scattered.indices == grouped.indices);
    CHECK(scattered.values == grouped.values);
    CHECK(scattered.times == grouped.times);
  }
}

MFREC_TEST(csr_build_same_result_on_any_thread_count_and_as_a_map) {
  std::vector<int32_t> r, c;
  std::vector<float> v;
  std::vector<double> t;
  random_entries(200000, 3000, 700, r, c, v, t);
  // Reference: sums per (row, column) in a map, in input order.
  std::map<std::pair<int32_t, int32_t>, double> sums;
  for (std::size_t k = 0; k < r.size(); ++k) sums[{r[k], c[k]}] += v[k];
  const Built one = build(r, c, v, &t, 3000, CsrAggregate::kSum, 1);
  CHECK(one.indices.size() == sums.size());
  std::size_t k = 0;
  bool same = true;
  for (int32_t row = 0; row < 3000; ++row)
    for (int32_t e = one.indptr[row]; e < one.indptr[row + 1]; ++e, ++k) {
      auto it = sums.find({row, one.indices[e]});
      same = same && it != sums.end() && one.values[e] == static_cast<float>(it->second);
    }
  CHECK(same);
  for (int threads : {2, 3, 8}) {
    const Built many = build(r, c, v, &t, 3000, CsrAggregate::kSum, threads);
    CHECK(many.indptr == one.indptr && many.indices == one.indices && many.values == one.values &&
          many.times == one.times);
  }
}
