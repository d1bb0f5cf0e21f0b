// How the hot loops are compiled: the compiler hints they use, the one
// CPU-dispatch mechanism, and the 8-lane dot products.
//
// CPU dispatch. A hot loop is written once as an MFREC_INLINE function and
// wrapped twice: a plain copy and an MFREC_TARGET_AVX2 copy (the same source
// compiled for AVX2). pick_cpu_copy() chooses between them once, at run time,
// so prebuilt binaries also run on CPUs without AVX2. Elsewhere than x86 with
// GCC or Clang both copies are the plain loop. Nothing is fused into a
// multiply-add (-ffp-contract=off) and the lanes below fix every summation
// order, so both copies give the same bits.
//
// Dot products. Eight independent partial sums (lane = factor index mod 8)
// let the compiler vectorize without reassociating; a single running sum
// would be one chain of dependent additions that no compiler may reorder.
// The kernels accumulate lanes this way (the SGD epoch in sixteen lanes
// and a tree of its own: kernels/sgd_dot.h). Two reductions of eight lanes
// remain, each fixed by the seeded models trained with it (changing either
// would change their bits, and those of the twins that replay them):
//  - lane_dot (SGD predictions): the leftover factors after the last full
//    group of eight go into lanes 0.., then the lanes are summed in adjacent
//    pairs, ((0+1)+(2+3))+((4+5)+(6+7)); lib/addon/sgd.ts (laneDot) replays
//    this exactly. (BPR's score has lanes of its own: kernels/bpr_dot.h.)
//  - halves_dot / sum_halves (ALS): the lanes are summed as the two halves
//    of a 256-bit register fold, ((0+4)+(1+5))+((2+6)+(3+7)), and the
//    leftover factors are added one by one after. The ALS twin computes in
//    double and agrees to float rounding, so it does not replay this order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(_MSC_VER) && !defined(__clang__)
#define MFREC_INLINE __forceinline
#define MFREC_RESTRICT __restrict
#else
#define MFREC_INLINE inline __attribute__((always_inline))
#define MFREC_RESTRICT __restrict__
#endif

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define MFREC_TARGET_AVX2 __attribute__((target("avx2")))
#define MFREC_HAS_AVX2_COPY 1
// The AVX-512 copy: 16 floats per instruction where the loop is written in
// 16-lane vectors (Lanes16 below); the rest compiles as for AVX2.
#define MFREC_TARGET_AVX512 __attribute__((target("avx2,avx512f,avx512vl,avx512dq,avx512bw")))
#define MFREC_HAS_AVX512_COPY 1
#else
#define MFREC_TARGET_AVX2
#define MFREC_HAS_AVX2_COPY 0
#define MFREC_TARGET_AVX512
#define MFREC_HAS_AVX512_COPY 0
#endif

namespace mfrec {

// Starts loading the cache line at p, to be written; changes no value. It is
// a write prefetch (PREFETCHW) only in code built for a target with PRFCHW
// (BPR's AVX-512 copy); elsewhere the compiler emits a read prefetch.
MFREC_INLINE void prefetch(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 1, 3);
#else
  (void)p;
#endif
}

// The widest copy of the hot loops the MFREC_SIMD environment variable lets
// this process run: 0 with "plain", 1 with "avx2", 2 otherwise (unset, or
// "avx512": no cap). Read once. It exists so that every copy can be run, and
// compared, on one machine (the tests run each under each cap), and so a
// newer copy can be set aside without a rebuild. lib/addon/simd-cap.ts
// refuses any other value before the addon loads.
inline int simd_cap() {
  static const int cap = [] {
    const char* v = std::getenv("MFREC_SIMD");
    if (v != nullptr && std::strcmp(v, "plain") == 0) return 0;
    if (v != nullptr && std::strcmp(v, "avx2") == 0) return 1;
    return 2;
  }();
  return cap;
}

inline bool cpu_has_avx2() {
#if MFREC_HAS_AVX2_COPY
  static const bool has = simd_cap() >= 1 && __builtin_cpu_supports("avx2");
  return has;
#else
  return false;
#endif
}

// AVX-512 F, VL, DQ and BW (the Skylake-server set), usable by the OS.
inline bool cpu_has_avx512() {
#if MFREC_HAS_AVX512_COPY
  static const bool has = simd_cap() >= 2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  return has;
#else
  return false;
#endif
}

// The name of the widest copy this process runs ("avx512", "avx2" or "plain").
inline const char* simd_copy_name() { return cpu_has_avx512() ? "avx512" : cpu_has_avx2() ? "avx2" : "plain"; }

// The copy of a hot loop this CPU runs: `avx2` when it has AVX2.
template <typename Fn>
Fn pick_cpu_copy(Fn plain, Fn avx2) {
  return cpu_has_avx2() ? avx2 : plain;
}

// The same with a third copy for AVX-512, preferred when the CPU has it.
template <typename Fn>
Fn pick_cpu_copy(Fn plain, Fn avx2, Fn avx512) {
  return cpu_has_avx512() ? avx512 : pick_cpu_copy(plain, avx2);
}

// ((0+1)+(2+3))+((4+5)+(6+7))
MFREC_INLINE float sum_adjacent_pairs(const float* acc) {
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// p · q in eight lanes summed in adjacent pairs (SGD). K > 0 fixes the
// length at compile time (fully unrolled loops); K == 0 reads k.
template <int K = 0>
MFREC_INLINE float lane_dot(const float* MFREC_RESTRICT p, const float* MFREC_RESTRICT q, std::size_t k_runtime) {
  const std::size_t k = K > 0 ? static_cast<std::size_t>(K) : k_runtime;
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t f = 0;
  for (; f + 8 <= k; f += 8)
    for (std::size_t l = 0; l < 8; ++l) acc[l] += p[f + l] * q[f + l];
  for (std::size_t l = 0; f + l < k; ++l) acc[l] += p[f + l] * q[f + l];
  return sum_adjacent_pairs(acc);
}

// ((0+4)+(1+5))+((2+6)+(3+7)): the fold of a 256-bit register's halves.
MFREC_INLINE float sum_halves(const float* acc) {
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

// a · b with the full groups of eight in lanes summed as halves, then the
// leftover factors one by one (ALS).
MFREC_INLINE float halves_dot(const float* a, const float* b, std::size_t k) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t j = 0;
  for (; j + 8 <= k; j += 8)
    for (std::size_t l = 0; l < 8; ++l) acc[l] += a[j + l] * b[j + l];
  float s = sum_halves(acc);
  for (; j < k; ++j) s += a[j] * b[j];
  return s;
}

#if defined(__GNUC__) || defined(__clang__)
// Eight floats as one value: GCC and Clang compile its arithmetic lane by
// lane (one AVX2 instruction, or two SSE ones in the plain copy), which
// rounds exactly as the scalar lanes above do. (These helpers are always
// inlined, so no call passes the vector type and GCC's note about its
// calling convention without AVX does not apply.)
#pragma GCC diagnostic ignored "-Wpsabi"
#define MFREC_HAS_LANES8 1
typedef float Lanes8 __attribute__((vector_size(32)));
MFREC_INLINE Lanes8 load8(const float* p) {
  Lanes8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
MFREC_INLINE void store8(float* p, const Lanes8& v) { std::memcpy(p, &v, sizeof v); }
MFREC_INLINE float sum_halves(const Lanes8& a) {
  return ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
}

// Sixteen floats: one AVX-512 instruction, or two AVX2 or four SSE ones.
typedef float Lanes16 __attribute__((vector_size(64)));
MFREC_INLINE Lanes16 load16(const float* p) {
  Lanes16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
MFREC_INLINE void store16(float* p, const Lanes16& v) { std::memcpy(p, &v, sizeof v); }
MFREC_INLINE Lanes8 low8(const Lanes16& v) { return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7); }
MFREC_INLINE Lanes8 high8(const Lanes16& v) { return __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15); }

#else
#define MFREC_HAS_LANES8 0
#endif

}  // namespace mfrec
