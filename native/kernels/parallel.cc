#include "kernels/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace mfrec {

int hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

int resolve_threads(int requested) {
  if (requested <= 0) return hardware_threads();
  return std::min(requested, 256);
}

void run_team(int threads, const std::function<void(int)>& body) {
  threads = std::max(1, threads);
  if (threads == 1) {
    body(0);
    return;
  }
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto guarded = [&](int t) {
    try {
      body(t);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
    }
  };
  std::vector<std::thread> team;
  team.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) team.emplace_back(guarded, t);
  guarded(0);
  for (auto& th : team) th.join();
  if (first_error) std::rethrow_exception(first_error);
}

void parallel_for(int threads, std::size_t n, std::size_t grain,
                  const std::function<void(std::size_t, std::size_t, int)>& body) {
  if (n == 0) return;
  grain = std::max<std::size_t>(1, grain);
  std::size_t chunks = (n + grain - 1) / grain;
  threads = static_cast<int>(std::min<std::size_t>(std::max(1, threads), chunks));
  std::atomic<std::size_t> next{0};
  run_team(threads, [&](int t) {
    for (;;) {
      std::size_t begin = next.fetch_add(grain);
      if (begin >= n) break;
      body(begin, std::min(n, begin + grain), t);
    }
  });
}

}  // namespace mfrec
