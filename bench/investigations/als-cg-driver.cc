// ALS half-sweeps on their own, on S2-shaped synthetic counts (an
// investigation, not part of the suite; NOTES-als.md): users with log-normal
// activity (mean 49 items, sigma 0.4), items drawn by the shifted power law of
// bench/generators/generate-counts.mjs, weight(rank) = (rank + 50)^-1.2,
// numbered as the reader numbers them (order of first appearance), play
// counts as values. SHAPE=ml1m builds the ML-1M-sized set of the suite
// instead (6,040 x 3,706 x 1,000,000, values 1). Prints the median wall seconds of each half-sweep (users
// against items, items against users) and a hash of the factors (equal
// hashes: equal models). Callgrind can count the instructions of the row
// solves alone (--toggle-collect='mfrec::als_solve_rows*').
//
//   g++ -O3 -std=c++17 -ffp-contract=off -pthread -Inative -DMFREC_HAVE_OPENBLAS
//     $(pkg-config --cflags openblas) -o /tmp/als-cg bench/investigations/als-cg-driver.cc
//     native/kernels/{als,blas,parallel}.cc $(pkg-config --libs openblas)
//   [USERS=360000 ITEMS=160000 SOLVER=cg|cholesky ORDER=appearance|shuffled|popularity
//    SHAPE=s2|ml1m CG_STEPS=3]
//     /tmp/als-cg threads factors iterations
//
// Side by side in one process (the protocol of NOTES-method.md on a shared
// machine): build an older als.cc with -Dmfrec=mfrec_base, with blas.cc and
// parallel.cc the same way and bench/investigations/als-cg-base-bridge.cc, and
// add -DWITH_BASE and those objects to the command above. Each half-sweep then
// runs once with each build, alternating which goes first, on two copies of
// the factors; the output adds the median of the paired CPU-time ratios.
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

#ifdef WITH_BASE
// als_half_sweep of the older build (als-cg-base-bridge.cc), on the same
// (layout-identical) arguments.
void base_half_sweep(const void* m, const float* y, std::size_t y_rows, float* x, const void* options);
#endif

namespace {

struct Csr {
  std::vector<int32_t> indptr, indices;
  std::vector<float> values;
  CsrView view() const { return CsrView{indptr.size() - 1, indptr.data(), indices.data(), values.data()}; }
};

// Rows of `rows` entries (sorted by column) from (row, col, value) triples.
Csr build(std::size_t rows, const std::vector<int32_t>& r, const std::vector<int32_t>& c, const std::vector<float>& v) {
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

// The ML-1M-sized set of bench/lib/datasets.mjs (SHAPE=ml1m): the power law
// of bench/generators/synthetic.mjs (syntheticPowerLaw) with its generator
// and seed, items numbered in order of first appearance, values 1.
void power_law(std::size_t users, std::size_t items, double target, uint32_t seed, std::vector<int32_t>& ru,
               std::vector<int32_t>& ci, std::vector<float>& val, std::vector<int32_t>& label, int32_t& next_label) {
  uint32_t s = seed;
  auto rand = [&] { return (s = s * 1664525u + 1013904223u) / 4294967296.0; };
  std::vector<double> cum(items);
  double total = 0;
  for (std::size_t i = 0; i < items; ++i) cum[i] = total += 1 / std::pow(i + 20.0, 0.9);
  std::vector<double> activity(users);
  for (auto& a : activity) a = 1 / std::pow(1 - rand(), 1 / 1.3);
  auto lengths = [&](double scale) {
    std::vector<std::size_t> l(users);
    for (std::size_t u = 0; u < users; ++u)
      l[u] = std::min<std::size_t>(items >> 1, std::max(20.0, std::round(activity[u] * scale)));
    return l;
  };
  auto sum = [](const std::vector<std::size_t>& l) { return std::accumulate(l.begin(), l.end(), 0.0); };
  double scale = target / std::accumulate(activity.begin(), activity.end(), 0.0);
  for (int round = 0; round < 20; ++round) scale *= target / sum(lengths(scale));
  const auto wanted = lengths(scale);
  std::vector<int32_t> chosen;
  std::vector<char> in(items);
  for (std::size_t u = 0; u < users; ++u) {
    chosen.clear();
    while (chosen.size() < wanted[u]) {
      const double x = rand() * total;
      const int32_t i = static_cast<int32_t>(std::lower_bound(cum.begin(), cum.end(), x) - cum.begin());
      if (!in[i]) in[i] = 1, chosen.push_back(i);
    }
    for (int32_t i : chosen) {
      in[i] = 0;
      if (label[i] < 0) label[i] = next_label++;
      ru.push_back(static_cast<int32_t>(u));
      ci.push_back(i);
      val.push_back(1.0f);
    }
  }
}

[[maybe_unused]] double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

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
  const bool ml1m_shape = getenv("SHAPE") && std::string(getenv("SHAPE")) == "ml1m";
  const std::size_t users = getenv("USERS") ? atoi(getenv("USERS")) : ml1m_shape ? 6040 : 360000;
  const std::size_t items = getenv("ITEMS") ? atoi(getenv("ITEMS")) : ml1m_shape ? 3706 : 160000;
  const std::string order = getenv("ORDER") ? getenv("ORDER") : "appearance";
  const bool cholesky = getenv("SOLVER") && std::string(getenv("SOLVER")) == "cholesky";

  std::vector<int32_t> label(items, -1);  // item rank -> index given to the kernel
  int32_t next_label = 0;
  std::vector<int32_t> ru, ci;
  std::vector<float> val;
  if (ml1m_shape) power_law(users, items, 1000000, 7, ru, ci, val, label, next_label);
  std::mt19937_64 rng(1);
  std::vector<double> cdf(items);
  double total = 0;
  for (std::size_t i = 0; i < items; ++i) cdf[i] = total += std::pow(i + 50.0, -1.2);
  std::uniform_real_distribution<double> uni(0, total);
  std::normal_distribution<double> normal(0, 1);
  std::vector<int32_t> seen;
  for (std::size_t u = 0; u < (ml1m_shape ? 0 : users); ++u) {
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
  // BASE_ORDER (with WITH_BASE): the older build's side gets the same
  // interactions with the items numbered in that order instead, so that one
  // process compares two item orders (link the current als.cc as the "older"
  // build to compare orders alone).
  const std::string base_order = getenv("BASE_ORDER") ? getenv("BASE_ORDER") : order;
  std::vector<int32_t> base_label = label;
  if (base_order == "popularity") std::iota(base_label.begin(), base_label.end(), 0);
  std::vector<int32_t> ci_base(ci.size());
  for (std::size_t e = 0; e < ci.size(); ++e) ci_base[e] = base_label[ci[e]];
  for (auto& c : ci) c = label[c];
  const Csr by_user = build(users, ru, ci, val);
  const Csr by_item = build(items, ci, ru, val);
  const Csr by_user_base = base_order == order ? Csr{} : build(users, ru, ci_base, val);
  const Csr by_item_base = base_order == order ? Csr{} : build(items, ci_base, ru, val);
  std::printf("%zu users x %zu items x %zu, k=%zu, %d threads, order %s, %s\n", users, items, ru.size(), k, threads,
              order.c_str(), cholesky ? "cholesky" : "cg");

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
  if (getenv("CG_STEPS")) o.cg_steps = atoi(getenv("CG_STEPS"));
  std::vector<double> tu, ti, cu, ciu;
#ifdef WITH_BASE
  std::vector<float> uf_base = uf, itf_base = itf;
  const bool reorder = base_order != order;
  if (reorder) {  // item row label[r] on this side is row base_label[r] on the other
    for (std::size_t r = 0; r < items; ++r)
      std::copy(itf.begin() + label[r] * k, itf.begin() + (label[r] + 1) * k, itf_base.begin() + base_label[r] * k);
  }
  std::vector<double> ratio_u, ratio_i, base_u, base_i;
  auto timed = [](auto&& f) {
    const double c0 = cpu_now();
    f();
    return cpu_now() - c0;
  };
#endif
  for (int it = 0; it < iterations; ++it) {
#ifdef WITH_BASE
    // users half: new and old in alternating order, then the items half.
    double nu = 0, bu = 0, ni = 0, bi = 0;
    auto new_users = [&] { als_half_sweep(by_user.view(), itf.data(), items, uf.data(), o, CancelFlag{}); };
    auto old_users = [&] {
      const CsrView v = reorder ? by_user_base.view() : by_user.view();
      base_half_sweep(&v, itf_base.data(), items, uf_base.data(), &o);
    };
    auto new_items = [&] { als_half_sweep(by_item.view(), uf.data(), users, itf.data(), o, CancelFlag{}); };
    auto old_items = [&] {
      const CsrView v = reorder ? by_item_base.view() : by_item.view();
      base_half_sweep(&v, uf_base.data(), users, itf_base.data(), &o);
    };
    if (it % 2 == 0) {
      nu = timed(new_users), bu = timed(old_users), ni = timed(new_items), bi = timed(old_items);
    } else {
      bu = timed(old_users), nu = timed(new_users), bi = timed(old_items), ni = timed(new_items);
    }
    cu.push_back(nu), ciu.push_back(ni), base_u.push_back(bu), base_i.push_back(bi);
    ratio_u.push_back(nu / bu), ratio_i.push_back(ni / bi);
    std::printf("iteration %d cpu: users new %.3f old %.3f (%.3f), items new %.3f old %.3f (%.3f), both %.3f\n", it, nu,
                bu, nu / bu, ni, bi, ni / bi, (nu + ni) / (bu + bi));
  }
  for (auto* v : {&cu, &ciu, &base_u, &base_i, &ratio_u, &ratio_i}) std::sort(v->begin(), v->end());
  const std::size_t mid = cu.size() / 2;
  std::printf("median cpu: users new %.3f old %.3f, items new %.3f old %.3f; paired ratios users %.3f items %.3f\n",
              cu[mid], base_u[mid], ciu[mid], base_i[mid], ratio_u[mid], ratio_i[mid]);
  std::printf("hash new %016llx %016llx old %016llx %016llx\n", static_cast<unsigned long long>(hash_floats(uf)),
              static_cast<unsigned long long>(hash_floats(itf)), static_cast<unsigned long long>(hash_floats(uf_base)),
              static_cast<unsigned long long>(hash_floats(itf_base)));
#else
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
              ti[mid], ciu[mid], static_cast<unsigned long long>(hash_floats(uf)),
              static_cast<unsigned long long>(hash_floats(itf)));
#endif
  return 0;
}
