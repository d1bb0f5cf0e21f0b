// Hands out the blocks of an SGD grid to a team of threads so that no two
// blocks in progress share a row block or a column block (see sgd.h).
//
// Cost: building the schedule reads the grid's block offsets once (O(B²) for
// B blocks per side: O(number of blocks)); a handout or a release costs
// O(⌈B / 64⌉) word operations (one word up to 64 blocks per side), whatever
// the thread count, so an epoch's scheduling is linear in its number of blocks
// (for B ≤ 64; at most 64 words per handout at the 4096 limit). Empty blocks
// are never handed out.
//
// Order: rows that are free queue up first in, first out (a row that just
// finished a block goes to the back, so rows advance evenly and none is left
// for last, where its blocks would run one after another); each row takes a
// free column among its pending ones, starting from a random position.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "kernels/random.h"

namespace mfrec {

class BlockScheduler {
 public:
  // block_ptr: blocks * blocks + 1 offsets; a block is pending when it holds
  // at least one rating.
  BlockScheduler(int32_t blocks, const int32_t* block_ptr, uint32_t seed);

  // Blocks with at least one rating: more threads than this cannot all work.
  int32_t nonempty_blocks() const { return nonempty_; }

  // Releases `finished` (or -1) and waits for the next block; -1 when the
  // epoch is complete or stopped.
  int32_t next(int32_t finished);

  // Ends the epoch early (cancellation or an error): every waiting thread gets -1.
  void stop();

 private:
  // A free pending column of row r, or -1 (all of its pending columns are busy).
  int32_t free_column(int32_t r);
  // The lowest pending column of row r (all busy when called).
  int32_t first_pending(int32_t r) const;
  void release(int32_t block);

  const int32_t b_;
  const int32_t words_;                        // 64-bit words per row of the bitsets
  std::vector<uint64_t> pending_;              // b_ rows of words_: block (r, c) not yet handed out
  std::vector<uint64_t> free_cols_;            // columns with no block in progress
  std::vector<int32_t> row_left_;              // pending blocks per row
  std::deque<int32_t> ready_rows_;             // free rows with pending blocks, to try first
  std::vector<std::vector<int32_t>> waiting_;  // per column: free rows whose pending columns were all busy
  int32_t left_ = 0;
  int32_t nonempty_ = 0;
  bool stopped_ = false;
  Rng rng_;
  std::mutex mutex_;
  std::condition_variable wake_;
};

}  // namespace mfrec
