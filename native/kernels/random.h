// The seeded random generator shared by every kernel, bit-identical to
// lib/random.ts so the TypeScript twins can replay the same sequence.
//
// A Weyl sequence (state += golden-ratio constant) passed through the
// MurmurHash3 32-bit finalizer: 32-bit state, fast, and good enough for
// shuffling and negative sampling. Each thread derives its own stream with
// Rng::stream(seed, index).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mfrec {

class Rng {
 public:
  explicit Rng(uint32_t seed) : state_(seed) {}

  // An independent stream for (seed, index): thread t, epoch e, ...
  static Rng stream(uint32_t seed, uint32_t index) {
    Rng r(seed ^ (index * 0x632BE5ABu));
    r.next();
    return r;
  }

  uint32_t next() {
    state_ += 0x9E3779B9u;
    uint32_t z = state_;
    z = (z ^ (z >> 16)) * 0x85EBCA6Bu;
    z = (z ^ (z >> 13)) * 0xC2B2AE35u;
    return z ^ (z >> 16);
  }

  // A copy of this generator `draws` draws further on: the state is a counter,
  // so skipping costs one addition (used to look ahead for prefetching).
  Rng skipped(uint32_t draws) const {
    Rng r(*this);
    r.state_ += draws * 0x9E3779B9u;
    return r;
  }

  // Uniform in [0, 1) with 24 random bits (exactly representable in float).
  float uniform() { return static_cast<float>(next() >> 8) * (1.0f / 16777216.0f); }

  // Uniform integer in [0, n), n < 2^32 (multiply-shift; same result as the TS twin).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>((static_cast<uint64_t>(next()) * n) >> 32); }

  // Standard normal from two uniforms (Box-Muller), in double then rounded.
  float normal();

 private:
  uint32_t state_;
};

// Fisher-Yates shuffle in place, from the last element down (Rng.shuffle in
// lib/random.ts draws the same numbers).
template <typename T>
void shuffle(std::vector<T>& a, Rng& rng) {
  for (std::size_t i = a.size(); i > 1; --i) {
    std::size_t j = rng.below(static_cast<uint32_t>(i));
    std::swap(a[i - 1], a[j]);
  }
}

}  // namespace mfrec
