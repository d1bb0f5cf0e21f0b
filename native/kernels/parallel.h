// A small team of worker threads for the kernels' parallel loops.
//
// Each parallel call starts its own team and joins it before returning, so no
// thread outlives the call that needed it: nothing to tear down when a Node
// environment or worker_thread goes away. Starting two threads costs tens of
// microseconds, far below the cost of one training epoch or one ALS sweep.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace mfrec {

// Number of hardware threads, at least 1.
int hardware_threads();

// Clamps a requested thread count: 0 means "all hardware threads".
int resolve_threads(int requested);

// Runs body(thread_index) on `threads` threads (the caller's thread is one of
// them). The first exception thrown by any body is rethrown in the caller
// after every thread has finished.
void run_team(int threads, const std::function<void(int)>& body);

// Splits [0, n) into chunks of `grain` handed out dynamically to `threads`
// threads: body(begin, end, thread_index). Rows of unequal cost (users with
// 3 or 3000 interactions) balance themselves this way.
void parallel_for(int threads, std::size_t n, std::size_t grain,
                  const std::function<void(std::size_t, std::size_t, int)>& body);

// A cancellation flag shared with JavaScript: an Int32 that JS sets to a
// non-zero value to ask the running kernel to stop at its next check.
struct CancelFlag {
  const volatile int32_t* flag = nullptr;
  bool requested() const { return flag != nullptr && *flag != 0; }
};

// Thrown by kernels that noticed a cancellation request.
struct Cancelled {};

}  // namespace mfrec
