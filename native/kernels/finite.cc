#include "kernels/finite.h"

#include <cstdint>
#include <cstring>

namespace mfrec {

namespace {

// NaN and the infinities are the floats whose exponent bits are all ones.
constexpr uint32_t kExponentBits = 0x7f800000u;
// Values per block: the inner loop has no branch (so it vectorizes) and a
// diverged model still stops at the first bad block.
constexpr std::size_t kBlock = 4096;

bool block_finite(const float* a, std::size_t n) {
  uint32_t bad = 0;
  for (std::size_t j = 0; j < n; ++j) {
    uint32_t bits;
    std::memcpy(&bits, a + j, sizeof bits);
    bad |= static_cast<uint32_t>((bits & kExponentBits) == kExponentBits);
  }
  return bad == 0;
}

}  // namespace

bool all_finite(const float* a, std::size_t n) {
  for (std::size_t at = 0; at < n; at += kBlock) {
    const std::size_t len = n - at < kBlock ? n - at : kBlock;
    if (!block_finite(a + at, len)) return false;
  }
  return true;
}

}  // namespace mfrec
