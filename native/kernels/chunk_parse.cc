#include "kernels/chunk_parse.h"

#include <cstring>
#include <vector>

namespace mfrec {

namespace {

constexpr uint8_t kLf = 0x0a;
constexpr uint8_t kCr = 0x0d;
constexpr uint8_t kQuote = 0x22;
constexpr uint8_t kSpace = 0x20;
constexpr uint8_t kTab = 0x09;

// Exact powers of ten (10^k is exact in a double for k <= 22).
constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

inline bool is_blank_byte(uint8_t c) { return c == kSpace || c == kTab; }

// The JavaScript reader's parseNumber fast path, exactly: an optional sign,
// digits, an optional point and digits, 1 to 15 digits in all, nothing else.
// The value is mantissa / 10^fraction, one correctly rounded division of two
// exact doubles, so the bits are those of Number(text). Any other form
// (blanks, exponents, more digits, "nan", hex...) returns false: the chunk
// goes to the JavaScript reader, which knows what to make of it.
bool plain_decimal(const uint8_t* s, const uint8_t* e, double* out) {
  bool negative = false;
  if (s < e && (*s == '-' || *s == '+')) {
    negative = *s == '-';
    ++s;
  }
  uint64_t mantissa = 0;
  int digits = 0;
  int fraction = 0;
  while (s < e && static_cast<unsigned>(*s - '0') <= 9) {
    mantissa = mantissa * 10 + (*s - '0');
    ++digits;
    ++s;
    if (digits > 15) return false;
  }
  if (s < e && *s == '.') {
    ++s;
    while (s < e && static_cast<unsigned>(*s - '0') <= 9) {
      mantissa = mantissa * 10 + (*s - '0');
      ++digits;
      ++fraction;
      ++s;
      if (digits > 15) return false;
    }
  }
  if (s != e || digits == 0) return false;
  const double x = fraction == 0 ? static_cast<double>(mantissa) : static_cast<double>(mantissa) / kPow10[fraction];
  *out = negative ? -x : x;
  return true;
}

// The id in [s, e) after trimming blanks, when it is canonical (1 to 9
// digits, no leading zero but "0" itself) and below kDenseIdLimit; else -1.
int32_t canonical_id(const uint8_t* s, const uint8_t* e) {
  while (s < e && is_blank_byte(*s)) ++s;
  while (e > s && is_blank_byte(e[-1])) --e;
  const std::ptrdiff_t len = e - s;
  if (len < 1 || len > 9 || (*s == '0' && len > 1)) return -1;
  int32_t v = 0;
  for (; s < e; ++s) {
    const unsigned d = static_cast<unsigned>(*s - '0');
    if (d > 9) return -1;
    v = v * 10 + static_cast<int32_t>(d);
  }
  return v < kDenseIdLimit ? v : -1;
}

// The local index of `id`, adding it when new; kOk or the status that stops the chunk.
inline ChunkParseStatus intern(ChunkIdTable& t, int32_t id, ChunkParseStatus grow, int32_t* index) {
  if (static_cast<std::size_t>(id) >= t.dense_size) return grow;
  int32_t x = t.dense[id];
  if (x < 0) {
    if (t.n_new == t.new_capacity) return ChunkParseStatus::kFull;
    x = t.count + static_cast<int32_t>(t.n_new);
    t.new_ids[t.n_new++] = id;
    t.dense[id] = x;
  }
  *index = x;
  return ChunkParseStatus::kOk;
}

void forget_new_ids(ChunkIdTable& t) {
  for (std::size_t k = 0; k < t.n_new; ++k) t.dense[t.new_ids[k]] = -1;
  t.n_new = 0;
}

}  // namespace

ChunkParseResult parse_chunk(const uint8_t* bytes, std::size_t length, bool last, const ChunkFormat& format,
                             ChunkIdTable& users, ChunkIdTable& items, const ChunkColumns& out) {
  ChunkParseResult r;
  users.n_new = items.n_new = 0;
  // A quote anywhere may open a field spanning lines, or make a line bad
  // after its wanted fields: the JavaScript splitter's business.
  if (length == 0 || std::memchr(bytes, kQuote, length) != nullptr) return r;
  if (!last && bytes[length - 1] != kLf) return r;
  if (format.fields < 2 || format.fields > 4096) return r;

  std::vector<const uint8_t*> starts(format.fields), ends(format.fields);
  const uint8_t d = format.delimiter;
  const uint8_t* p = bytes;
  const uint8_t* const stop = bytes + length;
  auto fail = [&](ChunkParseStatus status, int64_t need = 0) {
    forget_new_ids(users);
    forget_new_ids(items);
    ChunkParseResult failed;
    failed.status = status;
    failed.need = need;
    return failed;
  };

  while (p < stop) {
    const uint8_t* nl = static_cast<const uint8_t*>(std::memchr(p, kLf, stop - p));
    const uint8_t* next;
    if (nl == nullptr) {
      nl = stop;  // the last line of a last chunk, without a line break
      next = stop;
    } else {
      next = nl + 1;
      ++r.line_breaks;
    }
    if (static_cast<std::size_t>(nl - p) > format.max_record) return fail(ChunkParseStatus::kDecline);
    const uint8_t* end = nl > p && nl[-1] == kCr ? nl - 1 : nl;
    const uint8_t* line = p;
    p = next;
    if (line == end) continue;  // an empty line
    if (is_blank_byte(*line)) {
      const uint8_t* c = line;
      while (c < end && is_blank_byte(*c)) ++c;
      if (c == end) continue;  // a blank line
    }
    ++r.lines;

    // The wanted fields, as the splitter cuts them: a line with fewer is bad.
    const uint8_t* c = line;
    for (int f = 0;; ++f) {
      starts[f] = c;
      while (c < end && *c != d) ++c;
      ends[f] = c;
      if (f + 1 == format.fields) break;
      if (c >= end) return fail(ChunkParseStatus::kDecline);
      ++c;
    }

    double value = 1;
    if (format.value_col >= 0 && !plain_decimal(starts[format.value_col], ends[format.value_col], &value))
      return fail(ChunkParseStatus::kDecline);
    double time = 0;
    if (format.time_col >= 0 && !plain_decimal(starts[format.time_col], ends[format.time_col], &time))
      return fail(ChunkParseStatus::kDecline);
    const int32_t user = canonical_id(starts[format.user_col], ends[format.user_col]);
    const int32_t item = canonical_id(starts[format.item_col], ends[format.item_col]);
    if (user < 0 || item < 0) return fail(ChunkParseStatus::kDecline);
    if (r.entries == out.capacity) return fail(ChunkParseStatus::kFull);

    int32_t u = 0;
    int32_t i = 0;
    ChunkParseStatus s = intern(users, user, ChunkParseStatus::kGrowUsers, &u);
    if (s != ChunkParseStatus::kOk) return fail(s, user);
    s = intern(items, item, ChunkParseStatus::kGrowItems, &i);
    if (s != ChunkParseStatus::kOk) return fail(s, item);
    const std::size_t k = r.entries++;
    out.users[k] = u;
    out.items[k] = i;
    out.values[k] = static_cast<float>(value);
    if (out.times != nullptr) out.times[k] = time;
  }
  r.status = ChunkParseStatus::kOk;
  return r;
}

bool gather_indices(const int32_t* local, std::size_t n, const int32_t* table, std::size_t table_size, int32_t* out) {
  // Checked first, in one pass, so that a corrupt chunk writes nothing.
  for (std::size_t k = 0; k < n; ++k) {
    if (static_cast<uint32_t>(local[k]) >= table_size || table[local[k]] < 0) return false;
  }
  for (std::size_t k = 0; k < n; ++k) out[k] = table[local[k]];
  return true;
}

}  // namespace mfrec
