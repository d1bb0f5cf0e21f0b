// A minimal assertion harness for the kernels' C++ tests (no dependencies).
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace mfrec_test {

struct Case {
  const char* name;
  std::function<void()> body;
};

std::vector<Case>& registry();
extern int failures;

struct Register {
  Register(const char* name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};

#define MFREC_TEST(name)                                      \
  static void name();                                         \
  static ::mfrec_test::Register register_##name(#name, name); \
  static void name()

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++::mfrec_test::failures;                                                       \
    }                                                                                 \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                                                \
  do {                                                                                                       \
    double a_ = (a), b_ = (b);                                                                               \
    if (!(std::fabs(a_ - b_) <= (tol))) {                                                                    \
      std::fprintf(stderr, "  %s:%d: CHECK_NEAR failed: %s=%g %s=%g\n", __FILE__, __LINE__, #a, a_, #b, b_); \
      ++::mfrec_test::failures;                                                                              \
    }                                                                                                        \
  } while (0)

}  // namespace mfrec_test
