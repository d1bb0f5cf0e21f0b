// Reads structured values out of a fuzzer's byte string. Past the end every
// read returns 0, so any input (even empty) decodes to something.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace mfrec_fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  bool flag() { return (u8() & 1) != 0; }
  // A value in [0, n) (n > 0), from one byte: sizes stay small so that one
  // input runs in microseconds.
  std::size_t below(std::size_t n) { return u8() % n; }
  int32_t i32() {
    uint32_t v = 0;
    for (int b = 0; b < 4; ++b) v |= static_cast<uint32_t>(u8()) << (8 * b);
    int32_t out;
    std::memcpy(&out, &v, sizeof out);
    return out;
  }
  // Any float bit pattern (NaN, infinities, denormals) when `raw`, else a
  // small finite value.
  float f32(bool raw) {
    if (!raw) return static_cast<float>(static_cast<int>(u8()) - 128) / 64.0f;
    uint32_t v = static_cast<uint32_t>(i32());
    float out;
    std::memcpy(&out, &v, sizeof out);
    return out;
  }
  std::vector<float> floats(std::size_t n, bool raw) {
    std::vector<float> v(n);
    for (auto& x : v) x = f32(raw);
    return v;
  }
  // Indices that are either arbitrary 32-bit values (raw) or in [0, bound]
  // (bound itself is one past the end: occasionally invalid on purpose).
  std::vector<int32_t> indices(std::size_t n, std::size_t bound, bool raw) {
    std::vector<int32_t> v(n);
    for (auto& x : v) x = raw ? i32() : static_cast<int32_t>(below(bound + 1));
    return v;
  }
  // Row pointers for `rows` rows: arbitrary when raw, else non-decreasing
  // from 0 with 0-3 entries per row.
  std::vector<int32_t> indptr(std::size_t rows, bool raw) {
    std::vector<int32_t> p(rows + 1, 0);
    for (std::size_t r = 0; r < rows; ++r) p[r + 1] = raw ? i32() : p[r] + static_cast<int32_t>(below(4));
    if (raw) p[0] = i32();
    return p;
  }

 private:
  const uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace mfrec_fuzz
