#include <cstdio>

#include "check.h"
#include "kernels/blas.h"

namespace mfrec_test {
std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}
int failures = 0;
}  // namespace mfrec_test

int main() {
  // The configuration the addon runs in (addon.cc): BLAS pinned to one
  // thread, our own teams doing the parallel work.
  mfrec::blas_init();
  int failed_cases = 0;
  for (auto& c : mfrec_test::registry()) {
    int before = mfrec_test::failures;
    c.body();
    bool ok = mfrec_test::failures == before;
    if (!ok) ++failed_cases;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name);
  }
  std::printf("%zu native tests, %d failed\n", mfrec_test::registry().size(), failed_cases);
  return failed_cases == 0 ? 0 : 1;
}
