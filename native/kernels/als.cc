#include "kernels/als.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "kernels/blas.h"

// The row solvers are compiled three times, plain, for AVX2 and for AVX-512,
// and the copy is picked at run time (kernels/simd.h); all give the same bits.
#include "kernels/simd.h"

namespace mfrec {

namespace {

// Inner products of length `factors` are the hot loop: eight lanes in a fixed
// order (halves_dot, kernels/simd.h) keep results bit-reproducible.
MFREC_INLINE float dot_k(const float* a, const float* b, std::size_t k) { return halves_dot(a, b, k); }

// y += s * x
MFREC_INLINE void axpy_k(float s, const float* x, float* y, std::size_t k) {
  for (std::size_t j = 0; j < k; ++j) y[j] += s * x[j];
}

constexpr std::size_t kPrefetchAhead = 8;  // items whose rows are requested before they are read

// Asks for the cache lines of one factor row (k floats) without waiting.
MFREC_INLINE void prefetch_row(const float* row, std::size_t k) {
#if defined(__GNUC__) || defined(__clang__)
  for (std::size_t j = 0; j < k; j += 16) __builtin_prefetch(row + j, 0, 3);
  __builtin_prefetch(row + k - 1, 0, 3);  // the row need not start on a cache line
#else
  (void)row;
  (void)k;
#endif
}

// The CG solver reads the fixed side's rows as bfloat16: the upper 16 bits of
// each float32, rounded to nearest even (NaN stays NaN, so a diverged factor
// is still reported). Its first pass over a row's items loads them scattered
// from memory and is bound by the bytes in flight, not arithmetic: half the
// bytes, about half the wait. Y^T Y and the solved rows stay float32;
// lib/twins/als.ts rounds the same way (roundBf16).
MFREC_INLINE uint32_t bf16_bits_of(uint32_t b) {
  // Both results computed, one picked: a select the compiler vectorizes.
  const uint32_t quiet_nan = (b | 0x00400000u) & 0xffff0000u;
  const uint32_t rounded = (b + 0x7fffu + ((b >> 16) & 1u)) & 0xffff0000u;
  return (b & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded;
}
MFREC_INLINE uint32_t bf16_bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return bf16_bits_of(b);
}
MFREC_INLINE uint16_t to_bf16(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return static_cast<uint16_t>(bf16_bits_of(b) >> 16);
}
MFREC_INLINE float from_bf16(uint16_t h) {
  const uint32_t b = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

#if MFREC_HAS_LANES8
// The lanes the CG solver computes in, as vector traits V: V::L floats
// (8 or 16) as one value F, its loads and stores, its sum (V::sum, the fold
// of halves_dot), the eight lanes that fold starts from (V::halves), and F
// made from L bf16 words (V::bf16) or rounded from L floats (V::rounded).
// Vec<8> and Vec<16> are one vector each; Split16 holds sixteen lanes as two
// Vec<8> halves, for the copies without AVX-512: GCC moved a 64-byte vector
// of those copies through general registers 8 bytes at a time, and the AVX2
// copy's CG ran 6x slower than the AVX-512 one (slower than the plain one).
// All three compute the same lanes, so all give the same bits.
template <std::size_t N, typename Floats>
struct OneVector {
  static constexpr std::size_t L = N;
  using F = Floats;
  typedef uint32_t W __attribute__((vector_size(4 * N)));
  static MFREC_INLINE F load(const float* p) {
    F v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static MFREC_INLINE void store(float* p, const F& v) { std::memcpy(p, &v, sizeof v); }
  // The bf16 factors in the low (high: the high) halves of L words.
  static MFREC_INLINE F bf16(const uint32_t* words, bool high) {
    W w;
    std::memcpy(&w, words, sizeof w);
    return (F)(high ? w & 0xffff0000u : w << 16);
  }
  // L floats rounded to bf16 (to nearest, ties to even; NaN kept quiet) as to_bf16 does.
  static MFREC_INLINE F rounded(const float* p) {
    W b;
    std::memcpy(&b, p, sizeof b);
    const W nan = reinterpret_cast<W>((b & 0x7fffffffu) > 0x7f800000u);
    const W quiet = (b | 0x00400000u) & 0xffff0000u;
    const W round = (b + 0x7fffu + ((b >> 16) & 1u)) & 0xffff0000u;
    return (F)((quiet & nan) | (round & ~nan));
  }
};
template <std::size_t L>
struct Vec;
template <>
struct Vec<8> : OneVector<8, Lanes8> {
  static MFREC_INLINE float sum(const F& a) { return sum_halves(a); }
  static MFREC_INLINE Lanes8 halves(const F& a) { return a; }
};
template <>
struct Vec<16> : OneVector<16, Lanes16> {
  // Lanes l and l + 8 first, then the eight as halves_dot folds them.
  static MFREC_INLINE float sum(const F& a) { return sum_halves(low8(a) + high8(a)); }
  static MFREC_INLINE Lanes8 halves(const F& a) { return low8(a) + high8(a); }
};

// Sixteen lanes as lanes 0-7 and 8-15, each op applied to both halves.
struct Lanes8Pair {
  Lanes8 lo, hi;
};
MFREC_INLINE Lanes8Pair operator+(const Lanes8Pair& a, const Lanes8Pair& b) { return {a.lo + b.lo, a.hi + b.hi}; }
MFREC_INLINE Lanes8Pair operator*(const Lanes8Pair& a, const Lanes8Pair& b) { return {a.lo * b.lo, a.hi * b.hi}; }
MFREC_INLINE Lanes8Pair operator*(float c, const Lanes8Pair& a) { return {c * a.lo, c * a.hi}; }
MFREC_INLINE Lanes8Pair& operator+=(Lanes8Pair& a, const Lanes8Pair& b) { return a = a + b; }
struct Split16 {
  static constexpr std::size_t L = 16;
  using F = Lanes8Pair;
  static MFREC_INLINE F load(const float* p) { return {load8(p), load8(p + 8)}; }
  static MFREC_INLINE void store(float* p, const F& v) { store8(p, v.lo), store8(p + 8, v.hi); }
  static MFREC_INLINE float sum(const F& a) { return sum_halves(a.lo + a.hi); }
  static MFREC_INLINE Lanes8 halves(const F& a) { return a.lo + a.hi; }
  static MFREC_INLINE F bf16(const uint32_t* words, bool high) {
    return {Vec<8>::bf16(words, high), Vec<8>::bf16(words + 8, high)};
  }
  static MFREC_INLINE F rounded(const float* p) { return {Vec<8>::rounded(p), Vec<8>::rounded(p + 8)}; }
};
// The compiled copy of the row solves a template belongs to (solve_rows_*
// below, picked by simd.h's pick_cpu_copy).
enum class Copy { plain, avx2, avx512 };
constexpr bool wide(Copy c) { return c == Copy::avx512; }
// The sixteen-lane traits of a copy: two halves in the AVX2 copy (see above);
// one value elsewhere, a register with AVX-512 and, in the plain copy, what
// measured faster than two halves there (SSE2: k = 32 took 0.5x the time).
template <Copy C>
using Vec16For = typename std::conditional<C == Copy::avx2, Split16, Vec<16>>::type;
// Four dot products' lanes folded at once, each in the order of sum_halves
// (((0+4)+(1+5))+((2+6)+(3+7)), after lanes l and l + 8 for 16 lanes): the
// same sums, with shuffles across the four instead of one scalar chain each.
MFREC_INLINE void sum_halves4(const Lanes8& s0, const Lanes8& s1, const Lanes8& s2, const Lanes8& s3, float* out) {
  // t_q = lanes (0+4, 1+5, 2+6, 3+7) of s_q, two rows to a vector.
  const Lanes8 t01 = __builtin_shufflevector(s0, s1, 0, 1, 2, 3, 8, 9, 10, 11) +
                     __builtin_shufflevector(s0, s1, 4, 5, 6, 7, 12, 13, 14, 15);
  const Lanes8 t23 = __builtin_shufflevector(s2, s3, 0, 1, 2, 3, 8, 9, 10, 11) +
                     __builtin_shufflevector(s2, s3, 4, 5, 6, 7, 12, 13, 14, 15);
  // (t_q0 + t_q1, t_q2 + t_q3) for each q.
  const Lanes8 pairs = __builtin_shufflevector(t01, t23, 0, 2, 4, 6, 8, 10, 12, 14) +
                       __builtin_shufflevector(t01, t23, 1, 3, 5, 7, 9, 11, 13, 15);
  const Lanes8 sums = __builtin_shufflevector(pairs, pairs, 0, 2, 4, 6, 0, 2, 4, 6) +
                      __builtin_shufflevector(pairs, pairs, 1, 3, 5, 7, 1, 3, 5, 7);
  for (int q = 0; q < 4; ++q) out[q] = sums[q];
}
#endif

// The lanes of the CG solver's products with the fixed side's rows: 16 when
// k allows (one AVX-512 instruction, two AVX2 ones), else 8, else none (one
// factor at a time). Every CPU copy sums in these lanes, so all give the
// same bits.
constexpr std::size_t gather_lanes(std::size_t k) { return k % 16 == 0 ? 16 : k % 8 == 0 ? 8 : 0; }

// The fixed side's rows as the CG solver reads them, from one of two stores
// that give the same values to the bit: a bf16 copy (Bf16Rows, made once per
// call when the rows to solve read Y at least once over) or Y itself rounded
// as it is read (RoundedRows, for the fold-in of a few rows, where copying
// all of Y would cost more than the solves).
//
// The copy packs each group of 2L factors (L = the gather lanes, or 8) into L
// 32-bit words, factor g + l in the low half of word l and factor g + L + l
// in its high half, so that L factors become L floats with one shift or one
// mask of a load. Rows start on a 64-byte line: two lines a row at 64
// factors, against four or five for a float32 row.
struct Bf16Copy {
  std::size_t k = 0, lanes = 0, stride = 0;  // factors, L, 32-bit words per row
  std::unique_ptr<uint32_t[]> words;         // over-allocated by one line, for alignment
  uint32_t* base = nullptr;

  Bf16Copy(const float* y, std::size_t rows, std::size_t factors, int threads) : k(factors) {
    lanes = std::max<std::size_t>(8, gather_lanes(k));
    stride = (k + 2 * lanes - 1) / (2 * lanes) * lanes;
    words.reset(new uint32_t[rows * stride + 16]);
    const auto address = reinterpret_cast<std::uintptr_t>(words.get());
    base = words.get() + ((64 - address % 64) % 64) / sizeof(uint32_t);
    // Every word of every row is written (factors past k as 0), word by
    // word, so that the loop vectorizes.
    parallel_for(threads, rows, 4096, [&](std::size_t begin, std::size_t end, int) {
      for (std::size_t i = begin; i < end; ++i) {
        const float* yi = y + i * k;
        uint32_t* row = base + i * stride;
        for (std::size_t g = 0; g < k; g += 2 * lanes) {
          if (g + 2 * lanes <= k) {
            for (std::size_t l = 0; l < lanes; ++l)
              row[g / 2 + l] = bf16_bits_of(yi[g + l]) >> 16 | bf16_bits_of(yi[g + lanes + l]);
          } else {
            for (std::size_t l = 0; l < lanes; ++l)
              row[g / 2 + l] = (g + l < k ? bf16_bits_of(yi[g + l]) >> 16 : 0u) |
                               (g + lanes + l < k ? bf16_bits_of(yi[g + lanes + l]) : 0u);
          }
        }
      }
    });
  }
};

struct Bf16Rows {
  const uint32_t* base;
  std::size_t stride, lanes, k;
  MFREC_INLINE const uint32_t* row(int32_t i) const { return base + static_cast<std::size_t>(i) * stride; }
  MFREC_INLINE float at(const uint32_t* r, std::size_t j) const {
    const uint32_t w = r[j / (2 * lanes) * lanes + j % lanes];
    return from_bf16(static_cast<uint16_t>((j / lanes) % 2 ? w >> 16 : w));
  }
  MFREC_INLINE void prefetch(int32_t i) const {
#if defined(__GNUC__) || defined(__clang__)
    const uint32_t* r = row(i);
    for (std::size_t j = 0; j < stride; j += 16) __builtin_prefetch(r + j, 0, 3);
#else
    (void)i;
#endif
  }
#if MFREC_HAS_LANES8
  // Factors [j, j + L) for j a multiple of L (L == V::L == lanes).
  template <typename V>
  MFREC_INLINE typename V::F load(const uint32_t* r, std::size_t j) const {
    return V::bf16(r + j / (2 * V::L) * V::L, (j / V::L) % 2 != 0);
  }
#endif
};

struct RoundedRows {
  const float* base;
  std::size_t k;
  MFREC_INLINE const float* row(int32_t i) const { return base + static_cast<std::size_t>(i) * k; }
  MFREC_INLINE float at(const float* r, std::size_t j) const { return from_bf16(to_bf16(r[j])); }
  MFREC_INLINE void prefetch(int32_t i) const { prefetch_row(row(i), k); }
#if MFREC_HAS_LANES8
  template <typename V>
  MFREC_INLINE typename V::F load(const float* r, std::size_t j) const {
    return V::rounded(r + j);
  }
#endif
};

// A row's item rows as float32, gathered by the first pass into one
// contiguous panel (n x k): the later passes read it in order, with no index,
// no scattered line and no conversion.
struct PanelRows {
  const float* base;
  std::size_t k;
  MFREC_INLINE const float* row(int32_t e) const { return base + static_cast<std::size_t>(e) * k; }
  MFREC_INLINE float at(const float* r, std::size_t j) const { return r[j]; }
  MFREC_INLINE void prefetch(int32_t) const {}
#if MFREC_HAS_LANES8
  template <typename V>
  MFREC_INLINE typename V::F load(const float* r, std::size_t j) const {
    return V::load(r + j);
  }
#endif
};

// Adds coef(e, y_e · v) · y_e to out for every item e of a row (y_e is row
// items[e] of the fixed side), with L lanes (gather_lanes). Four items at a
// time: their dot products are four independent dependency chains that the
// CPU overlaps (one dot waits on its own additions), and out is loaded and
// stored once per four items. Each dot product sums in L lanes folded by
// V::sum, and out[j] receives the terms in item order. The first pass
// over a row's items (kFirstPass) fetches them from memory, asking for rows
// a few items ahead, and writes them to `panel` (row e at e * k) for the
// later passes, unless panel is null.
template <typename V, bool kFirstPass, typename Rows, typename Coef>
MFREC_INLINE void add_scaled_rows_lanes(const Rows& rows, const int32_t* items, std::size_t n, const float* v,
                                        float* out, std::size_t k, Coef coef, float* panel) {
#if MFREC_HAS_LANES8
  using F = typename V::F;
  constexpr std::size_t L = V::L;
  std::size_t e = 0;
  if (kFirstPass)
    for (std::size_t f = 0; f < std::min(n, kPrefetchAhead); ++f) rows.prefetch(items[f]);
  for (; e + 4 <= n; e += 4) {
    if (kFirstPass)
      for (std::size_t f = e + kPrefetchAhead; f < std::min(n, e + kPrefetchAhead + 4); ++f) rows.prefetch(items[f]);
    const auto* y0 = rows.row(items[e]);
    const auto* y1 = rows.row(items[e + 1]);
    const auto* y2 = rows.row(items[e + 2]);
    const auto* y3 = rows.row(items[e + 3]);
    F a0 = {}, a1 = {}, a2 = {}, a3 = {};
    for (std::size_t j = 0; j < k; j += L) {
      const F vj = V::load(v + j);
      a0 += rows.template load<V>(y0, j) * vj;
      a1 += rows.template load<V>(y1, j) * vj;
      a2 += rows.template load<V>(y2, j) * vj;
      a3 += rows.template load<V>(y3, j) * vj;
    }
    float dots[4];
    sum_halves4(V::halves(a0), V::halves(a1), V::halves(a2), V::halves(a3), dots);
    const float c0 = coef(e, dots[0]), c1 = coef(e + 1, dots[1]);
    const float c2 = coef(e + 2, dots[2]), c3 = coef(e + 3, dots[3]);
    for (std::size_t j = 0; j < k; j += L) {
      const F r0 = rows.template load<V>(y0, j), r1 = rows.template load<V>(y1, j);
      const F r2 = rows.template load<V>(y2, j), r3 = rows.template load<V>(y3, j);
      F t = V::load(out + j);
      t += c0 * r0;
      t += c1 * r1;
      t += c2 * r2;
      t += c3 * r3;
      V::store(out + j, t);
      if (kFirstPass && panel) {
        float* at = panel + e * k + j;
        V::store(at, r0);
        V::store(at + k, r1);
        V::store(at + 2 * k, r2);
        V::store(at + 3 * k, r3);
      }
    }
  }
  for (; e < n; ++e) {
    if (kFirstPass && e + kPrefetchAhead < n) rows.prefetch(items[e + kPrefetchAhead]);
    const auto* y0 = rows.row(items[e]);
    F a0 = {};
    for (std::size_t j = 0; j < k; j += L) a0 += rows.template load<V>(y0, j) * V::load(v + j);
    const float c0 = coef(e, V::sum(a0));
    for (std::size_t j = 0; j < k; j += L) {
      const F r0 = rows.template load<V>(y0, j);
      V::store(out + j, V::load(out + j) + c0 * r0);
      if (kFirstPass && panel) V::store(panel + e * k + j, r0);
    }
  }
#else
  (void)rows, (void)items, (void)n, (void)v, (void)out, (void)k, (void)coef, (void)panel;
#endif
}

#if MFREC_HAS_LANES8
// add_scaled_rows_lanes for k == L * kVecs with out and v held in registers
// across the whole row (the AVX-512 copy has 32 vector registers), software
// pipelined: the lanes of the next four items' dot products are computed
// before the current four are added to out. Each group's coefficients wait
// on a long chain (dot lanes, their fold, coef, broadcast); written in this
// order the CPU works on the next group's products meanwhile instead of
// filling its scheduler with additions that wait. Out is loaded and stored
// once per pass. Same sums in the same order as add_scaled_rows_lanes: the
// same bits.
template <typename V, std::size_t kVecs, bool kFirstPass, typename Rows, typename Coef>
MFREC_INLINE void add_scaled_rows_held(const Rows& rows, const int32_t* items, std::size_t n, const float* v,
                                       float* out, Coef coef, float* panel) {
  using F = typename V::F;
  constexpr std::size_t L = V::L;
  constexpr std::size_t k = L * kVecs;
  F vr[kVecs], acc[kVecs];
  for (std::size_t q = 0; q < kVecs; ++q) vr[q] = V::load(v + L * q), acc[q] = V::load(out + L * q);
  if (kFirstPass)
    for (std::size_t f = 0; f < std::min(n, kPrefetchAhead); ++f) rows.prefetch(items[f]);
  // The dot product lanes of items e .. e + 3 with v.
  const auto lanes4 = [&](std::size_t e, F& a0, F& a1, F& a2, F& a3) {
    if (kFirstPass)
      for (std::size_t f = e + kPrefetchAhead; f < std::min(n, e + kPrefetchAhead + 4); ++f) rows.prefetch(items[f]);
    const auto* y0 = rows.row(items[e]);
    const auto* y1 = rows.row(items[e + 1]);
    const auto* y2 = rows.row(items[e + 2]);
    const auto* y3 = rows.row(items[e + 3]);
    a0 = F{}, a1 = F{}, a2 = F{}, a3 = F{};
    for (std::size_t q = 0; q < kVecs; ++q) {
      a0 += rows.template load<V>(y0, L * q) * vr[q];
      a1 += rows.template load<V>(y1, L * q) * vr[q];
      a2 += rows.template load<V>(y2, L * q) * vr[q];
      a3 += rows.template load<V>(y3, L * q) * vr[q];
    }
  };
  const std::size_t groups = n / 4;
  F a0, a1, a2, a3;
  if (groups > 0) lanes4(0, a0, a1, a2, a3);
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t e = 4 * g;
    float dots[4];
    sum_halves4(V::halves(a0), V::halves(a1), V::halves(a2), V::halves(a3), dots);
    if (g + 1 < groups) lanes4(e + 4, a0, a1, a2, a3);
    const float c0 = coef(e, dots[0]), c1 = coef(e + 1, dots[1]);
    const float c2 = coef(e + 2, dots[2]), c3 = coef(e + 3, dots[3]);
    const auto* y0 = rows.row(items[e]);
    const auto* y1 = rows.row(items[e + 1]);
    const auto* y2 = rows.row(items[e + 2]);
    const auto* y3 = rows.row(items[e + 3]);
    for (std::size_t q = 0; q < kVecs; ++q) {
      const F r0 = rows.template load<V>(y0, L * q), r1 = rows.template load<V>(y1, L * q);
      const F r2 = rows.template load<V>(y2, L * q), r3 = rows.template load<V>(y3, L * q);
      acc[q] += c0 * r0;
      acc[q] += c1 * r1;
      acc[q] += c2 * r2;
      acc[q] += c3 * r3;
      if (kFirstPass && panel) {
        float* at = panel + e * k + L * q;
        V::store(at, r0);
        V::store(at + k, r1);
        V::store(at + 2 * k, r2);
        V::store(at + 3 * k, r3);
      }
    }
  }
  for (std::size_t e = 4 * groups; e < n; ++e) {
    if (kFirstPass && e + kPrefetchAhead < n) rows.prefetch(items[e + kPrefetchAhead]);
    const auto* y0 = rows.row(items[e]);
    F r0[kVecs];
    F d = {};
    for (std::size_t q = 0; q < kVecs; ++q) r0[q] = rows.template load<V>(y0, L * q), d += r0[q] * vr[q];
    const float c0 = coef(e, V::sum(d));
    for (std::size_t q = 0; q < kVecs; ++q) {
      acc[q] += c0 * r0[q];
      if (kFirstPass && panel) V::store(panel + e * k + L * q, r0[q]);
    }
  }
  for (std::size_t q = 0; q < kVecs; ++q) V::store(out + L * q, acc[q]);
}
#endif

// The same one factor at a time, where k is not a multiple of 8: each dot
// product sums as halves_dot does.
template <bool kFirstPass, typename Rows, typename Coef>
MFREC_INLINE void add_scaled_rows_scalar(const Rows& rows, const int32_t* items, std::size_t n, const float* v,
                                         float* out, std::size_t k, Coef coef, float* panel) {
  for (std::size_t e = 0; e < n; ++e) {
    if (kFirstPass && e + kPrefetchAhead < n) rows.prefetch(items[e + kPrefetchAhead]);
    const auto* yi = rows.row(items[e]);
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::size_t j = 0;
    for (; j + 8 <= k; j += 8)
      for (std::size_t l = 0; l < 8; ++l) acc[l] += rows.at(yi, j + l) * v[j + l];
    float dot = sum_halves(acc);
    for (; j < k; ++j) dot += rows.at(yi, j) * v[j];
    const float c = coef(e, dot);
    for (j = 0; j < k; ++j) out[j] += c * rows.at(yi, j);
    if (kFirstPass && panel)
      for (j = 0; j < k; ++j) panel[e * k + j] = rows.at(yi, j);
  }
}

template <bool kFirstPass, Copy C = Copy::plain, typename Rows, typename Coef>
MFREC_INLINE void add_scaled_rows(const Rows& rows, const int32_t* items, std::size_t n, const float* v, float* out,
                                  std::size_t k, Coef coef, float* panel = nullptr) {
#if MFREC_HAS_LANES8
  if (wide(C) && k == 64) return add_scaled_rows_held<Vec<16>, 4, kFirstPass>(rows, items, n, v, out, coef, panel);
  if (wide(C) && k == 32) return add_scaled_rows_held<Vec<16>, 2, kFirstPass>(rows, items, n, v, out, coef, panel);
  if (wide(C) && k == 128) return add_scaled_rows_held<Vec<16>, 8, kFirstPass>(rows, items, n, v, out, coef, panel);
  if (gather_lanes(k) == 16)
    return add_scaled_rows_lanes<Vec16For<C>, kFirstPass>(rows, items, n, v, out, k, coef, panel);
  if (gather_lanes(k) == 8) return add_scaled_rows_lanes<Vec<8>, kFirstPass>(rows, items, n, v, out, k, coef, panel);
#endif
  add_scaled_rows_scalar<kFirstPass>(rows, items, n, v, out, k, coef, panel);
}

#if MFREC_HAS_LANES8
// out[c0, c0 + L * kVecs) of G v, held in registers across all k rows of G.
template <std::size_t L, std::size_t kVecs>
MFREC_INLINE void symv_columns(const float* g, const float* v, float* out, std::size_t k, std::size_t c0) {
  using V = Vec<L>;
  typename V::F acc[kVecs] = {};
  for (std::size_t b = 0; b < k; ++b) {
    const float vb = v[b];
    const float* gb = g + b * k + c0;
    for (std::size_t l = 0; l < kVecs; ++l) acc[l] += vb * V::load(gb + L * l);
  }
  for (std::size_t l = 0; l < kVecs; ++l) V::store(out + c0 + L * l, acc[l]);
}
#endif

// out = G v for the symmetric k x k matrix G, written as a sum of scaled rows
// so that the inner loop is a contiguous axpy rather than a reduction. With
// k a multiple of 8, 64 columns of out at a time stay in registers over the
// rows of G (the CG step's other half, with the item rows): out is not
// loaded and stored once per row of G. Each out[j] still sums its k terms in
// row order from 0, so the bits are those of the axpy loop whatever the
// vector width. Sixteen lanes as one value, so not in the AVX2 copy (see
// Split16).
template <Copy C = Copy::plain>
MFREC_INLINE void symv_k(const float* g, const float* v, float* out, std::size_t k) {
#if MFREC_HAS_LANES8
  if (C != Copy::avx2 && k % 16 == 0) {
    std::size_t c0 = 0;
    for (; c0 + 64 <= k; c0 += 64) symv_columns<16, 4>(g, v, out, k, c0);
    for (; c0 < k; c0 += 16) symv_columns<16, 1>(g, v, out, k, c0);
    return;
  }
  if (k % 8 == 0) {
    std::size_t c0 = 0;
    for (; c0 + 64 <= k; c0 += 64) symv_columns<8, 8>(g, v, out, k, c0);
    for (; c0 < k; c0 += 8) symv_columns<8, 1>(g, v, out, k, c0);
    return;
  }
#endif
  std::fill(out, out + k, 0.0f);
  for (std::size_t b = 0; b < k; ++b) axpy_k(v[b], g + b * k, out, k);
}

// Rows per chunk handed out by parallel_for: about 32 chunks per thread, so
// that long and short rows even out, and a cancellation check every chunk.
std::size_t grain_for(std::size_t rows, int threads) {
  std::size_t g = rows / (static_cast<std::size_t>(threads) * 32);
  return std::max<std::size_t>(1, std::min<std::size_t>(g, 256));
}

std::size_t max_row_length(const CsrView& m) {
  std::size_t best = 0;
  for (std::size_t r = 0; r < m.rows; ++r)
    best = std::max<std::size_t>(best, static_cast<std::size_t>(m.indptr[r + 1] - m.indptr[r]));
  return best;
}

// Per-thread working memory, allocated once per half-sweep.
struct Scratch {
  std::vector<float> weight;  // c - 1 for each entry of the row
  std::vector<float> target;  // c * p for each entry of the row
  std::vector<float> r, p, ap;
  std::vector<float> a;        // k x k system (Cholesky)
  std::vector<float> panel;    // gathered item rows: all of them (CG), or scaled, in panels (Cholesky)
  std::vector<int32_t> order;  // 0, 1, 2, ... (CG: the panel's rows in order)
  std::size_t panel_rows = 0;  // CG: the longest row the panel holds
};

constexpr std::size_t kPanelRows = 128;  // Cholesky: item rows gathered into one panel (32 KB at 64 factors)
// CG: the bytes of a thread's panel, which holds a whole row's item rows
// (32,768 rows at 64 factors); longer rows go without.
constexpr std::size_t kCgPanelBytes = std::size_t{8} << 20;

// Fills s.weight / s.target for entries [begin, end) of m.
MFREC_INLINE void row_weights(const CsrView& m, std::size_t begin, std::size_t end, const AlsOptions& o, Scratch& s) {
  for (std::size_t e = begin; e < end; ++e) {
    float v = m.values[e];
    float c = als_confidence(o, v);
    s.weight[e - begin] = c - 1.0f;
    s.target[e - begin] = c * als_preference(v);
  }
}

// A few conjugate-gradient steps on row x, warm-started from its current value.
template <Copy C, typename Rows>
MFREC_INLINE void solve_row_cg(const CsrView& m, std::size_t row, const Rows& y, const float* gram_yy, float* x,
                               const AlsOptions& o, Scratch& s) {
  const std::size_t k = o.factors;
  const std::size_t begin = static_cast<std::size_t>(m.indptr[row]);
  const std::size_t end = static_cast<std::size_t>(m.indptr[row + 1]);
  const std::size_t n = end - begin;
  const int32_t* items = m.indices + begin;
  row_weights(m, begin, end, o, s);
  const float lambda = als_row_lambda(o, n);
  float* r = s.r.data();
  float* p = s.p.data();
  float* ap = s.ap.data();

  // r = b - A x, with b = sum c p y and A x = YtY x + lambda x + sum (c - 1)(y.x) y
  symv_k<C>(gram_yy, x, r, k);
  for (std::size_t j = 0; j < k; ++j) r[j] = -r[j] - lambda * x[j];
  // The panel holds rows of up to s.panel_rows items; a longer row's CG steps
  // read its items from y again (the same values).
  float* panel = n <= s.panel_rows ? s.panel.data() : nullptr;
  add_scaled_rows<true, C>(
      y, items, n, x, r, k, [&](std::size_t e, float yx) { return s.target[e] - s.weight[e] * yx; }, panel);
  const PanelRows gathered{s.panel.data(), k};
  const int32_t* order = s.order.data();  // 0, 1, 2, ...: row e of the panel
  std::copy(r, r + k, p);
  float rs_old = dot_k(r, r, k);
  if (!(rs_old > 1e-20f)) return;  // already solved (or NaN, which the caller detects)

  for (int step = 0; step < o.cg_steps; ++step) {
    symv_k<C>(gram_yy, p, ap, k);
    axpy_k(lambda, p, ap, k);
    const auto coef = [&](std::size_t e, float yp) { return s.weight[e] * yp; };
    if (panel)
      add_scaled_rows<false, C>(gathered, order, n, p, ap, k, coef);
    else
      add_scaled_rows<false, C>(y, items, n, p, ap, k, coef);
    float step_size = rs_old / dot_k(p, ap, k);
    axpy_k(step_size, p, x, k);
    axpy_k(-step_size, ap, r, k);
    float rs_new = dot_k(r, r, k);
    if (!(rs_new > 1e-20f)) break;
    float beta = rs_new / rs_old;
    for (std::size_t j = 0; j < k; ++j) p[j] = r[j] + beta * p[j];
    rs_old = rs_new;
  }
}

#if MFREC_HAS_LANES8
// Adds P^T P to the tiles of a that start at or right of the diagonal, each
// tile 8 rows x W columns (W = the lanes of one register), held in eight
// registers while the panel's rows stream past. A tile starts at the
// multiple of W at or left of the diagonal, so it also fills entries below
// the diagonal, which are never read. Each entry sums its panel rows in
// order from zero and is then added to a, whatever W.
template <typename Lanes, std::size_t W, Lanes (*Load)(const float*), void (*Store)(float*, const Lanes&)>
MFREC_INLINE void add_panel_gram_tiles(const float* panel, std::size_t n, std::size_t k, float* a) {
  for (std::size_t r0 = 0; r0 < k; r0 += 8) {
    for (std::size_t c0 = r0 / W * W; c0 < k; c0 += W) {
      Lanes acc[8] = {};
      for (std::size_t e = 0; e < n; ++e) {
        const float* pe = panel + e * k;
        const Lanes v = Load(pe + c0);
        for (std::size_t i = 0; i < 8; ++i) acc[i] += pe[r0 + i] * v;
      }
      for (std::size_t i = 0; i < 8; ++i) {
        float* dst = a + (r0 + i) * k + c0;
        Store(dst, Load(dst) + acc[i]);
      }
    }
  }
}
#endif

// Adds P^T P to the upper triangle of the k x k matrix a, for the n x k
// panel P (row-major): the rank-n update of a row's system as level-3 work.
// Tiles of 8 x 8 entries of a stay in eight registers while the panel's rows
// stream past: each panel row costs one load of 8 columns and 8 broadcasts
// for 64 multiply-adds, instead of one pass over a per item. A diagonal tile
// also fills entries below the diagonal, which the factorization never reads.
// The summation order is fixed (panel rows in order), so both copies and any
// BLAS build give the same bits.
template <bool kWide>
MFREC_INLINE void add_panel_gram_upper(const float* panel, std::size_t n, std::size_t k, float* a) {
#if MFREC_HAS_LANES8
  // In the AVX-512 copy, tiles of 8 x 16 entries (eight 16-lane registers):
  // half the instructions per multiply-add, the same bits.
  if (kWide && k % 16 == 0) return add_panel_gram_tiles<Lanes16, 16, load16, store16>(panel, n, k, a);
  if (k % 8 == 0) return add_panel_gram_tiles<Lanes8, 8, load8, store8>(panel, n, k, a);
#endif
  for (std::size_t e = 0; e < n; ++e) {
    const float* pe = panel + e * k;
    for (std::size_t r = 0; r < k; ++r) {
      const float w = pe[r];
      float* arow = a + r * k;
      for (std::size_t c = r; c < k; ++c) arow[c] += w * pe[c];
    }
  }
}

// Factors rows [j0, j1) of the upper triangle, given that every row above j0
// is already factored and has been subtracted from them: the right-looking
// loop, whose inner loops are contiguous axpys along rows. False when a pivot
// is not positive (a is not positive definite).
MFREC_INLINE bool factor_rows_upper(std::size_t k, float* a, std::size_t j0, std::size_t j1) {
  for (std::size_t j = j0; j < j1; ++j) {
    float* row_j = a + j * k;
    float d = row_j[j];
    if (!(d > 0.0f)) return false;
    float ujj = std::sqrt(d);
    float inv = 1.0f / ujj;
    row_j[j] = ujj;
    for (std::size_t c = j + 1; c < k; ++c) row_j[c] *= inv;
    for (std::size_t i = j + 1; i < j1; ++i) {
      float s = row_j[i];
      float* row_i = a + i * k;
      for (std::size_t c = i; c < k; ++c) row_i[c] -= s * row_j[c];
    }
  }
  return true;
}

// Factors the upper triangle of the symmetric positive-definite k x k matrix
// a as U^T U (U overwrites the upper triangle; the strict lower triangle is
// neither read nor kept). With k a multiple of 8 it runs left-looking by
// blocks of 8 rows: a block first receives what all the factored rows above
// it subtract, as 8 x 8 register tiles (the level-3 part, k^3/6
// multiply-adds), then factors itself. Row by row instead, most of the work
// is short axpys whose loop overhead costs more than their arithmetic.
MFREC_INLINE bool cholesky_upper(std::size_t k, float* a) {
#if MFREC_HAS_LANES8
  if (k % 8 == 0) {
    for (std::size_t j0 = 0; j0 < k; j0 += 8) {
      for (std::size_t c0 = j0; c0 < k && j0 > 0; c0 += 8) {
        Lanes8 acc[8] = {};
        for (std::size_t p = 0; p < j0; ++p) {
          const float* up = a + p * k;
          const Lanes8 v = load8(up + c0);
          for (std::size_t i = 0; i < 8; ++i) acc[i] += up[j0 + i] * v;
        }
        for (std::size_t i = 0; i < 8; ++i) {
          float* dst = a + (j0 + i) * k + c0;
          store8(dst, load8(dst) - acc[i]);
        }
      }
      if (!factor_rows_upper(k, a, j0, j0 + 8)) return false;
    }
    return true;
  }
#endif
  return factor_rows_upper(k, a, 0, k);
}

// Solves U^T U x = b in place (b becomes x) with the factor from
// cholesky_upper; every inner loop is a contiguous axpy or dot. Returns false
// when a is not positive definite.
MFREC_INLINE bool cholesky_upper_solve(std::size_t k, float* a, float* b) {
  if (!cholesky_upper(k, a)) return false;
  for (std::size_t j = 0; j < k; ++j) {  // U^T z = b
    const float* row_j = a + j * k;
    b[j] /= row_j[j];
    float zj = b[j];
    for (std::size_t c = j + 1; c < k; ++c) b[c] -= zj * row_j[c];
  }
  for (std::size_t i = k; i-- > 0;) {  // U x = z
    const float* row_i = a + i * k;
    float s = b[i];
    for (std::size_t c = i + 1; c < k; ++c) s -= row_i[c] * b[c];
    b[i] = s / row_i[i];
  }
  return true;
}

// Exact solve of row x: forms A = YtY + lambda I + sum (c - 1) y y^T.
template <bool kWide>
MFREC_INLINE void solve_row_cholesky(const CsrView& m, std::size_t row, const float* y, const float* gram_yy, float* x,
                                     const AlsOptions& o, Scratch& s) {
  const std::size_t k = o.factors;
  const std::size_t begin = static_cast<std::size_t>(m.indptr[row]);
  const std::size_t end = static_cast<std::size_t>(m.indptr[row + 1]);
  const std::size_t n = end - begin;
  const int32_t* items = m.indices + begin;
  row_weights(m, begin, end, o, s);
  const float lambda = als_row_lambda(o, n);
  float* a = s.a.data();
  float* b = s.r.data();
  std::copy(gram_yy, gram_yy + k * k, a);
  for (std::size_t j = 0; j < k; ++j) a[j * k + j] += lambda;
  std::fill(b, b + k, 0.0f);

  // Rank-n update in panels: rows sqrt(c - 1) y gathered, then P^T P added.
  float* panel = s.panel.data();
  for (std::size_t e0 = 0; e0 < n; e0 += kPanelRows) {
    const std::size_t e1 = std::min(n, e0 + kPanelRows);
    for (std::size_t e = e0; e < e1; ++e) {
      // Item rows are scattered over Y: start loading one a few items ahead.
      if (e + kPrefetchAhead < n) prefetch_row(y + static_cast<std::size_t>(items[e + kPrefetchAhead]) * k, k);
      const float* yi = y + static_cast<std::size_t>(items[e]) * k;
      axpy_k(s.target[e], yi, b, k);
      const float w = std::sqrt(s.weight[e]);
      float* dst = panel + (e - e0) * k;
      for (std::size_t j = 0; j < k; ++j) dst[j] = w * yi[j];
    }
    add_panel_gram_upper<kWide>(panel, e1 - e0, k, a);
  }
  if (cholesky_upper_solve(k, a, b)) {
    std::copy(b, b + k, x);
  } else {
    // Not positive definite (only possible without regularization): poison
    // the row so that the caller's finiteness check reports divergence.
    std::fill(x, x + k, std::numeric_limits<float>::quiet_NaN());
  }
}

// Solves rows [begin, end) of x: the loop compiled in two copies.
struct RowsJob {
  const CsrView& m;
  const float* y;
  const Bf16Copy* y_bf16;  // the bf16 copy of y the CG solver reads, or null: round as read
  const float* gram_yy;
  float* x;
  const AlsOptions& o;
};

template <Copy C>
MFREC_INLINE void solve_rows_body(const RowsJob& j, std::size_t begin, std::size_t end, Scratch& s) {
  const std::size_t k = j.o.factors;
  const bool cholesky = j.o.solver == AlsSolver::Cholesky;
  for (std::size_t r = begin; r < end; ++r) {
    float* xr = j.x + r * k;
    if (cholesky) {
      solve_row_cholesky<wide(C)>(j.m, r, j.y, j.gram_yy, xr, j.o, s);
    } else if (j.y_bf16) {
      const Bf16Rows rows{j.y_bf16->base, j.y_bf16->stride, j.y_bf16->lanes, k};
      solve_row_cg<C>(j.m, r, rows, j.gram_yy, xr, j.o, s);
    } else {
      solve_row_cg<C>(j.m, r, RoundedRows{j.y, k}, j.gram_yy, xr, j.o, s);
    }
  }
}

using SolveRowsFn = void (*)(const RowsJob&, std::size_t, std::size_t, Scratch&);
void solve_rows_plain(const RowsJob& j, std::size_t begin, std::size_t end, Scratch& s) {
  solve_rows_body<Copy::plain>(j, begin, end, s);
}
MFREC_TARGET_AVX2 void solve_rows_avx2(const RowsJob& j, std::size_t begin, std::size_t end, Scratch& s) {
  solve_rows_body<Copy::avx2>(j, begin, end, s);
}
MFREC_TARGET_AVX512 void solve_rows_avx512(const RowsJob& j, std::size_t begin, std::size_t end, Scratch& s) {
  solve_rows_body<Copy::avx512>(j, begin, end, s);
}

}  // namespace

float als_confidence(const AlsOptions& o, float value) {
  float v = std::fabs(value);
  if (o.confidence == AlsConfidence::Log) return 1.0f + o.alpha * std::log1p(v / o.epsilon);
  return 1.0f + o.alpha * v;
}

float als_row_lambda(const AlsOptions& o, std::size_t count) {
  if (!o.scale_regularization) return o.regularization;
  const float weight = 1.0f + static_cast<float>(count);
  if (o.regularization_exponent == 1.0f) return o.regularization * weight;
  // In double, then rounded once, so the TypeScript twin (Math.pow) gets the same float.
  return static_cast<float>(static_cast<double>(o.regularization) *
                            std::pow(static_cast<double>(weight), static_cast<double>(o.regularization_exponent)));
}

void als_half_sweep(const CsrView& m, const float* y, std::size_t y_rows, float* x, const AlsOptions& o,
                    CancelFlag cancel) {
  const std::size_t k = o.factors;
  if (m.rows == 0 || k == 0) return;
  if (cancel.requested()) throw Cancelled{};
  std::vector<float> gram_yy(k * k);
  gram(y_rows, k, y, gram_yy.data());
  als_solve_rows(m, y, y_rows, gram_yy.data(), x, o, cancel);
}

void als_solve_rows(const CsrView& m, const float* y, std::size_t y_rows, const float* gram_yy, float* x,
                    const AlsOptions& o, CancelFlag cancel) {
  const std::size_t k = o.factors;
  if (m.rows == 0 || k == 0) return;
  if (cancel.requested()) throw Cancelled{};
  const int threads = std::max(1, o.threads);
  const std::size_t longest = max_row_length(m);
  const bool cholesky = o.solver == AlsSolver::Cholesky;
  std::vector<Scratch> scratch(static_cast<std::size_t>(threads));
  for (auto& s : scratch) {
    s.weight.resize(longest);
    s.target.resize(longest);
    s.r.resize(k);
    s.p.resize(k);
    s.ap.resize(k);
    if (cholesky) {
      s.a.resize(k * k);
      s.panel.resize(std::min(longest, kPanelRows) * k);
    } else {
      s.panel_rows = std::min(longest, std::max<std::size_t>(1, kCgPanelBytes / (k * sizeof(float))));
      s.panel.resize(s.panel_rows * k);
      s.order.resize(s.panel_rows);
      for (std::size_t e = 0; e < s.panel_rows; ++e) s.order[e] = static_cast<int32_t>(e);
    }
  }
  // The bf16 copy pays off when the rows read Y at least once over (a
  // half-sweep); the fold-in of a few rows rounds Y's values as it reads them.
  const std::size_t gathered = static_cast<std::size_t>(m.indptr[m.rows]);
  std::optional<Bf16Copy> y_bf16;
  if (!cholesky && gathered >= y_rows) y_bf16.emplace(y, y_rows, k, threads);
  const RowsJob job{m, y, y_bf16 ? &*y_bf16 : nullptr, gram_yy, x, o};
  const SolveRowsFn solve = pick_cpu_copy<SolveRowsFn>(&solve_rows_plain, &solve_rows_avx2, &solve_rows_avx512);
  parallel_for(threads, m.rows, grain_for(m.rows, threads), [&](std::size_t begin, std::size_t end, int t) {
    if (cancel.requested()) throw Cancelled{};
    solve(job, begin, end, scratch[static_cast<std::size_t>(t)]);
  });
}

void als_iteration(const CsrView& by_user, const CsrView& by_item, float* user_factors, float* item_factors,
                   const AlsOptions& o, CancelFlag cancel) {
  als_half_sweep(by_user, item_factors, by_item.rows, user_factors, o, cancel);
  als_half_sweep(by_item, user_factors, by_user.rows, item_factors, o, cancel);
}

double als_loss(const CsrView& by_user, const CsrView& by_item, const float* user_factors, const float* item_factors,
                const AlsOptions& o, CancelFlag cancel) {
  const std::size_t k = o.factors;
  const std::size_t users = by_user.rows;
  const std::size_t items = by_item.rows;
  std::vector<float> gram_yy(k * k);
  gram(items, k, item_factors, gram_yy.data());
  // One partial sum per row, added up in order afterwards: the total does not
  // depend on how rows were spread over threads.
  std::vector<double> row_loss(users, 0.0);
  std::vector<double> row_weight(users, 0.0);
  const int threads = std::max(1, o.threads);
  std::vector<std::vector<float>> tmp(static_cast<std::size_t>(threads), std::vector<float>(k));
  parallel_for(threads, users, grain_for(users, threads), [&](std::size_t begin, std::size_t end, int t) {
    if (cancel.requested()) throw Cancelled{};
    float* gx = tmp[static_cast<std::size_t>(t)].data();
    for (std::size_t u = begin; u < end; ++u) {
      const float* xu = user_factors + u * k;
      symv_k(gram_yy.data(), xu, gx, k);
      // sum over all items of prediction^2, then corrected on the observed ones
      double loss = dot_k(xu, gx, k);
      double extra_weight = 0.0;
      const std::size_t e0 = static_cast<std::size_t>(by_user.indptr[u]);
      const std::size_t e1 = static_cast<std::size_t>(by_user.indptr[u + 1]);
      for (std::size_t e = e0; e < e1; ++e) {
        const float* yi = item_factors + static_cast<std::size_t>(by_user.indices[e]) * k;
        double pred = dot_k(xu, yi, k);
        float v = by_user.values[e];
        double c = als_confidence(o, v);
        double err = als_preference(v) - pred;
        loss += c * err * err - pred * pred;
        extra_weight += c - 1.0;
      }
      loss += static_cast<double>(als_row_lambda(o, e1 - e0)) * dot_k(xu, xu, k);
      row_loss[u] = loss;
      row_weight[u] = extra_weight;
    }
  });
  double total = 0.0;
  double weight = static_cast<double>(users) * static_cast<double>(items);
  for (std::size_t u = 0; u < users; ++u) {
    total += row_loss[u];
    weight += row_weight[u];
  }
  for (std::size_t i = 0; i < items; ++i) {
    const float* yi = item_factors + i * k;
    const std::size_t n = static_cast<std::size_t>(by_item.indptr[i + 1] - by_item.indptr[i]);
    total += static_cast<double>(als_row_lambda(o, n)) * dot_k(yi, yi, k);
  }
  return weight > 0.0 ? total / weight : 0.0;
}

}  // namespace mfrec
