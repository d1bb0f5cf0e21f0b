#include "kernels/random.h"

#include <cmath>

namespace mfrec {

float Rng::normal() {
  // 1 - u keeps the log argument in (0, 1].
  double u1 = 1.0 - static_cast<double>(next() >> 8) / 16777216.0;
  double u2 = static_cast<double>(next() >> 8) / 16777216.0;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}

}  // namespace mfrec
