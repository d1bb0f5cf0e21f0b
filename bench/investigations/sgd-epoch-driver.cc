// sgd_epoch on its own, on S1-shaped synthetic ratings (an investigation, not
// part of the suite; NOTES-sgd-speed.md): 138,000 users with log-normal
// activity, 27,000 items with power-law popularity, the grid ExplicitMF would
// pick (cache-sized blocks, at least 2t + 1 per side) with each block's rows
// adjacent, frequency-style row penalties. Prints wall and process-CPU
// seconds per epoch and a hash of the factors (equal hashes: equal models).
// Callgrind can count the instructions of the epoch alone
// (--toggle-collect='mfrec::sgd_epoch*'); it runs the AVX2 copy.
//
//   g++ -O3 -std=c++17 -ffp-contract=off -pthread -Inative -o /tmp/sgd-epoch \
//     bench/investigations/sgd-epoch-driver.cc native/kernels/{sgd,block_scheduler,parallel,random}.cc
//   [NU=users NI=items SORT=user|item OFFSET=bytes past a 64-byte line] /tmp/sgd-epoch threads factors epochs [ratings]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>
static double cpu_now() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

#include "kernels/sgd.h"

using namespace mfrec;

int main(int argc, char** argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : 2;
  const int k = argc > 2 ? atoi(argv[2]) : 64;
  const int epochs = argc > 3 ? atoi(argv[3]) : 5;
  const size_t nnz = argc > 4 ? strtoull(argv[4], 0, 10) : 18000000;
  const int nu = getenv("NU") ? atoi(getenv("NU")) : 138000, ni = getenv("NI") ? atoi(getenv("NI")) : 27000;
  const long long rowBytes = (long long)(nu + ni) * k * 4;
  int B = std::min<int>(64, (rowBytes + (2 << 20) - 1) / (2 << 20));
  B = std::max(B, threads == 1 ? 1 : 2 * threads + 1);
  std::mt19937_64 rng(7);
  // item popularity (rank+30)^-1.1, user activity lognormal; ids random.
  std::vector<double> cw(ni);
  double s = 0;
  for (int r = 0; r < ni; ++r) cw[r] = (s += std::pow(r + 30.0, -1.1));
  std::vector<int> itemId(ni), userId(nu);
  for (int i = 0; i < ni; ++i) itemId[i] = i;
  for (int u = 0; u < nu; ++u) userId[u] = u;
  std::shuffle(itemId.begin(), itemId.end(), rng);
  std::lognormal_distribution<double> ln(0, 1);
  std::vector<double> uw(nu);
  double us = 0;
  for (int u = 0; u < nu; ++u) us += (uw[u] = ln(rng));
  std::vector<double> ucw(nu);
  double acc = 0;
  for (int u = 0; u < nu; ++u) ucw[u] = (acc += uw[u]);
  std::uniform_real_distribution<double> U(0, 1);
  std::vector<int32_t> users(nnz), items(nnz);
  std::vector<float> ratings(nnz);
  for (size_t e = 0; e < nnz; ++e) {
    int u = std::lower_bound(ucw.begin(), ucw.end(), U(rng) * acc) - ucw.begin();
    int r = std::lower_bound(cw.begin(), cw.end(), U(rng) * s) - cw.begin();
    users[e] = std::min(u, nu - 1);
    items[e] = itemId[std::min(r, ni - 1)];
    ratings[e] = 0.5f * std::round(2 * std::min(5.0, std::max(0.5, 3.5 + 0.8 * (U(rng) - 0.5) * 2)));
  }
  // grouped numbering: block of row = id * B / n (ids already random)
  std::vector<int32_t> gu(nnz), gi(nnz), ptr(B * B + 1, 0);
  std::vector<float> gr(nnz);
  sgd_layout(nnz, users.data(), items.data(), ratings.data(), nu, ni, 1, 3, gu.data(), gi.data(), gr.data(),
             ptr.data());
  std::fill(ptr.begin(), ptr.end(), 0);
  for (size_t e = 0; e < nnz; ++e) ++ptr[(size_t)gu[e] * B / nu * B + (size_t)gi[e] * B / ni + 1];
  for (int b = 0; b < B * B; ++b) ptr[b + 1] += ptr[b];
  std::vector<int32_t> next(ptr.begin(), ptr.end() - 1);
  for (size_t e = 0; e < nnz; ++e) {
    size_t b = (size_t)gu[e] * B / nu * B + (size_t)gi[e] * B / ni;
    size_t at = next[b]++;
    users[at] = gu[e];
    items[at] = gi[e];
    ratings[at] = gr[e];
  }
  if (getenv("SORT")) {
    const bool byItem = std::string(getenv("SORT")) == "item";
    std::vector<size_t> idx;
    for (int b = 0; b < B * B; ++b) {
      idx.resize(ptr[b + 1] - ptr[b]);
      for (size_t j = 0; j < idx.size(); ++j) idx[j] = ptr[b] + j;
      std::stable_sort(idx.begin(), idx.end(),
                       [&](size_t x, size_t y) { return byItem ? items[x] < items[y] : users[x] < users[y]; });
      std::vector<int32_t> tu(idx.size()), ti(idx.size());
      std::vector<float> tr(idx.size());
      for (size_t j = 0; j < idx.size(); ++j) {
        tu[j] = users[idx[j]];
        ti[j] = items[idx[j]];
        tr[j] = ratings[idx[j]];
      }
      std::copy(tu.begin(), tu.end(), users.begin() + ptr[b]);
      std::copy(ti.begin(), ti.end(), items.begin() + ptr[b]);
      std::copy(tr.begin(), tr.end(), ratings.begin() + ptr[b]);
    }
  }
  // Factor arrays start OFFSET bytes past a 64-byte boundary (Node's large typed arrays: 16).
  const size_t offset = getenv("OFFSET") ? atoi(getenv("OFFSET")) : 0;
  float* pbase = static_cast<float*>(aligned_alloc(64, ((size_t)nu * k * 4 + 127) / 64 * 64));
  float* qbase = static_cast<float*>(aligned_alloc(64, ((size_t)ni * k * 4 + 127) / 64 * 64));
  struct Span {
    float* p;
    size_t n;
    float* begin() { return p; }
    float* end() { return p + n; }
    float* data() { return p; }
  };
  Span P{pbase + offset / 4, (size_t)nu * k}, Q{qbase + offset / 4, (size_t)ni * k};
  std::vector<float> bu(nu, 0), bi(ni, 0), ur(nu), ir(ni), ubr(nu), ibr(ni);
  std::normal_distribution<float> N(0, 0.1f);
  for (auto& x : P) x = N(rng);
  for (auto& x : Q) x = N(rng);
  for (int u = 0; u < nu; ++u) ur[u] = ubr[u] = 1.0f / std::sqrt(1.0f + uw[u]);
  for (int i = 0; i < ni; ++i) ir[i] = ibr[i] = 1.0f / std::sqrt(1.0f + i % 7);
  SgdGrid g;
  g.blocks = B;
  g.nnz = nnz;
  g.users = users.data();
  g.items = items.data();
  g.ratings = ratings.data();
  g.block_ptr = ptr.data();
  SgdModel m;
  m.factors = k;
  m.n_users = nu;
  m.n_items = ni;
  m.global_bias = 3.5f;
  m.user_factors = P.data();
  m.item_factors = Q.data();
  m.user_bias = bu.data();
  m.item_bias = bi.data();
  m.user_reg = ur.data();
  m.item_reg = ir.data();
  m.user_bias_reg = ubr.data();
  m.item_bias_reg = ibr.data();
  CancelFlag cancel;
  std::vector<double> t, cpu;
  double sse = 0;
  for (int ep = 0; ep < epochs; ++ep) {
    SgdStep st;
    st.learning_rate = 0.01f;
    st.regularization = 0.11f;
    st.bias_regularization = 0.04f;
    st.threads = threads;
    st.seed = 5;
    st.epoch = ep;
    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpu_now();
    sse = sgd_epoch(g, m, st, cancel);
    cpu.push_back(cpu_now() - c0);
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::vector<double> ts(t);
  std::sort(ts.begin(), ts.end());
  unsigned long long h = 1469598103934665603ull;
  for (float x : P) {
    uint32_t b;
    memcpy(&b, &x, 4);
    h = (h ^ b) * 1099511628211ull;
  }
  for (float x : Q) {
    uint32_t b;
    memcpy(&b, &x, 4);
    h = (h ^ b) * 1099511628211ull;
  }
  printf("B=%d threads=%d k=%d nnz=%zu median %.4f s/epoch min %.4f  all:", B, threads, k, nnz, ts[ts.size() / 2],
         ts[0]);
  for (double x : t) printf(" %.3f", x);
  std::sort(cpu.begin(), cpu.end());
  printf("  cpu min %.4f med %.4f (ns/rating %.2f)", cpu[0], cpu[cpu.size() / 2], cpu[0] / nnz * 1e9);
  printf("  rmse %.5f hash %016llx\n", std::sqrt(sse / nnz), h);
}
