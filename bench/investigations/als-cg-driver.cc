// ALS half-sweeps on their own, on S2-shaped synthetic counts (an
// investigation, not part of the suite; NOTES-als.md): users with log-normal
// activity (mean 49 items, sigma 0.4), items drawn by the shifted power law of
// bench/generators/generate-counts.mjs, weight(rank) = (rank + 50)^-1.2,
// numbered as the reader numbers them (order of first appearance), play
// counts as values. Prints the median wall seconds of each half-sweep (users
// against items, items against users) and a hash of the factors (equal
// hashes: equal models). Callgrind can count the instructions of the row
// solves alone (--toggle-collect='mfrec::als_solve_rows*').
//
//   g++ -O3 -std=c++17 -ffp-contract=off -pthread -Inative -DMFREC_HAVE_OPENBLAS \
//     $(pkg-config --cflags openblas) -o /tmp/als-cg bench/investigations/als-cg-driver.cc \
//     native/kernels/{als,blas,parallel}.cc $(pkg-config --libs openblas)
//   [USERS=360000 ITEMS=160000 SOLVER=cg|cholesky ORDER=appearance|shuffled|popularity]
//     /tmp/als-cg threads factors iterations
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "kernels/als.h"

using namespace mfrec;

namespace {

struct Csr {
  std::vector<int32_t> indptr, indices;
  std::vector<float> values;
  CsrView view() const { return CsrView{indptr.size() - 1, indptr.data(), indices.data(), values.data()}; }
};

// Rows of `rows` entries (sorted by column) from (row, col, value) triples.
Csr build(std::size_t rows, const std::vector<int32_t>& r, const std::vector<int32_t>& c,
          const std::vector<float>& v) {
  Csr m;
  m.indptr.assign(rows + 1, 0);
  for (int32_t x : r) m.indptr[x + 1]++;
  for (std::size_t i = 0; i < rows; ++i) m.indptr[i + 1] += m.indptr[i];
  std::vector<int32_t> next(m.indptr.begin(), m.indptr.end() - 1);
  m.indices.resize(r.size());
  m.values.resize(r.size());
  std::vector<std::size_t> order(r.size());
  for (std::size_t e = 0; e < r.size(); ++e) {
    const int32_t at = next[r[e]]++;
    m.indices[at] = c[e];
    m.values[at] = v[e];
  }
  for (std::size_t i = 0; i < rows; ++i) {
    std::vector<std::pair<int32_t, float>> row;
    for (int32_t e = m.indptr[i]; e < m.indptr[i + 1]; ++e) row.push_back({m.indices[e], m.values[e]});
    std::sort(row.begin(), row.end());
    for (std::size_t j = 0; j < row.size(); ++j) {
      m.indices[m.indptr[i] + j] = row[j].first;
      m.values[m.indptr[i] + j] = row[j].second;
    }
  }
  return m;
}

uint64_t hash_floats(const std::vector<float>& a) {
  uint64_t h = 1469598103934665603ull;
  for (float f : a) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    h = (h ^ b) * 1099511628211ull;
  }
  return h;
}

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Processor seconds of the whole process: on a shared machine a one-thread
// run's CPU time moves far less than its wall time.
double cpu_now() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : 1;
  const std::size_t k = argc > 2 ? atoi(argv[2]) : 64;
  const int iterations = argc > 3 ? atoi(argv[3]) : 3;
  const std::size_t users = getenv("USERS") ? atoi(getenv("USERS")) : 360000;
  const std::size_t items = getenv("ITEMS") ? atoi(getenv("ITEMS")) : 160000;
  const std::string order = getenv("ORDER") ? getenv("ORDER") : "appearance";
  const bool cholesky = getenv("SOLVER") && std::string(getenv("SOLVER")) == "cholesky";

  std::mt19937_64 rng(1);
  std::vector<double> cdf(items);
  double total = 0;
  for (std::size_t i = 0; i < items; ++i) cdf[i] = total += std::pow(i + 50.0, -1.2);
  std::uniform_real_distribution<double> uni(0, total);
  std::normal_distribution<double> normal(0, 1);
  std::vector<int32_t> label(items, -1);  // item rank -> index given to the kernel
  int32_t next_label = 0;
  std::vector<int32_t> ru, ci;
  std::vector<float> val;
  std::vector<int32_t> seen;
  for (std::size_t u = 0; u < users; ++u) {
    const double level = 4 + 0.7 * normal(rng);
    std::size_t n = std::max(1.0, std::round(49.0 * std::exp(0.4 * normal(rng) - 0.08)));
    seen.clear();
    while (seen.size() < n) {
      const int32_t rank = static_cast<int32_t>(std::lower_bound(cdf.begin(), cdf.end(), uni(rng)) - cdf.begin());
      if (std::find(seen.begin(), seen.end(), rank) != seen.end()) continue;
      seen.push_back(rank);
      if (label[rank] < 0) label[rank] = next_label++;
      ru.push_back(static_cast<int32_t>(u));
      ci.push_back(rank);
      val.push_back(static_cast<float>(1 + std::floor(std::exp(level + 1.2 * normal(rng)))));
    }
  }
  for (auto& l : label)
    if (l < 0) l = next_label++;
  if (order == "shuffled") {
    std::iota(label.begin(), label.end(), 0);
    std::shuffle(label.begin(), label.end(), rng);
  } else if (order == "popularity") {
    std::iota(label.begin(), label.end(), 0);
  }
  for (auto& c : ci) c = label[c];
  const Csr by_user = build(users, ru, ci, val);
  const Csr by_item = build(items, ci, ru, val);
  std::printf("%zu users x %zu items x %zu, k=%zu, %d threads, order %s, %s\n", users, items, ru.size(), k,
              threads, order.c_str(), cholesky ? "cholesky" : "cg");

  std::vector<float> uf(users * k), itf(items * k);
  std::mt19937 frng(2);
  std::normal_distribution<float> init(0, 0.01f);
  for (auto& x : uf) x = init(frng);
  for (auto& x : itf) x = init(frng);
  AlsOptions o;
  o.factors = k;
  o.regularization = 0.25f;
  o.alpha = 2.0f;
  o.threads = threads;
  o.solver = cholesky ? AlsSolver::Cholesky : AlsSolver::ConjugateGradient;
  std::vector<double> tu, ti, cu, ciu;
  for (int it = 0; it < iterations; ++it) {
    double t0 = now(), c0 = cpu_now();
    als_half_sweep(by_user.view(), itf.data(), items, uf.data(), o, CancelFlag{});
    double t1 = now(), c1 = cpu_now();
    als_half_sweep(by_item.view(), uf.data(), users, itf.data(), o, CancelFlag{});
    double t2 = now(), c2 = cpu_now();
    tu.push_back(t1 - t0);
    ti.push_back(t2 - t1);
    cu.push_back(c1 - c0);
    ciu.push_back(c2 - c1);
    std::printf("iteration %d: users %.3f s (cpu %.3f), items %.3f s (cpu %.3f)\n", it, t1 - t0, c1 - c0, t2 - t1,
                c2 - c1);
  }
  for (auto* v : {&tu, &ti, &cu, &ciu}) std::sort(v->begin(), v->end());
  const std::size_t mid = tu.size() / 2;
  std::printf("median users %.3f s (cpu %.3f), items %.3f s (cpu %.3f), hash %016llx %016llx\n", tu[mid], cu[mid],
              ti[mid], ciu[mid],
              static_cast<unsigned long long>(hash_floats(uf)), static_cast<unsigned long long>(hash_floats(itf)));
  return 0;
}
