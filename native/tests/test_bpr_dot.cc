// kernels/bpr_dot.h: BPR's 32-lane u · (a − b) sums in exactly the documented
// order (one-thread seeded models and lib/twins/bpr.ts depend on it), and its
// plain, AVX2 and AVX-512 copies give the same bits.
//
// The kernels are built without fused multiply-adds (-ffp-contract=off, on
// their library only); the copies below must be too, or the AVX-512 one would
// fuse what the kernel does not.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.h"
#include "kernels/bpr_dot.h"
#include "kernels/random.h"

using namespace mfrec;

namespace {

// Both signs and magnitudes from 2^-20 to 2^20, so that another order of the
// additions rounds differently.
std::vector<float> mixed_floats(std::size_t n, uint32_t seed) {
  Rng rng = Rng::stream(seed, 0);
  std::vector<float> v(n);
  for (float& x : v)
    x = std::ldexp(static_cast<float>(rng.below(2001)) / 1000.0f - 1.0f, static_cast<int>(rng.below(41)) - 20);
  return v;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The documented order, one operation at a time.
float thirty_two_lanes_reference(const float* u, const float* a, const float* b, std::size_t f) {
  float acc[32] = {};
  for (std::size_t k = 0; k < f; ++k) acc[k % 32] = acc[k % 32] + u[k] * (a[k] - b[k]);
  for (std::size_t l = 0; l < 16; ++l) acc[l] = acc[l] + acc[l + 16];
  for (std::size_t l = 0; l < 8; ++l) acc[l] = acc[l] + acc[l + 8];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

using DotFn = float (*)(const float*, const float*, const float*, std::size_t);
float dot_plain(const float* u, const float* a, const float* b, std::size_t f) {
  return bpr_difference_dot(u, a, b, f);
}
MFREC_TARGET_AVX2 float dot_avx2(const float* u, const float* a, const float* b, std::size_t f) {
  return bpr_difference_dot(u, a, b, f);
}
#if MFREC_HAS_LANES8
MFREC_TARGET_AVX512 float dot_avx512(const float* u, const float* a, const float* b, std::size_t f) {
  return bpr_difference_dot16(u, a, b, f);
}
#endif

const std::size_t kFactorCounts[] = {1, 7, 8, 15, 16, 31, 32, 33, 48, 64, 80, 100, 128, 144, 256};

}  // namespace

MFREC_TEST(bpr_dot_sums_in_the_documented_order_in_every_copy) {
  for (std::size_t f : kFactorCounts) {
    const std::vector<float> u = mixed_floats(f, 1), a = mixed_floats(f, 2), b = mixed_floats(f, 3);
    const float want = thirty_two_lanes_reference(u.data(), a.data(), b.data(), f);
    CHECK(same_bits(dot_plain(u.data(), a.data(), b.data(), f), want));
    if (cpu_has_avx2()) CHECK(same_bits(dot_avx2(u.data(), a.data(), b.data(), f), want));
#if MFREC_HAS_LANES8
    if (f % 16 == 0 && cpu_has_avx512()) CHECK(same_bits(dot_avx512(u.data(), a.data(), b.data(), f), want));
#endif
  }
}

MFREC_TEST(bpr_dot_order_matters_for_these_inputs) {
  // The test above can only fail if another order gives other bits on its
  // inputs: the eight-lane order of kernels/simd.h does, at 128 factors.
  const std::size_t f = 128;
  const std::vector<float> u = mixed_floats(f, 1), a = mixed_floats(f, 2), b = mixed_floats(f, 3);
  std::vector<float> diff(f);
  for (std::size_t k = 0; k < f; ++k) diff[k] = a[k] - b[k];
  CHECK(!same_bits(lane_dot(u.data(), diff.data(), f), thirty_two_lanes_reference(u.data(), a.data(), b.data(), f)));
}
