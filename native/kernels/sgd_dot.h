// The dot product of the SGD epoch: p · q in sixteen lanes summed by a fixed
// tree, so that every compiled copy (plain, AVX2, AVX-512) and the twin
// (lib/twins/sgd.ts, epochDot) round the same way.
//
// The order, for any length k:
//  1. The product of factor f goes to lane f mod 16 of partial sum
//     (f / 16) mod 4; each of the four partial sums adds its products left
//     to right.
//  2. The partial sums are added lane by lane as (S0 + S1) + (S2 + S3).
//  3. The sixteen lanes are folded in halves: lane l + lane l + 8, then
//     l + 4, l + 2 and l + 1.
// Every lane and partial sum starts at −0, the exact identity of float
// addition (−0 + x is x for every x, zeros and NaNs included), so a lane or
// partial sum that k leaves empty changes nothing, and the code below starts
// from the first product instead.
//
// Why this order: at 64 factors the four products need two levels of adds
// and at 128 three, where summing each group into eight lanes in turn needed
// eight or sixteen dependent adds; the halving fold is what a 512-bit
// register's halves give without shuffles across them.
#pragma once

#include <cstddef>

#include "kernels/simd.h"

namespace mfrec {

#if MFREC_HAS_LANES8
typedef float Lanes4 __attribute__((vector_size(16)));

// Step 3: the halving fold of sixteen lanes.
MFREC_INLINE float fold_sixteen(const Lanes16& t) {
  const Lanes8 h8 = low8(t) + high8(t);
  const Lanes4 h4 = __builtin_shufflevector(h8, h8, 0, 1, 2, 3) + __builtin_shufflevector(h8, h8, 4, 5, 6, 7);
  const Lanes4 h2 = h4 + __builtin_shufflevector(h4, h4, 2, 3, 2, 3);
  return h2[0] + h2[1];
}

// Steps 1 and 2 for K > 0 known at compile time (K == 0: k at run time).
template <int K>
MFREC_INLINE float tree_dot(const float* MFREC_RESTRICT p, const float* MFREC_RESTRICT q, std::size_t k_runtime) {
  const std::size_t k = K > 0 ? static_cast<std::size_t>(K) : k_runtime;
  const std::size_t whole = k / 16 * 16;
  const std::size_t groups = (k + 15) / 16;
  constexpr float neg0 = -0.0f;
  Lanes16 s[4] = {};  // each is assigned its first product before it is read
  std::size_t g = 0;
  for (std::size_t f = 0; f < whole; f += 16, ++g) {
    const Lanes16 prod = load16(p + f) * load16(q + f);
    s[g % 4] = g < 4 ? prod : s[g % 4] + prod;
  }
  if (whole < k) {
    Lanes16 tail = {neg0, neg0, neg0, neg0, neg0, neg0, neg0, neg0, neg0, neg0, neg0, neg0, neg0, neg0, neg0, neg0};
    for (std::size_t l = 0; whole + l < k; ++l) tail[l] = p[whole + l] * q[whole + l];
    s[g % 4] = g < 4 ? tail : s[g % 4] + tail;
  }
  // Step 2, leaving out the partial sums that k leaves empty.
  Lanes16 t;
  if (groups >= 4) {
    t = (s[0] + s[1]) + (s[2] + s[3]);
  } else if (groups == 3) {
    t = (s[0] + s[1]) + s[2];
  } else if (groups == 2) {
    t = s[0] + s[1];
  } else if (groups == 1) {
    t = s[0];
  } else {
    return neg0;
  }
  return fold_sixteen(t);
}
#else
// The same order written lane by lane, for compilers without vector types.
template <int K>
MFREC_INLINE float tree_dot(const float* MFREC_RESTRICT p, const float* MFREC_RESTRICT q, std::size_t k_runtime) {
  const std::size_t k = K > 0 ? static_cast<std::size_t>(K) : k_runtime;
  float s[4][16];
  for (auto& sum : s)
    for (float& lane : sum) lane = -0.0f;
  for (std::size_t f = 0; f < k; ++f) s[(f / 16) % 4][f % 16] += p[f] * q[f];
  float t[16];
  for (int l = 0; l < 16; ++l) t[l] = (s[0][l] + s[1][l]) + (s[2][l] + s[3][l]);
  for (int half = 8; half >= 1; half /= 2)
    for (int l = 0; l < half; ++l) t[l] += t[l + half];
  return t[0];
}
#endif

}  // namespace mfrec
