/*
 * This machine's single-precision GEMM throughput through the same OpenBLAS
 * the addon links, for bench/suite/topk.mjs: C = A·Bᵀ with A m×k, B n×k (the shape
 * of scoring m users against n items with k factors), on `threads` OpenBLAS
 * threads; prints the best GFLOP/s of `reps` runs and the OpenBLAS build string.
 *
 *   sgemm m n k threads reps
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern void openblas_set_num_threads(int);
extern char* openblas_get_config(void);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: sgemm m n k threads reps\n");
    return 2;
  }
  const int m = atoi(argv[1]), n = atoi(argv[2]), k = atoi(argv[3]), threads = atoi(argv[4]), reps = atoi(argv[5]);
  float* a = malloc(sizeof(float) * (size_t)m * k);
  float* b = malloc(sizeof(float) * (size_t)n * k);
  float* c = malloc(sizeof(float) * (size_t)m * n);
  if (!a || !b || !c) return 1;
  for (size_t i = 0; i < (size_t)m * k; i++) a[i] = (float)((i * 7919u) % 1000) / 1000.0f - 0.5f;
  for (size_t i = 0; i < (size_t)n * k; i++) b[i] = (float)((i * 104729u) % 1000) / 1000.0f - 0.5f;
  openblas_set_num_threads(threads);
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    const double t0 = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
    const double t = now() - t0;
    if (t < best) best = t;
  }
  printf("{\"gflops\":%.3f,\"seconds\":%.6f,\"check\":%g,\"config\":\"%s\"}\n", 2.0 * m * n * (double)k / best / 1e9, best,
         (double)c[(size_t)(m / 2) * n + n / 3], openblas_get_config());
  free(a);
  free(b);
  free(c);
  return 0;
}
