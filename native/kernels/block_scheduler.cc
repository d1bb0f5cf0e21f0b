#include "kernels/block_scheduler.h"

#include <numeric>

namespace mfrec {

namespace {

int32_t lowest_bit(uint64_t w) {
#if defined(_MSC_VER) && !defined(__clang__)
  unsigned long i;
  _BitScanForward64(&i, w);
  return static_cast<int32_t>(i);
#else
  return __builtin_ctzll(w);
#endif
}

uint64_t rotate_right(uint64_t w, unsigned s) { return s == 0 ? w : (w >> s) | (w << (64 - s)); }

}  // namespace

BlockScheduler::BlockScheduler(int32_t blocks, const int32_t* block_ptr, uint32_t seed)
    : b_(blocks),
      words_((blocks + 63) / 64),
      pending_(static_cast<std::size_t>(blocks) * words_, 0),
      free_cols_(static_cast<std::size_t>(words_), 0),
      row_left_(static_cast<std::size_t>(blocks), 0),
      waiting_(static_cast<std::size_t>(blocks)),
      rng_(seed) {
  for (int32_t c = 0; c < b_; ++c) free_cols_[c / 64] |= uint64_t{1} << (c % 64);
  for (int32_t r = 0; r < b_; ++r) {
    for (int32_t c = 0; c < b_; ++c) {
      const int32_t blk = r * b_ + c;
      if (block_ptr[blk + 1] == block_ptr[blk]) continue;
      pending_[static_cast<std::size_t>(r) * words_ + c / 64] |= uint64_t{1} << (c % 64);
      ++row_left_[r];
    }
    left_ += row_left_[r];
  }
  nonempty_ = left_;
  std::vector<int32_t> rows(static_cast<std::size_t>(b_));
  std::iota(rows.begin(), rows.end(), 0);
  shuffle(rows, rng_);
  for (int32_t r : rows) {
    if (row_left_[r] > 0) ready_rows_.push_back(r);
  }
}

int32_t BlockScheduler::free_column(int32_t r) {
  const uint64_t* row = &pending_[static_cast<std::size_t>(r) * words_];
  const int32_t start = static_cast<int32_t>(rng_.below(static_cast<uint32_t>(words_)));
  const unsigned shift = rng_.below(64);
  for (int32_t j = 0; j < words_; ++j) {
    const int32_t w = (start + j) % words_;
    const uint64_t candidates = row[w] & free_cols_[w];
    if (candidates == 0) continue;
    // The first candidate at or after a random bit, cyclically.
    const int32_t bit = (lowest_bit(rotate_right(candidates, shift)) + static_cast<int32_t>(shift)) % 64;
    return w * 64 + bit;
  }
  return -1;
}

int32_t BlockScheduler::first_pending(int32_t r) const {
  const uint64_t* row = &pending_[static_cast<std::size_t>(r) * words_];
  for (int32_t w = 0; w < words_; ++w) {
    if (row[w] != 0) return w * 64 + lowest_bit(row[w]);
  }
  return -1;
}

void BlockScheduler::release(int32_t block) {
  const int32_t r = block / b_, c = block % b_;
  free_cols_[c / 64] |= uint64_t{1} << (c % 64);
  if (row_left_[r] > 0) ready_rows_.push_back(r);
  // Rows that waited for this column try again, ahead of the others.
  for (int32_t w : waiting_[c]) ready_rows_.push_front(w);
  waiting_[c].clear();
}

int32_t BlockScheduler::next(int32_t finished) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (finished >= 0) {
    release(finished);
    wake_.notify_all();
  }
  for (;;) {
    if (stopped_ || left_ == 0) return -1;
    while (!ready_rows_.empty()) {
      const int32_t r = ready_rows_.front();
      ready_rows_.pop_front();
      const int32_t c = free_column(r);
      if (c < 0) {
        // Every pending column of r is busy: r waits for one of them (it is
        // woken when that block ends, which always happens).
        waiting_[first_pending(r)].push_back(r);
        continue;
      }
      pending_[static_cast<std::size_t>(r) * words_ + c / 64] &= ~(uint64_t{1} << (c % 64));
      free_cols_[c / 64] &= ~(uint64_t{1} << (c % 64));
      --row_left_[r];
      --left_;
      return r * b_ + c;
    }
    wake_.wait(lock);
  }
}

void BlockScheduler::stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopped_ = true;
  wake_.notify_all();
}

}  // namespace mfrec
