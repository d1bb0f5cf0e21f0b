// kernels/simd.h: the two lane reductions sum in exactly the documented
// order (the seeded models and the twins depend on it), and the plain and
// AVX2 copies of a loop built on them give the same bits.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "check.h"
#include "kernels/random.h"
#include "kernels/simd.h"

using namespace mfrec;

namespace {

std::vector<float> random_floats(std::size_t n, uint32_t seed) {
  Rng rng = Rng::stream(seed, 0);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.below(2000001)) / 1000.0f - 1000.0f;
  return v;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The documented orders, written out one operation at a time.
float adjacent_pairs_reference(const float* p, const float* q, std::size_t k) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (std::size_t f = 0; f < k; ++f) acc[f % 8] = acc[f % 8] + p[f] * q[f];
  const float a01 = acc[0] + acc[1], a23 = acc[2] + acc[3], a45 = acc[4] + acc[5], a67 = acc[6] + acc[7];
  return (a01 + a23) + (a45 + a67);
}

float halves_reference(const float* a, const float* b, std::size_t k) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const std::size_t full = k / 8 * 8;
  for (std::size_t f = 0; f < full; ++f) acc[f % 8] = acc[f % 8] + a[f] * b[f];
  float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (std::size_t f = full; f < k; ++f) s = s + a[f] * b[f];
  return s;
}

using DotsFn = void (*)(const float*, const float*, const float*, std::size_t, float*);
MFREC_INLINE void dots_body(const float* a, const float* b, const float* c, std::size_t k, float* out) {
  out[0] = lane_dot(a, b, k);
  out[1] = lane_dot(a, c, k);
  out[2] = halves_dot(a, b, k);
}
void dots_plain(const float* a, const float* b, const float* c, std::size_t k, float* out) {
  dots_body(a, b, c, k, out);
}
MFREC_TARGET_AVX2 void dots_avx2(const float* a, const float* b, const float* c, std::size_t k, float* out) {
  dots_body(a, b, c, k, out);
}

}  // namespace

MFREC_TEST(simd_lane_reductions_sum_in_the_documented_order) {
  for (std::size_t k : {1u, 7u, 8u, 12u, 16u, 31u, 64u, 100u}) {
    const std::vector<float> a = random_floats(k, 1), b = random_floats(k, 2);
    CHECK(same_bits(lane_dot(a.data(), b.data(), k), adjacent_pairs_reference(a.data(), b.data(), k)));
    if (k >= 16)
      CHECK(same_bits(lane_dot<16>(a.data(), b.data(), 0), adjacent_pairs_reference(a.data(), b.data(), 16)));
    CHECK(same_bits(halves_dot(a.data(), b.data(), k), halves_reference(a.data(), b.data(), k)));
  }
}

MFREC_TEST(simd_plain_and_avx2_copies_give_the_same_bits) {
  const DotsFn picked = pick_cpu_copy<DotsFn>(&dots_plain, &dots_avx2);
  CHECK(picked == (cpu_has_avx2() ? &dots_avx2 : &dots_plain));
  if (!cpu_has_avx2()) return;  // the AVX2 copy cannot run here
  for (std::size_t k : {3u, 8u, 13u, 32u, 64u, 128u, 257u}) {
    const std::vector<float> a = random_floats(k, 4), b = random_floats(k, 5), c = random_floats(k, 6);
    float plain[3], avx2[3];
    dots_plain(a.data(), b.data(), c.data(), k, plain);
    dots_avx2(a.data(), b.data(), c.data(), k, avx2);
    for (int i = 0; i < 3; ++i) CHECK(same_bits(plain[i], avx2[i]));
  }
}

// MFREC_SIMD caps the copy every kernel picks (CMakeLists.txt runs these
// tests under "avx2" and "plain" too): the picked copy never exceeds the cap.
MFREC_TEST(simd_mfrec_simd_caps_the_copy_picked) {
  const char* cap = std::getenv("MFREC_SIMD");
  const char* name = simd_copy_name();
  const bool plain_cap = cap != nullptr && std::strcmp(cap, "plain") == 0;
  const bool avx2_cap = cap != nullptr && std::strcmp(cap, "avx2") == 0;
  if (plain_cap) CHECK(std::strcmp(name, "plain") == 0 && !cpu_has_avx2() && !cpu_has_avx512());
  if (avx2_cap) CHECK(std::strcmp(name, "avx512") != 0 && !cpu_has_avx512());
  if (!plain_cap && !avx2_cap)
    CHECK(std::strcmp(name, cpu_has_avx512() ? "avx512" : cpu_has_avx2() ? "avx2" : "plain") == 0);
}
