// kernels/finite.h: every kind of non-finite value is found wherever it
// lies (first, last, across the block boundary), and no finite value
// (zeros of both signs, subnormals, the largest float) is taken for one.
#include <cfloat>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "check.h"
#include "kernels/finite.h"

using namespace mfrec;

namespace {

float from_bits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace

MFREC_TEST(all_finite_accepts_every_kind_of_finite_value) {
  CHECK(all_finite(nullptr, 0));
  const std::vector<float> finite = {
      0.0f, -0.0f, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX, from_bits(1u), from_bits(0x807fffffu), 1.5f};
  CHECK(all_finite(finite.data(), finite.size()));
}

MFREC_TEST(all_finite_finds_nan_and_the_infinities_at_any_position) {
  const float bad[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::signaling_NaN(),
                       std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                       from_bits(0xffc00001u)};
  for (std::size_t n : {1u, 15u, 16u, 17u, 4095u, 4096u, 4097u, 9000u}) {
    std::vector<float> v(n, 0.25f);
    CHECK(all_finite(v.data(), n));
    for (std::size_t at : {std::size_t{0}, n / 2, n - 1, std::size_t{4095}, std::size_t{4096}}) {
      if (at >= n) continue;
      for (float b : bad) {
        v[at] = b;
        CHECK(!all_finite(v.data(), n));
        v[at] = 0.25f;
      }
    }
  }
}
