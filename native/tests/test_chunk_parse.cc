#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/chunk_parse.h"

using namespace mfrec;

namespace {

// One parsing thread's tables and a chunk's columns, sized generously.
struct Thread {
  std::vector<int32_t> user_dense = std::vector<int32_t>(64, -1), item_dense = std::vector<int32_t>(64, -1);
  int32_t users = 0, items = 0;
  std::vector<int32_t> new_users = std::vector<int32_t>(16), new_items = std::vector<int32_t>(16);
  std::vector<int32_t> u = std::vector<int32_t>(16), i = std::vector<int32_t>(16);
  std::vector<float> v = std::vector<float>(16);
  std::vector<double> t = std::vector<double>(16);
  ChunkIdTable ut, it;

  ChunkParseResult Parse(const std::string& text, bool last, const ChunkFormat& format) {
    ut = ChunkIdTable{user_dense.data(), user_dense.size(), users, new_users.data(), new_users.size(), 0};
    it = ChunkIdTable{item_dense.data(), item_dense.size(), items, new_items.data(), new_items.size(), 0};
    ChunkColumns out{u.data(), i.data(), v.data(), t.data(), u.size()};
    const ChunkParseResult r =
        parse_chunk(reinterpret_cast<const uint8_t*>(text.data()), text.size(), last, format, ut, it, out);
    if (r.status == ChunkParseStatus::kOk) {
      users += static_cast<int32_t>(ut.n_new);
      items += static_cast<int32_t>(it.n_new);
    }
    return r;
  }
};

ChunkFormat Ratings() {
  ChunkFormat f;
  f.fields = 4;
  f.value_col = 2;
  f.time_col = 3;
  return f;
}

}  // namespace

MFREC_TEST(chunk_parse_reads_lines_and_numbers_as_the_javascript_reader) {
  Thread th;
  const ChunkParseResult r = th.Parse("7,3,3.5,978300760\r\n\n \t\n0, 3 ,-0,+5\n7,9,.1,1.25,extra", true, Ratings());
  CHECK(r.status == ChunkParseStatus::kOk);
  CHECK(r.entries == 3 && r.lines == 3 && r.line_breaks == 4);
  CHECK(th.users == 2 && th.items == 2);
  CHECK(th.new_users[0] == 7 && th.new_users[1] == 0 && th.new_items[0] == 3 && th.new_items[1] == 9);
  CHECK(th.u[0] == 0 && th.u[1] == 1 && th.u[2] == 0 && th.i[0] == 0 && th.i[1] == 0 && th.i[2] == 1);
  CHECK(th.v[0] == 3.5f && th.v[1] == 0.0f && std::signbit(th.v[1]) && th.v[2] == static_cast<float>(0.1));
  CHECK(th.t[0] == 978300760.0 && th.t[1] == 5.0 && th.t[2] == 1.25);
}

MFREC_TEST(chunk_parse_declines_and_leaves_the_tables_as_they_were) {
  Thread th;
  CHECK(th.Parse("1,2,3,4\n", false, Ratings()).status == ChunkParseStatus::kOk);
  const std::vector<int32_t> users = th.user_dense, items = th.item_dense;
  for (const char* text : {"5,6,1,1\n1,\"2\",3,4\n", "5,6,1,1\n1,2,1e3,4\n", "5,6,1,1\n01,2,3,4\n", "5,6,1,1\n1,2,3\n",
                           "5,6,1,1\n1,2,3,4", "5,6,1,1\n1,2,1234567890123456,4\n"}) {
    CHECK(th.Parse(text, false, Ratings()).status == ChunkParseStatus::kDecline);
    CHECK(th.user_dense == users && th.item_dense == items && th.ut.n_new == 0 && th.it.n_new == 0);
  }
}

MFREC_TEST(chunk_parse_asks_for_larger_tables_and_columns) {
  Thread th;
  ChunkParseResult r = th.Parse("1,2,3,4\n64,2,3,4\n", false, Ratings());
  CHECK(r.status == ChunkParseStatus::kGrowUsers && r.need == 64 && th.user_dense[1] == -1);
  std::string many;
  for (int k = 0; k < 17; ++k) many += std::to_string(k) + ",1,1,1\n";
  r = th.Parse(many, false, Ratings());
  CHECK(r.status == ChunkParseStatus::kFull && th.user_dense[0] == -1);
}
