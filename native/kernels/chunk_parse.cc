#include "kernels/chunk_parse.h"

#include <cstring>
#include <utility>
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
// digits, an optional point and digits, 1 to 15 digits in all. The value is
// mantissa / 10^fraction, one correctly rounded division of two exact
// doubles, so the bits are those of Number(text). Returns where the number
// ends (the caller checks that its field ends there), or null when there is
// no such number: other forms (blanks, exponents, more digits, "nan", hex...)
// send the chunk to the JavaScript reader, which knows what to make of them.
const uint8_t* scan_decimal(const uint8_t* s, const uint8_t* e, double* out) {
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
  }
  if (s < e && *s == '.') {
    ++s;
    while (s < e && static_cast<unsigned>(*s - '0') <= 9) {
      mantissa = mantissa * 10 + (*s - '0');
      ++digits;
      ++fraction;
      ++s;
    }
  }
  // More than 15 digits may have wrapped the mantissa: refused before it is used.
  if (digits == 0 || digits > 15) return nullptr;
  const double x = fraction == 0 ? static_cast<double>(mantissa) : static_cast<double>(mantissa) / kPow10[fraction];
  *out = negative ? -x : x;
  return s;
}

// A canonical decimal id (1 to 9 digits, no leading zero but "0" itself,
// below kDenseIdLimit) with blanks around it, within a field that ends at the
// delimiter `d`: returns where it ends, or null when it is not one.
const uint8_t* scan_id(const uint8_t* c, const uint8_t* e, uint8_t d, int32_t* id) {
  while (c < e && *c != d && is_blank_byte(*c)) ++c;
  const uint8_t* first = c;
  int32_t v = 0;
  while (c < e && static_cast<unsigned>(*c - '0') <= 9) {
    if (c - first == 9) return nullptr;
    v = v * 10 + (*c - '0');
    ++c;
  }
  const std::ptrdiff_t len = c - first;
  if (len == 0 || (len > 1 && *first == '0') || v >= kDenseIdLimit) return nullptr;
  while (c < e && *c != d && is_blank_byte(*c)) ++c;
  *id = v;
  return c;
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

// What a wanted field holds.
enum Role : uint8_t { kOther, kUser, kItem, kValue, kTime };

// The wanted fields of a line whose delimiter is runs of spaces and tabs
// (leading and trailing blanks ignored), as the JavaScript splitter cuts them,
// each field parsed whole; false when a field is missing or is not one the
// fast paths take (the chunk is then the JavaScript reader's).
bool cut_blank_fields(const uint8_t* c, const uint8_t* end, const std::vector<uint8_t>& roles, int fields,
                      int32_t* user, int32_t* item, double* value, double* time) {
  while (c < end && is_blank_byte(*c)) ++c;
  for (int f = 0; f < fields; ++f) {
    if (c == end) return false;
    const uint8_t* field_end = c;
    while (field_end < end && !is_blank_byte(*field_end)) ++field_end;
    const uint8_t* parsed = field_end;
    // kLf never occurs inside a line, so scan_id stops only at the field's end.
    switch (roles[f]) {
      case kUser: parsed = scan_id(c, field_end, kLf, user); break;
      case kItem: parsed = scan_id(c, field_end, kLf, item); break;
      case kValue: parsed = scan_decimal(c, field_end, value); break;
      case kTime: parsed = scan_decimal(c, field_end, time); break;
      default: break;
    }
    if (parsed != field_end) return false;
    c = field_end;
    while (c < end && is_blank_byte(*c)) ++c;
  }
  return true;
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

  // What each wanted field holds; a column with two roles is left to the JavaScript reader.
  std::vector<uint8_t> roles(format.fields, kOther);
  const std::pair<int, Role> wanted[] = {
      {format.user_col, kUser}, {format.item_col, kItem}, {format.value_col, kValue}, {format.time_col, kTime}};
  for (const auto& [col, role] : wanted) {
    if (col < 0) continue;
    if (col >= format.fields || roles[col] != kOther) return r;
    roles[col] = role;
  }
  const uint8_t d = format.delimiter;
  // ' ' stands for runs of spaces and tabs, as in the JavaScript splitter.
  const bool blanks = d == kSpace;
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

    // The wanted fields, cut as the splitter cuts them and parsed in the
    // same pass; a line with fewer fields is bad, one the fast paths do not
    // take is the JavaScript reader's.
    int32_t user = 0;
    int32_t item = 0;
    double value = 1;
    double time = 0;
    if (blanks) {
      if (!cut_blank_fields(line, end, roles, format.fields, &user, &item, &value, &time)) {
        return fail(ChunkParseStatus::kDecline);
      }
    } else {
      const uint8_t* c = line;
      for (int f = 0;; ++f) {
        switch (roles[f]) {
          case kUser: c = scan_id(c, end, d, &user); break;
          case kItem: c = scan_id(c, end, d, &item); break;
          case kValue: c = scan_decimal(c, end, &value); break;
          case kTime: c = scan_decimal(c, end, &time); break;
          default:
            while (c < end && *c != d) ++c;
        }
        if (c == nullptr || (c < end && *c != d)) return fail(ChunkParseStatus::kDecline);
        if (f + 1 == format.fields) break;
        if (c == end) return fail(ChunkParseStatus::kDecline);
        ++c;
      }
    }
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
