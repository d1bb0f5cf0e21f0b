// Fuzzes the chunk parser on arbitrary bytes, as a parsing thread calls it
// (lib/data/native-chunk-parse.ts): small dense tables and columns, so that
// the grow and full statuses come up too. Any input must end in a status,
// with the tables exactly as they were unless the status is kOk, and every
// index written within the thread's ids.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "kernels/chunk_parse.h"

using mfrec_fuzz::FuzzInput;

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  FuzzInput in(data, 8);
  const uint8_t delimiters[] = {',', '\t', ';', '|'};
  mfrec::ChunkFormat format;
  format.delimiter = delimiters[in.below(4)];
  format.fields = 2 + static_cast<int>(in.below(4));
  format.user_col = static_cast<int>(in.below(format.fields));
  format.item_col = static_cast<int>(in.below(format.fields));
  format.value_col = static_cast<int>(in.below(format.fields + 1)) - 1;
  format.time_col = static_cast<int>(in.below(format.fields + 1)) - 1;
  format.max_record = 1 + in.below(200);
  const bool last = in.below(2) == 1;
  const std::size_t dense_size = 1 + in.below(64);
  const std::size_t capacity = in.below(32);
  const uint8_t* bytes = data + 8;
  const std::size_t length = size - 8;

  std::vector<int32_t> user_dense(dense_size, -1), item_dense(dense_size, -1);
  user_dense[0] = 0;  // one id met in an earlier chunk
  std::vector<int32_t> new_users(capacity), new_items(capacity), users(capacity), items(capacity);
  std::vector<float> values(capacity);
  std::vector<double> times(capacity);
  mfrec::ChunkIdTable u{user_dense.data(), dense_size, 1, new_users.data(), capacity, 0};
  mfrec::ChunkIdTable i{item_dense.data(), dense_size, 0, new_items.data(), capacity, 0};
  mfrec::ChunkColumns out{users.data(), items.data(), values.data(), times.data(), capacity};
  const std::vector<int32_t> user_before = user_dense, item_before = item_dense;

  const mfrec::ChunkParseResult r = mfrec::parse_chunk(bytes, length, last, format, u, i, out);
  if (r.status != mfrec::ChunkParseStatus::kOk) {
    Require(user_dense == user_before && item_dense == item_before && u.n_new == 0 && i.n_new == 0);
    return 0;
  }
  Require(r.entries <= capacity && r.entries <= r.lines && r.line_breaks <= length);
  for (std::size_t k = 0; k < r.entries; ++k) {
    Require(users[k] >= 0 && users[k] < u.count + static_cast<int32_t>(u.n_new));
    Require(items[k] >= 0 && items[k] < i.count + static_cast<int32_t>(i.n_new));
  }
  for (std::size_t k = 0; k < u.n_new; ++k) Require(user_dense[new_users[k]] == u.count + static_cast<int32_t>(k));
  for (std::size_t k = 0; k < i.n_new; ++k) Require(item_dense[new_items[k]] == i.count + static_cast<int32_t>(k));
  return 0;
}
