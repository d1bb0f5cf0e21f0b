#include <atomic>
#include <thread>
#include <vector>

#include "check.h"
#include "kernels/block_scheduler.h"

using namespace mfrec;

namespace {

// block_ptr for a blocks × blocks grid where block b holds count(b) ratings.
template <typename Count>
std::vector<int32_t> offsets(int32_t blocks, Count count) {
  std::vector<int32_t> ptr(static_cast<std::size_t>(blocks) * blocks + 1, 0);
  for (int32_t b = 0; b < blocks * blocks; ++b) ptr[b + 1] = ptr[b] + count(b);
  return ptr;
}

// Runs `threads` threads through one epoch of the scheduler; each checks that
// no other thread holds its row or column while it works. Returns how many
// times each block was handed out.
std::vector<int> drive(BlockScheduler& s, int32_t blocks, int threads, std::atomic<int>& conflicts) {
  std::vector<std::atomic<int>> row_busy(blocks), col_busy(blocks);
  std::vector<std::atomic<int>> seen(static_cast<std::size_t>(blocks) * blocks);
  std::vector<std::thread> team;
  for (int t = 0; t < threads; ++t) {
    team.emplace_back([&] {
      int32_t b = -1;
      while ((b = s.next(b)) >= 0) {
        const int32_t r = b / blocks, c = b % blocks;
        if (row_busy[r].fetch_add(1) != 0 || col_busy[c].fetch_add(1) != 0) ++conflicts;
        seen[b].fetch_add(1);
        std::this_thread::yield();
        row_busy[r].fetch_sub(1);
        col_busy[c].fetch_sub(1);
      }
    });
  }
  for (auto& th : team) th.join();
  std::vector<int> out;
  for (auto& x : seen) out.push_back(x.load());
  return out;
}

}  // namespace

MFREC_TEST(block_scheduler_hands_out_each_nonempty_block_once_without_conflicts) {
  const int32_t blocks = 9;
  // Every third block empty: empty blocks are never handed out.
  const auto count = [](int32_t b) { return b % 3 == 0 ? 0 : 1 + b % 5; };
  const std::vector<int32_t> ptr = offsets(blocks, count);
  for (int threads : {1, 2, 4}) {
    BlockScheduler s(blocks, ptr.data(), 11);
    std::atomic<int> conflicts{0};
    const std::vector<int> seen = drive(s, blocks, threads, conflicts);
    CHECK(conflicts.load() == 0);
    for (int32_t b = 0; b < blocks * blocks; ++b) CHECK(seen[b] == (count(b) == 0 ? 0 : 1));
    CHECK(s.nonempty_blocks() == 54);
  }
}

MFREC_TEST(block_scheduler_handles_the_largest_grid_with_few_ratings) {
  // 4096 blocks per side (16.7 million blocks) holding 300 ratings: building
  // the schedule reads the offsets once and hands out only the 300 blocks.
  const int32_t blocks = 4096;
  const auto count = [](int32_t b) { return b % 55921 == 0 ? 1 : 0; };
  const std::vector<int32_t> ptr = offsets(blocks, count);
  BlockScheduler s(blocks, ptr.data(), 3);
  CHECK(s.nonempty_blocks() == 301);
  std::atomic<int> conflicts{0};
  const std::vector<int> seen = drive(s, blocks, 8, conflicts);
  CHECK(conflicts.load() == 0);
  int total = 0;
  for (int x : seen) total += x;
  CHECK(total == 301);
}

MFREC_TEST(block_scheduler_stop_releases_waiting_threads) {
  const int32_t blocks = 3;
  const std::vector<int32_t> ptr = offsets(blocks, [](int32_t) { return 1; });
  BlockScheduler s(blocks, ptr.data(), 1);
  const int32_t held = s.next(-1);
  CHECK(held >= 0);
  s.stop();
  CHECK(s.next(-1) == -1);
  CHECK(s.next(held) == -1);
}
