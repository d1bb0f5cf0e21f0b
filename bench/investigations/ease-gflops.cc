// EASE's dense steps on their own (an investigation, not part of the suite;
// NOTES-sgd-speed.md): the Gram matrix by the dense method and spd_inverse on
// random 0/1 data, best of `reps`, in GFLOP/s to set beside the sgemm probe
// (bench/suite/reference/sgemm.c) run just before or after.
//
//   g++ -O3 -std=c++17 -ffp-contract=off -pthread -DMFREC_HAVE_OPENBLAS -Inative $(pkg-config --cflags openblas) \
//     -o /tmp/ease-gflops bench/investigations/ease-gflops.cc native/kernels/{ease,blas,parallel,csr}.cc $(pkg-config
//     --libs openblas)
//   /tmp/ease-gflops items users density threads reps
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "kernels/csr.h"
#include "kernels/ease.h"
using namespace mfrec;
static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
extern "C" void openblas_set_num_threads(int);
int main(int argc, char** argv) {
  const size_t n = atoi(argv[1]);
  const size_t users = atoi(argv[2]);
  const double density = atof(argv[3]);
  const int threads = atoi(argv[4]);
  const int reps = atoi(argv[5]);
  openblas_set_num_threads(1);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> U(0, 1);
  std::vector<int32_t> indptr{0}, indices;
  std::vector<float> values;
  for (size_t u = 0; u < users; ++u) {
    for (size_t i = 0; i < n; ++i)
      if (U(rng) < density) {
        indices.push_back(i);
        values.push_back(1.0f);
      }
    indptr.push_back(indices.size());
  }
  CsrView m;
  m.rows = users;
  m.indptr = indptr.data();
  m.indices = indices.data();
  m.values = values.data();
  std::vector<float> g(n * n), work(n * n), a(n * n);
  double best_gram = 1e9, best_inv = 1e9;
  for (int r = 0; r < reps; ++r) {
    double t0 = now();
    ease_gram(m, n, GramMethod::Dense, threads, g.data(), {});
    best_gram = std::min(best_gram, now() - t0);
    a = g;
    for (size_t i = 0; i < n; ++i) a[i * n + i] += 100.0f;
    t0 = now();
    spd_inverse(n, a.data(), work.data(), threads, {});
    best_inv = std::min(best_inv, now() - t0);
  }
  // Gram as syrk: users * n * (n+1) flops on the lower triangle; inverse: n^3/3 (Cholesky) + n^3/3 (L^-1) + n^3/3 (W^T
  // W).
  const double gram_flop = (double)users * n * (n + 1), inv_flop = (double)n * n * n;
  printf(
      "{\"items\":%zu,\"users\":%zu,\"threads\":%d,\"gram_s\":%.4f,\"gram_gflops\":%.1f,\"inverse_s\":%.4f,\"inverse_"
      "gflops\":%.1f}\n",
      n, users, threads, best_gram, gram_flop / best_gram / 1e9, best_inv, inv_flop / best_inv / 1e9);
}
