// Whether a float array holds only finite values: the check a fit makes after
// each iteration to stop as soon as factors diverge (NaN or an infinity).
#pragma once

#include <cstddef>

namespace mfrec {

// True when no value of a[0..n) is NaN or ±infinity.
bool all_finite(const float* a, std::size_t n);

}  // namespace mfrec
