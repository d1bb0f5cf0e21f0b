// Parses one chunk of a delimited text input (whole lines, cut at line ends
// by the reading thread) for the common case only: a single-byte delimiter
// (a space meaning runs of spaces and tabs, as in the JavaScript reader),
// no quote anywhere in the chunk, canonical decimal ids below kDenseIdLimit,
// plain decimal values and timestamps. Its twin is the JavaScript chunk
// parser (lib/data/chunk-parse.ts), which produces the same columns, ids and
// counts; any chunk this kernel cannot take whole is declined and goes there,
// so bad lines and their messages stay the JavaScript reader's.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mfrec {

// Ids at or above this value are kept by the JavaScript tables in a Map, not
// in the dense table this kernel writes into: such a chunk is declined.
constexpr int32_t kDenseIdLimit = 1 << 22;

struct ChunkFormat {
  uint8_t delimiter = ',';  // ' ': runs of spaces and tabs, leading and trailing ones ignored
  int fields = 0;           // fields to split per line: the highest column used + 1
  int user_col = 0;
  int item_col = 1;
  int value_col = -1;                  // -1: no value column (every value 1)
  int time_col = -1;                   // -1: no time column
  std::size_t max_record = 16u << 20;  // longer lines are bad lines: declined
};

// A parsing thread's table of canonical decimal ids: dense[id] is the id's
// local index, or -1 when the thread has not met it. Ids met for the first
// time in this chunk get the indices count, count + 1, ... in order of first
// use, and are listed in new_ids.
struct ChunkIdTable {
  int32_t* dense = nullptr;
  std::size_t dense_size = 0;
  int32_t count = 0;
  int32_t* new_ids = nullptr;
  std::size_t new_capacity = 0;
  std::size_t n_new = 0;  // output
};

struct ChunkColumns {
  int32_t* users = nullptr;
  int32_t* items = nullptr;
  float* values = nullptr;
  double* times = nullptr;  // null without a time column
  std::size_t capacity = 0;
};

enum class ChunkParseStatus {
  kOk = 0,
  kDecline = 1,    // not the common case: parse the chunk with the JavaScript reader
  kGrowUsers = 2,  // an id at or beyond the users' dense table: grow it to more than `need`, call again
  kGrowItems = 3,  // same for the items
  kFull = 4,       // more entries than the columns (or new-id lists) hold: larger ones, call again
};

struct ChunkParseResult {
  ChunkParseStatus status = ChunkParseStatus::kDecline;
  std::size_t entries = 0;      // rows written to the columns
  std::size_t lines = 0;        // data lines: non-blank lines
  std::size_t line_breaks = 0;  // physical lines ended in the chunk
  int64_t need = 0;             // kGrow*: the id that did not fit
};

// Parses bytes[0, length). A chunk that is not `last` must end with a line
// break. On any status but kOk nothing is left changed: the dense tables are
// as they were (ids added are removed again) and the counts are zero.
ChunkParseResult parse_chunk(const uint8_t* bytes, std::size_t length, bool last, const ChunkFormat& format,
                             ChunkIdTable& users, ChunkIdTable& items, const ChunkColumns& out);

// The merge of a parsed chunk (lib/data/interaction-collector.ts): out[k] =
// table[local[k]] for k < n. False, with nothing written, when a local index
// is outside [0, table_size) or maps to a negative (unassigned) index.
bool gather_indices(const int32_t* local, std::size_t n, const int32_t* table, std::size_t table_size, int32_t* out);

}  // namespace mfrec
