// bpr_epoch on its own, on S2-shaped synthetic data (an investigation, not
// part of the suite; NOTES-bpr-sampling.md): the users, items and power law
// of als-cg-driver.cc, without values. Built with -DWITH_BASE and an older
// bpr.cc compiled with -Dmfrec=mfrec_base (with csr.cc, random.cc,
// parallel.cc and bpr-base-bridge.cc the same way), each epoch runs once with
// each build, alternating which goes first, on two copies of the factors, and
// prints the paired ratio of process CPU seconds and both builds' factor
// hashes (equal hashes: equal models).
//
//   g++ -O3 -std=c++17 -ffp-contract=off -pthread -Inative -o /tmp/bpr-epoch
//     bench/investigations/bpr-epoch-driver.cc native/kernels/{bpr,csr,random,parallel}.cc
//   [USERS=360000 ITEMS=160000] /tmp/bpr-epoch threads factors epochs
//   FLOOR=1 [AHEAD=4] /tmp/bpr-epoch 1 factors repeats   (row_update_floor below)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <vector>

#include "kernels/bpr.h"

using namespace mfrec;

#ifdef WITH_BASE
// bpr_epoch of the older build (bpr-base-bridge.cc), on the same (layout-identical) arguments.
void base_bpr_epoch(const void* params, const void* by_user, std::size_t items, float* user_factors,
                    float* item_factors, float* item_bias, uint32_t epoch);
#endif

namespace {

double cpu_now() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
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

// The memory floor of a sample's negative: CPU nanoseconds to read and write
// one uniformly random row of `rows` × k floats (the item factors' size), the
// row `ahead` updates on prefetched as the kernel does, and nothing else
// (FLOOR=1; AHEAD=4 by default).
double row_update_floor(std::size_t rows, std::size_t k, std::size_t updates, std::size_t ahead) {
  std::vector<float> v(rows * k, 0.5f);
  std::vector<uint32_t> pick(updates + ahead);
  std::mt19937 r(3);
  for (auto& j : pick) j = static_cast<uint32_t>(r() % rows);
  const double c0 = cpu_now();
  for (std::size_t s = 0; s < updates; ++s) {
    const float* next = v.data() + static_cast<std::size_t>(pick[s + ahead]) * k;
    for (std::size_t q = 0; q < k; q += 16) __builtin_prefetch(next + q, 1, 3);
    float* row = v.data() + static_cast<std::size_t>(pick[s]) * k;
    for (std::size_t q = 0; q < k; ++q) row[q] = 0.999f * row[q] + 1e-4f;
  }
  const double ns = (cpu_now() - c0) * 1e9 / static_cast<double>(updates);
  std::printf("floor: %zu random rows of %zu floats among %zu, %zu ahead: %.1f ns per row (checksum %g)\n", updates, k,
              rows, ahead, ns, static_cast<double>(v[static_cast<std::size_t>(pick[0]) * k]));
  return ns;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : 1;
  const std::size_t k = argc > 2 ? atoi(argv[2]) : 64;
  const int epochs = argc > 3 ? atoi(argv[3]) : 3;
  const std::size_t users = getenv("USERS") ? atoi(getenv("USERS")) : 360000;
  const std::size_t items = getenv("ITEMS") ? atoi(getenv("ITEMS")) : 160000;
  if (getenv("FLOOR")) {
    const std::size_t ahead = getenv("AHEAD") ? atoi(getenv("AHEAD")) : 4;
    for (int e = 0; e < epochs; ++e) row_update_floor(items, k, 10000000, ahead);
    return 0;
  }

  std::mt19937_64 rng(1);
  std::vector<double> cdf(items);
  double total = 0;
  for (std::size_t i = 0; i < items; ++i) cdf[i] = total += std::pow(i + 50.0, -1.2);
  std::uniform_real_distribution<double> uni(0, total);
  std::normal_distribution<double> normal(0, 1);
  std::vector<int32_t> label(items, -1);  // item rank -> index, in order of first appearance
  int32_t next_label = 0;
  std::vector<int32_t> indptr{0}, indices;
  std::vector<int32_t> row;
  for (std::size_t u = 0; u < users; ++u) {
    std::size_t n = std::max(1.0, std::round(49.0 * std::exp(0.4 * normal(rng) - 0.08)));
    row.clear();
    while (row.size() < n) {
      const int32_t rank = static_cast<int32_t>(std::lower_bound(cdf.begin(), cdf.end(), uni(rng)) - cdf.begin());
      if (label[rank] < 0) label[rank] = next_label++;
      if (std::find(row.begin(), row.end(), label[rank]) == row.end()) row.push_back(label[rank]);
    }
    std::sort(row.begin(), row.end());
    indices.insert(indices.end(), row.begin(), row.end());
    indptr.push_back(static_cast<int32_t>(indices.size()));
  }
  const CsrView by_user{users, indptr.data(), indices.data(), nullptr};
  std::printf("%zu users x %zu items x %zu, k=%zu, %d threads\n", users, items, indices.size(), k, threads);

  std::mt19937 frng(2);
  std::normal_distribution<float> init(0, 0.1f);
  std::vector<float> uf(users * k), itf(items * k), bias(items, 0.0f);
  for (auto& x : uf) x = init(frng);
  for (auto& x : itf) x = init(frng);
  BprParams p;
  p.factors = k;
  p.threads = threads;
  p.seed = 5;
  std::vector<double> ratios, fresh, old;
#ifdef WITH_BASE
  std::vector<float> uf_base = uf, itf_base = itf, bias_base = bias;
  // SWAP=1 trains the new build on the copies and the old one on the
  // originals: an A/A run (the same build on both sides) shows whether the
  // placement of the arrays, not the code, makes a difference.
  if (getenv("SWAP")) uf.swap(uf_base), itf.swap(itf_base), bias.swap(bias_base);
#endif
  for (int e = 0; e < epochs; ++e) {
    const uint32_t epoch = static_cast<uint32_t>(e);
    auto run_new = [&] {
      const double c0 = cpu_now();
      bpr_epoch(p, by_user, items, uf.data(), itf.data(), bias.data(), epoch);
      return cpu_now() - c0;
    };
#ifdef WITH_BASE
    auto run_old = [&] {
      const double c0 = cpu_now();
      base_bpr_epoch(&p, &by_user, items, uf_base.data(), itf_base.data(), bias_base.data(), epoch);
      return cpu_now() - c0;
    };
    double n = 0, o = 0;
    if (e % 2 == 0) {
      n = run_new(), o = run_old();
    } else {
      o = run_old(), n = run_new();
    }
    fresh.push_back(n), old.push_back(o), ratios.push_back(n / o);
    std::printf("epoch %d cpu: new %.3f old %.3f (%.3f)\n", e, n, o, n / o);
#else
    const double n = run_new();
    fresh.push_back(n);
    std::printf("epoch %d cpu: %.3f s\n", e, n);
#endif
  }
  for (auto* v : {&fresh, &old, &ratios}) std::sort(v->begin(), v->end());
  const std::size_t mid = fresh.size() / 2;
#ifdef WITH_BASE
  std::printf("median cpu: new %.3f old %.3f, paired ratio %.3f; hash new %016llx old %016llx\n", fresh[mid], old[mid],
              ratios[mid], static_cast<unsigned long long>(hash_floats(itf)),
              static_cast<unsigned long long>(hash_floats(itf_base)));
#else
  std::printf("median cpu %.3f s; hash %016llx\n", fresh[mid], static_cast<unsigned long long>(hash_floats(itf)));
#endif
  return 0;
}
