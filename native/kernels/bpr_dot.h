// u · (a − b) for BPR's score, in 32 lanes. The score of a sample needs the
// user row the previous sample just wrote, so a sample waits for the sum of
// the one before it: with one eight-lane accumulator that sum was a chain of
// factors/8 dependent additions (16 at 128 factors), the longest wait of a
// cached sample. 32 lanes cut the chain to factors/32 additions (two
// 16-wide registers at once), then fold: a quarter of the wait.
//
// The order, which lib/twins/bpr.ts replays: lane l (0..31) sums the products
// of factors k ≡ l (mod 32) in increasing k, starting from 0; then lanes
// l and l + 16 are added (l < 16), then l and l + 8 (l < 8), and the last
// eight are summed in adjacent pairs, ((0+1)+(2+3))+((4+5)+(6+7)). Every
// copy (plain, AVX2, AVX-512) gives these bits.
#pragma once

#include <cstddef>

#include "kernels/simd.h"

namespace mfrec {

// The last three steps of the order: 32 lane sums to one.
MFREC_INLINE float bpr_fold32(const float* acc) {
  float s16[16];
  for (std::size_t l = 0; l < 16; ++l) s16[l] = acc[l] + acc[l + 16];
  float s8[8];
  for (std::size_t l = 0; l < 8; ++l) s8[l] = s16[l] + s16[l + 8];
  return ((s8[0] + s8[1]) + (s8[2] + s8[3])) + ((s8[4] + s8[5]) + (s8[6] + s8[7]));
}

// Any number of factors (the plain and AVX2 copies vectorize the inner loop).
MFREC_INLINE float bpr_difference_dot(const float* MFREC_RESTRICT u, const float* a, const float* b, std::size_t f) {
  float acc[32] = {};
  std::size_t k = 0;
  for (; k + 32 <= f; k += 32)
    for (std::size_t l = 0; l < 32; ++l) acc[l] += u[k + l] * (a[k + l] - b[k + l]);
  for (std::size_t l = 0; k + l < f; ++l) acc[l] += u[k + l] * (a[k + l] - b[k + l]);
  return bpr_fold32(acc);
}

#if MFREC_HAS_LANES8
// bpr_difference_dot for f a multiple of 16, two 16-wide accumulators (the
// AVX-512 copy): lanes 0..15 in `low`, 16..31 in `high`; a last group of 16
// goes to lanes 0..15, as in the plain loop.
MFREC_INLINE float bpr_difference_dot16(const float* MFREC_RESTRICT u, const float* a, const float* b, std::size_t f) {
  const Lanes16 zero = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  Lanes16 low = zero, high = zero;
  std::size_t k = 0;
  for (; k + 32 <= f; k += 32) {
    low = low + load16(u + k) * (load16(a + k) - load16(b + k));
    high = high + load16(u + k + 16) * (load16(a + k + 16) - load16(b + k + 16));
  }
  if (k < f) low = low + load16(u + k) * (load16(a + k) - load16(b + k));
  const Lanes16 s16 = low + high;
  const Lanes8 s8 = low8(s16) + high8(s16);
  const Lanes8 pairs = s8 + __builtin_shufflevector(s8, s8, 1, 0, 3, 2, 5, 4, 7, 6);  // 0+1, 2+3, 4+5, 6+7
  const Lanes8 quads = pairs + __builtin_shufflevector(pairs, pairs, 2, 3, 0, 1, 6, 7, 4, 5);
  return quads[0] + quads[4];
}
#endif

}  // namespace mfrec
